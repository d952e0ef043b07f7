/**
 * The identity evaluation's inputs: `<root>/<Person>/<image>`, optionally with a `labels.csv`
 * beside the folders giving each file's nominal face box (LFW's construction rule).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { errnoCode } from '../files/errno.js';
import { isSupportedImagePath } from '../files/image-types.js';
import type { AxisBox } from '../vision/geometry.js';

export interface IdentityRow {
  /** Relative to the root, with `/`. */
  readonly file: string;
  readonly path: string;
  readonly person: string;
  /** Where the labelled person's face is; absent without labels.csv. */
  readonly nominal?: AxisBox;
}

/** Split one CSV line; handles double-quoted fields with "" escapes. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

const NEEDED = ['file', 'person', 'nominal_face_x', 'nominal_face_y', 'nominal_face_w', 'nominal_face_h'] as const;

/** Parse labels.csv text; errors name the file and line. */
export function parseLabelsCsv(text: string, root: string, source: string): IdentityRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new InputError(`${source}: empty`);
  const header = splitCsvLine(lines[0]!).map((h) => h.trim());
  const col = Object.fromEntries(NEEDED.map((k) => [k, header.indexOf(k)])) as Record<(typeof NEEDED)[number], number>;
  const missing = NEEDED.filter((k) => col[k] < 0);
  if (missing.length) throw new InputError(`${source}: missing column(s) ${missing.join(', ')}`);
  return lines.slice(1).map((line, i) => {
    const f = splitCsvLine(line);
    // A missing field is NaN, refused below.
    const x = Number(f[col.nominal_face_x]);
    const y = Number(f[col.nominal_face_y]);
    const w = Number(f[col.nominal_face_w]);
    const h = Number(f[col.nominal_face_h]);
    const file = f[col.file]?.trim() ?? '';
    const person = f[col.person]?.trim() ?? '';
    if (!file || !person || ![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0) {
      throw new InputError(`${source}:${i + 2}: needs a file, a person and a positive nominal box`);
    }
    return { file, path: join(root, file), person, nominal: { x, y, width: w, height: h } };
  });
}

/** The rows of `root`, sorted by file (the reference's order): from labels.csv, else from the folders. */
export async function readIdentityRows(root: string): Promise<IdentityRow[]> {
  let rows: IdentityRow[];
  const csv = join(root, 'labels.csv');
  try {
    rows = parseLabelsCsv(await readFile(csv, 'utf8'), root, csv);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    rows = await rowsFromFolders(root);
  }
  if (rows.length === 0) throw new InputError(`${root}: no images in <Person>/ folders`);
  return rows.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

async function rowsFromFolders(root: string): Promise<IdentityRow[]> {
  let people: string[];
  try {
    people = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch (err) {
    throw new InputError(`${root}: cannot read (${errnoCode(err) ?? String(err)})`);
  }
  const rows: IdentityRow[] = [];
  for (const person of people) {
    for (const name of await readdir(join(root, person))) {
      if (!name.startsWith('.') && isSupportedImagePath(name))
        rows.push({ file: `${person}/${name}`, path: join(root, person, name), person });
    }
  }
  return rows;
}

/** The reference's `--split-every k`: per person, in file order, item i is a test item when i % k == k - 1. */
export function splitEvery(rows: readonly IdentityRow[], k: number): { train: IdentityRow[]; test: IdentityRow[] } {
  const seen = new Map<string, number>();
  const train: IdentityRow[] = [];
  const test: IdentityRow[] = [];
  for (const r of rows) {
    const i = seen.get(r.person) ?? 0;
    (i % k === k - 1 ? test : train).push(r);
    seen.set(r.person, i + 1);
  }
  return { train, test };
}
