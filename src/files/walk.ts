import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isHiddenName, isOwnOutputName, isSkippedFolderName, isTempName } from './ignore-rules.js';
import { isSupportedImagePath } from './image-types.js';

/** A file name the walk hands on: a supported image that is not hidden, a temp file or our output. */
function isPhotoName(name: string): boolean {
  return isSupportedImagePath(name) && !isHiddenName(name) && !isTempName(name) && !isOwnOutputName(name);
}

/** A folder or file that could not be listed, and why; the walk goes on without it. */
export type WalkProblem = (path: string, reason: string) => void;

/** A path given by the user does not exist or cannot be read. */
export class WalkError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'WalkError';
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message.replace(/^[A-Z]+: /, '') : String(err);
}

/**
 * Image files under each path, recursively, in sorted order. A path that is a file is taken
 * as it is. Hidden and system folders are skipped. A top-level path that cannot be read is a
 * WalkError; a subfolder that cannot be read is reported to `onProblem` and skipped.
 */
export async function* walkImages(paths: readonly string[], onProblem: WalkProblem = () => {}): AsyncGenerator<string> {
  for (const path of paths) {
    const info = await stat(path).catch((err: unknown) => {
      throw new WalkError(path, reasonOf(err));
    });
    if (info.isFile()) {
      yield path;
      continue;
    }
    yield* walkDir(path, onProblem, true);
  }
}

async function* walkDir(dir: string, onProblem: WalkProblem, top = false): AsyncGenerator<string> {
  const dirs: string[] = [];
  const files: string[] = [];
  let handle: Awaited<ReturnType<typeof opendir>>;
  try {
    handle = await opendir(dir);
  } catch (err) {
    if (top) throw new WalkError(dir, reasonOf(err));
    onProblem(dir, reasonOf(err));
    return;
  }
  for await (const entry of handle) {
    if (entry.isDirectory()) {
      if (!isSkippedFolderName(entry.name)) dirs.push(entry.name);
    } else if (entry.isFile() && isPhotoName(entry.name)) {
      files.push(entry.name);
    }
  }
  files.sort();
  dirs.sort();
  for (const f of files) yield join(dir, f);
  for (const d of dirs) yield* walkDir(join(dir, d), onProblem);
}

/** Collect `walkImages` into an array, for jobs that show progress against a total. */
export async function listImages(paths: readonly string[], onProblem?: WalkProblem): Promise<string[]> {
  const out: string[] = [];
  for await (const p of walkImages(paths, onProblem)) out.push(p);
  return out;
}
