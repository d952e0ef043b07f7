import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { type Annotation, annotationSvg } from './annotate.js';
import { annotateFile } from './encode.js';

type OutputFormat = 'jpeg' | 'png';

function formatFor(output: string): OutputFormat {
  const ext = extname(output).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.png') return 'png';
  throw new Error(`annotateImageFile: output must end in .jpg, .jpeg or .png: ${output}`);
}

async function realpathOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

/** True when `output` names the same file as `input` (by path, symlink target or inode). */
async function sameFile(input: string, output: string): Promise<boolean> {
  const a = resolve(input);
  const b = resolve(output);
  if (a === b) return true;
  const [ra, rb] = await Promise.all([realpathOrNull(a), realpathOrNull(b)]);
  if (ra !== null && rb !== null) {
    if (ra === rb) return true;
    const [sa, sb] = await Promise.all([stat(ra), stat(rb)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  }
  // Output does not exist yet, but its directory may be a symlink to the input's.
  if (ra !== null && rb === null) {
    const dir = await realpathOrNull(dirname(b));
    if (dir !== null && join(dir, basename(b)) === ra) return true;
  }
  return false;
}

/**
 * Composite the annotation overlay onto a copy of the image file, with EXIF orientation
 * applied (so boxes in displayed coordinates line up), and write JPEG or PNG by the output's
 * extension. Never writes to the input: throws if `output` resolves to the same file. The
 * output is written to a temporary sibling and renamed into place.
 */
export async function annotateImageFile(
  input: string,
  output: string,
  annotations: readonly Annotation[],
): Promise<void> {
  const format = formatFor(output);
  if (await sameFile(input, output)) {
    throw new Error(`annotateImageFile: refusing to overwrite the input file ${input}`);
  }
  const data = await annotateFile(input, format, (width, height) => annotationSvg(width, height, annotations));

  const target = resolve(output);
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
