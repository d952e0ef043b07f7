/**
 * Rendered photo thumbnails on disk, `<dir>/<content hash>-<variant>.jpg`: keyed by the bytes they
 * show, so copies share one and an edited photo gets a new one. Bounded by total size (least
 * recently used go first). Thumbs of contents the store no longer knows, and of other variants
 * (an older size or quality), are removed when the cache is first used in a process: lazily, since
 * a stale file costs only disk. Everything here is a cache: any file may vanish at any time.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../files/errno.js';
import { type Db, prepared } from './db.js';

export interface ThumbCache {
  get(hash: string): Promise<Buffer | undefined>;
  put(hash: string, bytes: Buffer): Promise<void>;
}

export interface ThumbCacheOptions {
  readonly dir: string;
  /** What the thumbs are rendered with (size, quality): part of each name. */
  readonly variant: string;
  /** Most bytes kept. */
  readonly maxBytes: number;
}

const HASH = /^[0-9a-f]{64}$/;

function contentKnown(db: Db, hash: string): boolean {
  return prepared(db, 'SELECT 1 FROM contents WHERE hash = ?').get(hash) !== undefined;
}

export function createThumbCache(db: Db, options: ThumbCacheOptions): ThumbCache {
  const { dir, variant, maxBytes } = options;
  const suffix = `-${variant}.jpg`;
  const nameOf = (hash: string) => `${hash}${suffix}`;
  /** Name -> size, least recently used first (Map keeps insertion order). */
  const entries = new Map<string, number>();
  let total = 0;

  const remove = async (name: string) => {
    total -= entries.get(name) ?? 0;
    entries.delete(name);
    await rm(join(dir, name), { force: true });
  };

  /** List what is there (oldest first), dropping other variants, temp files and gone contents. */
  const scan = async () => {
    await mkdir(dir, { recursive: true });
    const found: { name: string; size: number; mtime: number }[] = [];
    for (const name of await readdir(dir)) {
      const hash = name.slice(0, 64);
      if (!name.endsWith(suffix) || !HASH.test(hash) || name.length !== 64 + suffix.length || !contentKnown(db, hash)) {
        await rm(join(dir, name), { force: true, recursive: true });
        continue;
      }
      try {
        const st = await stat(join(dir, name));
        found.push({ name, size: st.size, mtime: st.mtimeMs });
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
      }
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const f of found) {
      entries.set(f.name, f.size);
      total += f.size;
    }
    await evict();
  };

  const evict = async () => {
    for (const name of entries.keys()) {
      if (total <= maxBytes) break;
      await remove(name);
    }
  };

  let ready: Promise<void> | undefined;
  const whenReady = () => {
    ready ??= scan();
    return ready;
  };

  return {
    async get(hash) {
      if (!HASH.test(hash)) return undefined;
      await whenReady();
      const name = nameOf(hash);
      const size = entries.get(name);
      if (size === undefined) return undefined;
      try {
        const bytes = await readFile(join(dir, name));
        entries.delete(name);
        entries.set(name, size);
        return bytes;
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
        total -= size;
        entries.delete(name);
        return undefined;
      }
    },
    async put(hash, bytes) {
      if (!HASH.test(hash)) throw new RangeError(`not a content hash: ${hash}`);
      await whenReady();
      const name = nameOf(hash);
      // Written aside and renamed: a reader never sees half a JPEG.
      const temp = join(dir, `.${name}.${randomUUID()}.tmp`);
      try {
        await writeFile(temp, bytes);
        await rename(temp, join(dir, name));
      } finally {
        await rm(temp, { force: true });
      }
      total -= entries.get(name) ?? 0;
      entries.delete(name);
      entries.set(name, bytes.length);
      total += bytes.length;
      await evict();
    },
  };
}
