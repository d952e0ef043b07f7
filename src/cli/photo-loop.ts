/**
 * The loop `detect` and `classify` share: every photo in turn, with progress, JSON or text output,
 * optional annotated copies, and bad files reported at the end without stopping the run.
 */
import { mkdir } from 'node:fs/promises';
import type { Annotation } from '../vision/annotate.js';
import { annotateImageFile } from '../vision/annotate-file.js';
import { DecodeError } from '../vision/decode.js';
import { annotatedName } from './annotated-name.js';
import { createProgress } from './progress.js';

export interface PhotoResult {
  readonly json: unknown;
  /** Printed when not in JSON mode, one per face. */
  readonly lines: readonly string[];
  readonly annotations: readonly Annotation[];
}

export interface PhotoLoopOptions {
  readonly label: string;
  readonly json: boolean;
  readonly annotateDir?: string;
  /** Problems found before the loop (unreadable folders), reported with the rest. */
  readonly failures: string[];
}

/** Returns the exit code: 1 when any file failed. */
export async function forEachPhoto(
  files: readonly string[],
  options: PhotoLoopOptions,
  analyse: (file: string) => Promise<PhotoResult>,
): Promise<number> {
  const { failures, annotateDir } = options;
  const progress = createProgress({ label: options.label, total: files.length });
  const results: unknown[] = [];
  const usedNames = new Set<string>();
  if (annotateDir) await mkdir(annotateDir, { recursive: true });
  for (const file of files) {
    try {
      const r = await analyse(file);
      results.push(r.json);
      if (!options.json) for (const line of r.lines) process.stdout.write(`${line}\n`);
      if (annotateDir) {
        const out = annotatedName(annotateDir, file, usedNames);
        // A photo we could analyse but not draw on (e.g. HEIC, which sharp cannot re-read) is
        // reported; it does not stop the run.
        await annotateImageFile(file, out, r.annotations).catch((err: unknown) => {
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
  progress.done(failures.length ? `${failures.length} file(s) failed` : undefined);
  if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  for (const f of failures) process.stderr.write(`error: ${f}\n`);
  return failures.length ? 1 : 0;
}
