import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PathFilter } from './path-filter.js';

/**
 * The photos inside a folder that just appeared under a root. `mv` of a folder into the tree
 * produces one event for the folder and none for its contents, and `cp -r`/`mkdir -p` race the
 * native watcher, so the contents are listed here. src/files/walk.ts's walkImages does not fit:
 * it applies neither include/exclude nor the temp/sidecar rules, and it cannot say whether there
 * were sub-folders (empty ones included), which decides whether the root must be re-subscribed.
 */

export interface FolderWalkResult {
  /** Files handed to `onFile`. */
  readonly files: number;
  /** Sub-folders found (not counting the folder itself). */
  readonly folders: number;
  /** Folders that could not be listed, with the first reason. */
  readonly errors: number;
  readonly firstError: string | undefined;
}

export interface FolderWalkOptions {
  readonly root: string;
  readonly filter: PathFilter;
  /** Return false to stop adding files (the pending queue is full); the walk then only looks for folders. */
  readonly onFile: (path: string) => boolean;
  readonly signal: AbortSignal;
}

function relativeTo(root: string, path: string): string {
  return path.slice(root.length + 1);
}

export async function walkNewFolder(dir: string, options: FolderWalkOptions): Promise<FolderWalkResult> {
  const { root, filter, onFile, signal } = options;
  let files = 0;
  let folders = 0;
  let errors = 0;
  let firstError: string | undefined;
  let accepting = true;
  const stack = [dir];
  while (stack.length > 0 && !signal.aborted) {
    const current = stack.pop() as string;
    try {
      for await (const entry of await opendir(current)) {
        if (signal.aborted) break;
        const path = join(current, entry.name);
        const rel = relativeTo(root, path);
        if (entry.isDirectory()) {
          if (!filter.wantsFolder(rel)) continue;
          folders++;
          stack.push(path);
        } else if (entry.isFile() && accepting && filter.wantsFile(path, rel)) {
          accepting = onFile(path);
          if (accepting) files++;
        }
        // Once full, a known sub-folder is all we still need to learn.
        if (!accepting && folders > 0) return { files, folders, errors, firstError };
      }
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
      if (code === 'ENOENT' || code === 'ENOTDIR') continue; // moved away again while we looked
      errors++;
      firstError ??= `${current}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return { files, folders, errors, firstError };
}
