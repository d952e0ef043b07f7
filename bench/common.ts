/** Helpers shared by the benchmark scripts: paths, medians, ratios and plain tables. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Debian's python, which has the reference's scikit-image and scikit-learn. */
export const PYTHON = '/usr/bin/python3';

/** The repository root: the nearest folder above this module holding package.json (works from dist/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json)');
    dir = parent;
  }
  return dir;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export const round = (v: number, digits = 3): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);
export const mb = (kib: number): number => round(kib / 1024, 1);
export const fmt = (v: number | undefined, digits = 0): string =>
  v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
export const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || !(b > 0) ? undefined : a / b;
export const fmtRatio = (r: number | undefined): string => (r === undefined ? 'n/a' : `${r.toFixed(1)}x`);
export const fmtLoad = (l: readonly number[]): string => l.map((v) => v.toFixed(2)).join(' ');
export const ratioJson = (v: number | undefined): number | null => (v === undefined ? null : round(v, 2));

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Where the 12 MP test photo comes from (in ../shared): it is a Lanczos upscale of this. */
export const PHOTO_SOURCE = 'data/detection/images/pic03263.jpg';

/**
 * The 12 MP test photo, made in a child process (bench/make-photo.ts) so libvips' buffers do not
 * inflate the bench's own peak RSS.
 */
export async function makeTestPhoto(
  shared: string,
  output: string,
  width: number,
  height: number,
): Promise<{ crop: number[]; width: number; height: number; bytes: number }> {
  const made = await promisify(execFile)(process.execPath, [
    join(dirname(fileURLToPath(import.meta.url)), 'make-photo.js'),
    join(shared, PHOTO_SOURCE),
    output,
    String(width),
    String(height),
  ]);
  return JSON.parse(made.stdout.trim()) as { crop: number[]; width: number; height: number; bytes: number };
}
