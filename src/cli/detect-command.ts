import { mkdir } from 'node:fs/promises';
import { detectFile } from '../detect/detector.js';
import { listImages } from '../files/walk.js';
import { annotateImageFile } from '../vision/annotate-file.js';
import { DecodeError } from '../vision/decode.js';
import { annotatedName } from './annotated-name.js';
import { parse, UsageError } from './args.js';
import { detectionContext, detectionFlags } from './detection-context.js';
import { detectionJson } from './face-json.js';
import { createProgress } from './progress.js';

export const detectUsage = `facetag detect <image|dir>... [--json] [--annotate DIR] [--config FILE]
    [--rotation-step N] [--max-side PX] [--step-ratio R] [--min-neighbours N] [--min-size PX] [--max-size PX]
    [--min-hit-density D] [--parity] [--workers N]
  Finds faces (rotation sweep included) and prints them, one line per face, or JSON with --json.`;

/** `facetag detect`: returns the process exit code (1 when any file failed). */
export async function detectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...detectionFlags,
    json: { type: 'boolean' },
    annotate: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('give at least one image or folder');
  const failures: string[] = [];
  const files = await listImages(positionals, (path, reason) => failures.push(`cannot read folder ${path}: ${reason}`));
  const ctx = detectionContext(values);
  const progress = createProgress({ label: 'detect', total: files.length });
  const results: unknown[] = [];
  const usedNames = new Set<string>();
  try {
    if (values.annotate) await mkdir(values.annotate, { recursive: true });
    for (const file of files) {
      try {
        const d = await detectFile(file, ctx.options);
        results.push(detectionJson(d));
        if (!values.json) {
          for (const f of detectionJson(d).faces) {
            process.stdout.write(`${file}\t${f.box.join(',')}\tangle ${f.rect.angle}\tstrength ${f.strength}\n`);
          }
        }
        if (values.annotate) {
          const out = annotatedName(values.annotate, file, usedNames);
          const boxes = d.faces.map((f) => ({ rect: f.rect, label: 'face', score: f.strength, known: false }));
          // A photo we could analyse but not draw on (e.g. HEIC, which sharp cannot re-read) is
          // reported; it does not stop the run.
          await annotateImageFile(file, out, boxes).catch((err: unknown) => {
            failures.push(`${file}: cannot write ${out}: ${err instanceof Error ? err.message : String(err)}`);
          });
        }
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        failures.push(err.message);
        results.push({ file, error: { reason: err.reason, message: err.message } });
      }
      progress.tick(1, file);
    }
  } finally {
    await ctx.close();
  }
  progress.done(failures.length ? `${failures.length} file(s) failed` : undefined);
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  for (const f of failures) process.stderr.write(`error: ${f}\n`);
  return failures.length ? 1 : 0;
}
