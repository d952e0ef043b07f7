/**
 * The seed's training layout: `<dir>/<label>/*.png`, one folder per person, plus
 * `not_a_face` for detections that are not faces. Reading it, and adding to it.
 */
import { copyFile, mkdir, readdir, rename } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../files/atomic.js';
import { errnoCode } from '../files/errno.js';
import { personNameProblem } from '../names/person-name.js';
import type { RasterImage } from '../vision/chip.js';
import { encodeChipPng } from '../vision/chip-png.js';
import { DecodeError, decodeImage, isSupportedImagePath } from '../vision/decode.js';
import { rgbToGrey } from '../vision/grey.js';
import type { GreyChip } from './features.js';

/** The seed's label for detections that are not faces: a negative for every person. */
export const NOT_A_FACE = 'not_a_face';

/**
 * Faces someone said are not the person suggested (daemon only). Like not_a_face they are only
 * negatives; the leading dot keeps the label from ever being a person's or a folder's name.
 */
export const REJECTED_FACE = '.rejected';

/**
 * Unlabelled faces of the library far from every named person's (neural engine): negatives that
 * let a person's model train from the first name, against the faces this family's photos really
 * hold, before anyone has been named or ignored to count against it.
 */
export const BACKGROUND_FACE = '.background';

/** Labels that train no model of their own, only count against every person's. */
export function isNegativeOnly(label: string): boolean {
  return label === NOT_A_FACE || label === REJECTED_FACE || label === BACKGROUND_FACE;
}

export interface LabelledChip extends GreyChip {
  readonly label: string;
  readonly file: string;
}

export interface ChipProblem {
  readonly path: string;
  readonly reason: string;
}

/** Why `label` cannot be a folder name, or undefined when it can. */
export function labelProblem(label: string): string | undefined {
  if (label.trim() !== label || label.length === 0)
    return 'a label must be non-empty, without leading or trailing spaces';
  if (label.length > 100) return 'a label is at most 100 characters';
  if (label.startsWith('.')) return 'a label must not start with a dot';
  if (/[/\\]/.test(label)) return 'a label must not contain / or \\';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(label)) return 'a label must not contain control characters';
  return undefined;
}

/**
 * Why a folder under the labels folder cannot train a person: its name must be a usable folder
 * name and, unless it is `not_a_face`, a person's name by the one name rule.
 */
export function personLabelProblem(label: string): string | undefined {
  const problem = labelProblem(label);
  if (problem || label === NOT_A_FACE) return problem;
  return personNameProblem(label);
}

export function assertLabel(label: string): void {
  const problem = personLabelProblem(label);
  if (problem) throw new RangeError(`bad label ${JSON.stringify(label)}: ${problem}`);
}

/** Chips cap: a labelled chip is small; anything bigger is a photo dropped in by mistake. */
const MAX_CHIP_PIXELS = 4096 * 4096;

export async function readChip(file: string): Promise<GreyChip> {
  const image = await decodeImage(file, { maxPixels: MAX_CHIP_PIXELS });
  return { width: image.width, height: image.height, data: rgbToGrey(image.pixels, image.channels) };
}

/** The label folders (hidden ones are not); a folder whose name cannot be a label is reported. */
async function subfolders(dir: string, onProblem?: (p: ChipProblem) => void): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const labels: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const problem = personLabelProblem(e.name);
    if (problem) onProblem?.({ path: join(dir, e.name), reason: `folder skipped, not a label: ${problem}` });
    else labels.push(e.name);
  }
  return labels.sort();
}

/**
 * Every chip under `dir`, label folders and files in sorted order (the seed's order, which
 * the stratified folds depend on). Unreadable chips are reported, not fatal.
 */
export async function readLabelledChips(
  dir: string,
  options: { jobs?: number; onChip?: () => void; onProblem?: (p: ChipProblem) => void } = {},
): Promise<LabelledChip[]> {
  let labels: string[];
  try {
    labels = await subfolders(dir, options.onProblem);
  } catch (err) {
    const code = errnoCode(err);
    throw new Error(`${dir}: cannot read the labels folder (${code ?? String(err)})`);
  }
  const files: { label: string; file: string }[] = [];
  for (const label of labels) {
    const names = (await readdir(join(dir, label))).filter((n) => !n.startsWith('.') && isSupportedImagePath(n)).sort();
    for (const name of names) files.push({ label, file: join(dir, label, name) });
  }
  const out: (LabelledChip | undefined)[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const { label, file } = files[i]!;
      try {
        out[i] = { label, file, ...(await readChip(file)) };
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        options.onProblem?.({ path: file, reason: err.message });
      }
      options.onChip?.();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? 4) }, worker));
  return out.filter((c): c is LabelledChip => c !== undefined);
}

/**
 * Label a face: put its chip under `<labelsDir>/<label>/`. A chip already inside the labels
 * folder is moved (that is relabelling); one from elsewhere is copied, so the source stays.
 * Returns the new path.
 */
export async function labelChipFile(labelsDir: string, chipFile: string, label: string): Promise<string> {
  assertLabel(label);
  const target = join(labelsDir, label, basename(chipFile));
  if (resolve(target) === resolve(chipFile)) return target;
  await mkdir(join(labelsDir, label), { recursive: true });
  const inside = !relative(resolve(labelsDir), resolve(chipFile)).startsWith('..');
  if (inside) await rename(chipFile, target);
  else await copyFile(chipFile, target);
  return target;
}

/** Label a face from its pixels: write `<labelsDir>/<label>/<stem>.png` atomically. */
export async function saveLabelledChip(
  labelsDir: string,
  label: string,
  stem: string,
  chip: RasterImage,
): Promise<string> {
  assertLabel(label);
  const name = extname(stem) === '.png' ? stem : `${stem}.png`;
  if (labelProblem(name)) throw new RangeError(`bad chip name ${JSON.stringify(stem)}`);
  const target = join(labelsDir, label, name);
  await writeFileAtomic(target, await encodeChipPng(chip));
  return target;
}
