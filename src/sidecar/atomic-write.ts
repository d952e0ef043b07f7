import { randomBytes } from 'node:crypto';
import { chmod, chown, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from '../files/errno.js';

/** What a sidecar held when we read it. */
export interface Snapshot {
  readonly bytes: Buffer | undefined;
  readonly mode: number | undefined;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

/** Reads a sidecar (absent is a valid state: `bytes` undefined). */
export async function readSnapshot(path: string): Promise<Snapshot> {
  try {
    const bytes = await readFile(path);
    const info = await stat(path);
    return { bytes, mode: info.mode, uid: info.uid, gid: info.gid };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { bytes: undefined, mode: undefined, uid: undefined, gid: undefined };
    throw err;
  }
}

/** The one guard on every write: only `*.xmp` files are ever written. */
export function assertSidecarPath(path: string): void {
  if (!basename(path).toLowerCase().endsWith('.xmp') || basename(path).toLowerCase() === '.xmp') {
    throw new Error(`refusing to write ${path}: only .xmp sidecars are written`);
  }
}

export interface CommitHooks {
  /** Test seam: runs after the temporary file is complete, before the re-check. */
  readonly beforeCommit?: (path: string) => Promise<void>;
}

/**
 * Replaces `path` with `text` atomically (spec §3.2 steps 6-7), but only if it still holds what
 * `snapshot` saw: a temporary file in the same folder (leading dot, not ending in .xmp, so
 * scanners ignore it), fsynced, given the old file's mode and owner, re-checked, renamed over the
 * target, then the folder is fsynced. Returns 'conflict' (and writes nothing) when another
 * program changed the sidecar meanwhile; the caller re-reads and re-merges.
 *
 * The rename also changes the folder's mtime, which is what makes PiGallery2 re-index (spec §4.3).
 */
export async function commitIfUnchanged(
  path: string,
  text: string,
  snapshot: Snapshot,
  hooks: CommitHooks = {},
): Promise<'written' | 'conflict'> {
  assertSidecarPath(path);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.ft-tmp-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(tmp, 'wx', 0o666);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (snapshot.mode !== undefined) await chmod(tmp, snapshot.mode & 0o7777);
    if (snapshot.uid !== undefined && snapshot.gid !== undefined) {
      // Only root (or the owner, for the group) may do this; a sidecar owned by us stays ours.
      await chown(tmp, snapshot.uid, snapshot.gid).catch(() => undefined);
    }
    await hooks.beforeCommit?.(path);
    const now = await readSnapshot(path);
    if (!sameBytes(now.bytes, snapshot.bytes)) {
      await rm(tmp, { force: true });
      return 'conflict';
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
  return 'written';
}

/**
 * Deletes `path` if it still holds what `snapshot` saw (a sidecar facetag made and nothing else
 * uses any more); 'conflict' when another program changed it meanwhile.
 */
export async function removeIfUnchanged(path: string, snapshot: Snapshot): Promise<'removed' | 'conflict'> {
  assertSidecarPath(path);
  const now = await readSnapshot(path);
  if (!sameBytes(now.bytes, snapshot.bytes)) return 'conflict';
  await unlink(path);
  await syncDir(dirname(path));
  return 'removed';
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}

/** Makes the rename durable; some filesystems cannot fsync a folder, which is not an error here. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
