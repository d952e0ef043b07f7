import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isSupportedImagePath } from '../vision/decode.js';

/** Folders no photo library wants scanned: NAS thumbnails, trash, our own output. */
const SKIPPED_DIRS = new Set([
  '@eaDir',
  '#recycle',
  '#snapshot',
  'lost+found',
  '$RECYCLE.BIN',
  'System Volume Information',
]);

function skippedDir(name: string): boolean {
  return name.startsWith('.') || SKIPPED_DIRS.has(name);
}

/** Our own outputs that may sit among photos: chips and annotated copies. */
function ownOutput(name: string): boolean {
  return /\.(chip|annotated)\.[^.]+(\.[^.]+)?$/i.test(name) || name.includes('.chip.');
}

/**
 * Image files under each path, recursively, in sorted order. A path that is a file is taken
 * as it is. Hidden and system folders are skipped.
 */
export async function* walkImages(paths: readonly string[]): AsyncGenerator<string> {
  for (const path of paths) {
    const info = await stat(path);
    if (info.isFile()) {
      yield path;
      continue;
    }
    yield* walkDir(path);
  }
}

async function* walkDir(dir: string): AsyncGenerator<string> {
  const dirs: string[] = [];
  const files: string[] = [];
  for await (const entry of await opendir(dir)) {
    if (entry.isDirectory()) {
      if (!skippedDir(entry.name)) dirs.push(entry.name);
    } else if (entry.isFile() && isSupportedImagePath(entry.name) && !ownOutput(entry.name)) {
      files.push(entry.name);
    }
  }
  files.sort();
  dirs.sort();
  for (const f of files) yield join(dir, f);
  for (const d of dirs) yield* walkDir(join(dir, d));
}

/** Collect `walkImages` into an array, for jobs that show progress against a total. */
export async function listImages(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const p of walkImages(paths)) out.push(p);
  return out;
}
