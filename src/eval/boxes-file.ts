import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { InputError } from '../core/errors.js';
import type { AxisBox } from '../vision/geometry.js';

const boxesSchema = z.record(
  z.string().min(1),
  z.array(z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()])),
);

/** Read `{ "<file>": [[x, y, w, h], ...] }`, naming the file and the bad entry on error. */
export async function readBoxesFile(path: string): Promise<Map<string, AxisBox[]>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InputError(`${path}: cannot read boxes: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = boxesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return new Map(
    Object.entries(parsed.data).map(([file, list]) => [
      file,
      list.map(([x, y, width, height]) => ({ x, y, width, height })),
    ]),
  );
}
