/**
 * Files seen changing but not yet announced. A file is announced once its size, mtime and inode
 * have stayed the same for `settleMs` with no new event for it: phone imports over SMB and rsync
 * write for seconds, and a half-written JPEG decodes as truncated. A file still changing after
 * `maxWaitMs` is announced anyway (a log that grows forever must not be held back forever; if it
 * keeps changing it is announced again after each further wait).
 *
 * Memory is bounded: at most `maxPending` entries (a few hundred bytes each); `touch` refuses
 * more and the caller asks for a rescan instead. Time and stat are injected so the rules are unit
 * tested without waiting.
 */

export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  /** A chmod or chown moves only this: such a file is announced again (it may have failed unreadable). */
  readonly ctimeMs: number;
  readonly ino: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

/** lstat-like: must not follow symlinks (the backfill walk skips them too). Rejects with an errno error. */
export type StatFn = (path: string) => Promise<FileStat>;

export interface SettledFile {
  readonly path: string;
  readonly root: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** True when announced because `maxWaitMs` ran out while it was still changing. */
  readonly forced: boolean;
}

export interface SettleOutcome {
  readonly settled: SettledFile[];
  /** Pending paths that turned out to be folders (e.g. a folder named `Trip.jpg`): walk them. */
  readonly folders: { readonly path: string; readonly root: string }[];
  /** Paths that could not be statted for a reason other than being gone; they were dropped. */
  readonly errors: { readonly path: string; readonly error: unknown }[];
}

export interface SettleQueueOptions {
  readonly settleMs: number;
  readonly maxWaitMs: number;
  readonly maxPending: number;
  readonly now: () => number;
  readonly stat: StatFn;
  /** Stats in flight at once; 32 keeps a 10k-entry check quick without flooding the threadpool. */
  readonly concurrency?: number;
  /** Announced (path → size/mtime/inode/ctime) remembered to drop repeated events; 4096 by default. */
  readonly recentLimit?: number;
}

interface Pending {
  readonly root: string;
  readonly firstSeenMs: number;
  stableSinceMs: number;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Bumped by every touch, so a write racing a stat is not taken for stability. */
  generation: number;
  checkedGeneration: number;
}

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

export class SettleQueue {
  readonly #opts: Required<SettleQueueOptions>;
  readonly #pending = new Map<string, Pending>();
  readonly #recent = new Map<string, string>();

  constructor(options: SettleQueueOptions) {
    this.#opts = { concurrency: 32, recentLimit: 4096, ...options };
  }

  get size(): number {
    return this.#pending.size;
  }

  has(path: string): boolean {
    return this.#pending.has(path);
  }

  pendingFor(root: string): number {
    let n = 0;
    for (const p of this.#pending.values()) if (p.root === root) n++;
    return n;
  }

  /** Record an event for `path`. False when the queue is full and the path is not already in it. */
  touch(path: string, root: string): boolean {
    const now = this.#opts.now();
    const entry = this.#pending.get(path);
    if (entry) {
      entry.stableSinceMs = now;
      entry.generation++;
      return true;
    }
    if (this.#pending.size >= this.#opts.maxPending) return false;
    this.#pending.set(path, {
      root,
      firstSeenMs: now,
      stableSinceMs: now,
      size: -1,
      mtimeMs: -1,
      ino: -1,
      generation: 1,
      checkedGeneration: 0,
    });
    return true;
  }

  /** The path was removed: stop waiting for it, and announce it again if it comes back. */
  forget(path: string): void {
    this.#pending.delete(path);
    this.#recent.delete(path);
  }

  clear(): void {
    this.#pending.clear();
    this.#recent.clear();
  }

  /** Stat every pending path once and return what settled; call it every fraction of `settleMs`. */
  async check(): Promise<SettleOutcome> {
    const outcome: SettleOutcome = { settled: [], folders: [], errors: [] };
    const paths = [...this.#pending.keys()];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) {
        const path = paths[next++] as string;
        await this.#checkOne(path, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#opts.concurrency, paths.length) }, worker));
    return outcome;
  }

  async #checkOne(path: string, outcome: SettleOutcome): Promise<void> {
    const before = this.#pending.get(path);
    if (!before) return;
    const generation = before.generation;
    let st: FileStat;
    try {
      st = await this.#opts.stat(path);
    } catch (err) {
      if (this.#pending.get(path) !== before) return;
      this.#pending.delete(path);
      // Gone before it settled (a temp file renamed, a copy cancelled): its delete event speaks for it.
      if (errnoOf(err) !== 'ENOENT' && errnoOf(err) !== 'ENOTDIR') outcome.errors.push({ path, error: err });
      return;
    }
    const entry = this.#pending.get(path);
    if (entry !== before) return; // forgotten (or forgotten and re-touched) while we were waiting
    if (!st.isFile) {
      this.#pending.delete(path);
      if (st.isDirectory) outcome.folders.push({ path, root: entry.root });
      return;
    }
    const now = this.#opts.now();
    const same =
      st.size === entry.size &&
      st.mtimeMs === entry.mtimeMs &&
      st.ino === entry.ino &&
      generation === entry.generation &&
      entry.checkedGeneration === generation;
    if (!same) {
      entry.size = st.size;
      entry.mtimeMs = st.mtimeMs;
      entry.ino = st.ino;
      entry.stableSinceMs = Math.max(entry.stableSinceMs, now);
      entry.checkedGeneration = generation;
    }
    const settled = same && now - entry.stableSinceMs >= this.#opts.settleMs;
    const forced = !settled && now - entry.firstSeenMs >= this.#opts.maxWaitMs;
    if (!settled && !forced) return;
    this.#pending.delete(path);
    const key = `${st.size}:${st.mtimeMs}:${st.ino}:${st.ctimeMs}`;
    if (this.#recent.get(path) === key) return; // nothing changed since we last announced it
    this.#remember(path, key);
    outcome.settled.push({ path, root: entry.root, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, forced });
  }

  #remember(path: string, key: string): void {
    this.#recent.delete(path);
    this.#recent.set(path, key);
    if (this.#recent.size > this.#opts.recentLimit) {
      const oldest = this.#recent.keys().next();
      if (!oldest.done) this.#recent.delete(oldest.value);
    }
  }
}
