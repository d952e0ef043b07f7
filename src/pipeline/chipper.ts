/**
 * The seed's chipper: find faces in every image and save each one, turned upright, as
 * `<out>/<stem>.chip.<i>.png`. An image counts as done once any `<stem>.chip.*.png` exists
 * (the seed's rule), so a re-run only works on new images. The CLI wrapper is cli/chip-command.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { DetectorOptions } from '../engine/detector.js';
import { errnoCode } from '../files/errno.js';
import { listImages } from '../files/walk.js';
import { cutChip } from '../vision/chip.js';
import { encodeChipPng } from '../vision/chip-png.js';
import { DecodeError, type DecodeFailure, decodeImage } from '../vision/decode.js';
import { runFile } from './photo-pipeline.js';

export interface ChipPlan {
  /** Images to chip, in walk order. */
  readonly todo: readonly string[];
  /** Subfolders that could not be listed, and why; their images were not seen. */
  readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
  /** Images whose chips already exist in the output folder. */
  readonly alreadyChipped: readonly string[];
  /**
   * Images with the same file name (stem) as an earlier one in this run: chips are named by stem,
   * so they would overwrite each other. The seed would skip them too; we say so.
   */
  readonly sameName: readonly string[];
}

export interface ChipFile {
  readonly path: string;
  readonly width: number;
  readonly height: number;
}

export interface ImageChips {
  readonly file: string;
  /** Empty when no face was found (the image will be looked at again next run). */
  readonly chips: readonly ChipFile[];
}

export interface ChipFailure {
  readonly file: string;
  readonly reason: DecodeFailure;
  readonly message: string;
}

export interface ChipperOptions {
  readonly outDir: string;
  readonly detector: DetectorOptions;
  /** Pixel cap for the full-resolution decode (config.decode.maxPixels). */
  readonly maxPixels: number;
  /** Margin around each face box, as a fraction of its size (config.chips.padding). */
  readonly padding: number;
  /** Images processed at once; default 1. */
  readonly jobs?: number;
  /** Called after each image, done or failed. */
  readonly onImage?: (file: string) => void;
}

export interface ChipReport {
  /** In input order. */
  readonly chipped: readonly ImageChips[];
  readonly failed: readonly ChipFailure[];
}

export const chipName = (stem: string, index: number): string => `${stem}.chip.${index}.png`;

const stemOf = (file: string): string => basename(file, extname(file));

/**
 * Every stem S for which some name in `names` matches the glob `S.chip.*.png`. A name can match
 * several stems ("a.chip.b.chip.0.png" matches "a" and "a.chip.b"), so collect each split point;
 * a Set then makes the per-image check O(1) even with many thousands of chips.
 */
function chippedStems(names: readonly string[]): Set<string> {
  const stems = new Set<string>();
  for (const name of names) {
    if (!name.endsWith('.png')) continue;
    for (let at = name.indexOf('.chip.'); at >= 0; at = name.indexOf('.chip.', at + 1)) {
      if (at + '.chip.'.length <= name.length - '.png'.length) stems.add(name.slice(0, at));
    }
  }
  return stems;
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}

/** Walk `inputs` (files or folders, recursively) and sort the images into to-do and skipped. */
export async function planChips(inputs: readonly string[], outDir: string): Promise<ChipPlan> {
  const done = chippedStems(await listNames(outDir));
  const claimed = new Set<string>();
  const todo: string[] = [];
  const alreadyChipped: string[] = [];
  const sameName: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  for (const file of await listImages(inputs, (path, reason) => unreadable.push({ path, reason }))) {
    const stem = stemOf(file);
    if (done.has(stem)) alreadyChipped.push(file);
    else if (claimed.has(stem)) sameName.push(file);
    else {
      claimed.add(stem);
      todo.push(file);
    }
  }
  return { todo, alreadyChipped, sameName, unreadable };
}

/**
 * Write every file under a temporary name in its target folder, then rename each into place:
 * a crash never leaves a half-written PNG under a chip name (which would mark the image done).
 * No fsync: chips can always be cut again.
 */
async function writeAllAtomic(entries: readonly { path: string; data: Uint8Array }[]): Promise<void> {
  const temps = entries.map(({ path }) => join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`));
  try {
    // temps is entries mapped one to one.
    await Promise.all(entries.map(({ data }, i) => writeFile(temps[i]!, data)));
    for (const [i, { path }] of entries.entries()) await rename(temps[i]!, path);
  } finally {
    // After success the temps are gone and rm(force) is a no-op.
    await Promise.all(temps.map((t) => rm(t, { force: true })));
  }
}

async function chipOne(file: string, options: ChipperOptions): Promise<ImageChips> {
  const detection = await runFile(file, { detector: options.detector });
  if (detection.faces.length === 0) return { file, chips: [] };
  // Detection ran on a downscaled copy; chips come from the full-resolution oriented pixels,
  // the frame the face rects are already in.
  const image = await decodeImage(file, { maxPixels: options.maxPixels });
  if (image.width !== detection.width || image.height !== detection.height) {
    throw new DecodeError(file, 'unreadable', 'file changed while being chipped');
  }
  const stem = stemOf(file);
  const entries: { path: string; data: Uint8Array; width: number; height: number }[] = [];
  for (const [i, face] of detection.faces.entries()) {
    // Output size = the padded box, not resized: the seed kept native-size chips.
    const chip = cutChip(image, face.rect, { padding: options.padding });
    const data = await encodeChipPng(chip);
    entries.push({ path: join(options.outDir, chipName(stem, i)), data, width: chip.width, height: chip.height });
  }
  await writeAllAtomic(entries);
  return { file, chips: entries.map(({ path, width, height }) => ({ path, width, height })) };
}

/**
 * Chip `files` with up to `jobs` images in flight (detection has its own threads; jobs overlap
 * decoding and PNG encoding). Bad images (DecodeError) are reported and skipped; anything else
 * stops the run and is thrown once the images in flight have settled.
 */
export async function chipImages(files: readonly string[], options: ChipperOptions): Promise<ChipReport> {
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new RangeError(`chipImages: jobs must be a positive integer, got ${jobs}`);
  await mkdir(options.outDir, { recursive: true });
  const results: (ImageChips | ChipFailure | undefined)[] = new Array(files.length);
  let next = 0;
  let fatal = false;
  const worker = async (): Promise<void> => {
    while (!fatal && next < files.length) {
      const i = next++;
      const file = files[i]!;
      try {
        results[i] = await chipOne(file, options);
      } catch (err) {
        if (!(err instanceof DecodeError)) {
          fatal = true;
          throw err;
        }
        results[i] = { file, reason: err.reason, message: err.message };
      }
      options.onImage?.(file);
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(jobs, files.length) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;

  const chipped: ImageChips[] = [];
  const failed: ChipFailure[] = [];
  for (const r of results) {
    if (r === undefined) continue;
    if ('chips' in r) chipped.push(r);
    else failed.push(r);
  }
  return { chipped, failed };
}
