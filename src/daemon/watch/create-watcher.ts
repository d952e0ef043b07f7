/**
 * The photo-folder watcher of the daemon (issue 4, section 3).
 *
 * Backend choice: @parcel/watcher 2.x, measured by bench/watcher.ts on a generated library of
 * 100,000 files in 1,011 folders. It holds one inotify watch per folder and keeps its tree in
 * C++; chokidar 4 with default options watches every file and directory and holds its tree on
 * the JS heap. The budget is 150 MB RSS and one watch per folder.
 *
 * `node --expose-gc build-watch/bench/watcher.js`, 100,000 files in 1,011 folders, each row its
 * own process, Node 20.20.2 on this project's 2-core machine (two runs, 2026-11; ranges):
 *
 * | watcher                    | ready       | RSS after GC | peak RSS  | JS heap | inotify watches |
 * |----------------------------|-------------|--------------|-----------|---------|-----------------|
 * | bare node (the floor)      | -           | 44-45 MB     | 44-45 MB  | 3.4 MB  | 0               |
 * | facetag (createWatcher)    | 0.54 s      | 99-101 MB    | 99-102 MB | 5.6 MB  | 1,011           |
 * | @parcel/watcher alone      | 0.29-0.32 s | 78-79 MB     | 78-79 MB  | 3.7 MB  | 1,011           |
 * | chokidar 4, defaults       | 7.8-8.5 s   | 672-709 MB   | 716-741 MB| 278 MB  | 101,011         |
 *
 * chokidar is 7× the memory, 100× the watches (one per file: ~190k photos would exhaust this
 * machine's fs.inotify.max_user_watches of 192,536) and 15× slower to start. Of facetag's ~100 MB
 * in that run, ~27 MB was sharp, loaded through the extension list then kept in vision/decode.ts;
 * it now lives in files/image-types.ts (the daemon loads sharp anyway). The watcher's own JS state is the pending queue (bounded, 10k entries by
 * default) and nothing per file: the JS heap stays at 5.6 MB. The native ignore list keeps
 * Synology's @eaDir (a folder per photo) out of the crawl, so it adds no watches either.
 *
 * How it works:
 * - Events from the backend are filtered (files/ignore-rules.ts, include/exclude globs, `isOwnFile`).
 *   Creates and updates of photos go to the SettleQueue, which announces a file (`upsert`) once
 *   its size, mtime and inode have not changed for `settleMs`; deletes are announced at once.
 * - A folder whose attributes change (chmod, chown) is announced (`folder-changed`) and walked.
 * - A folder that appears is walked, since `mv` of a folder reports only the folder; if it
 *   brought sub-folders, the root is re-subscribed (RootWatch.refreshSoon) so they get watches,
 *   followed by a `rescan` for whatever happened during the switch.
 * - A root that cannot be watched (ENOSPC, EMFILE, EACCES, missing, a network share on which
 *   inotify is blind to other machines' writes) is rescanned every `pollIntervalMs` instead,
 *   with one log line; watching is retried in the background.
 * - Events go to one synchronous callback rather than an async iterator: the consumer puts them
 *   in its SQLite queue, and a callback needs no buffer that could grow while nobody reads it.
 *
 * Limits, from @parcel/watcher 2.6's inotify backend (src/linux/InotifyBackend.cc) and tried here:
 * - a kernel queue overflow (IN_Q_OVERFLOW) is dropped silently, and so is a failed watch on a
 *   folder created later (e.g. ENOSPC mid-run): neither can be turned into a `rescan`; the
 *   daemon's scheduled reconcile is the safety net;
 * - one unreadable sub-folder (EACCES) fails the whole root's subscribe, so that root is polled;
 * - unsubscribing after a watched folder vanished can throw and leave some watches until exit.
 */
import { lstat } from 'node:fs/promises';
import { parcelBackend } from './parcel-backend.js';
import { PathFilter } from './path-filter.js';
import { RootWatch } from './root-watch.js';
import { type FileStat, type SettleOutcome, SettleQueue } from './settle-queue.js';
import { walkNewFolder } from './walk-new-folder.js';
import type { BackendEvent } from './watch-backend.js';
import type { RescanReason, WatchEvent, WatcherStatus, WatchLog } from './watch-event.js';
import { type ResolvedWatcherOptions, resolveWatcherOptions, type WatcherOptions } from './watcher-options.js';

// The daemon needs only this module: the types it consumes, re-exported.
export type { WatchBackend } from './watch-backend.js';
export type { RescanReason, RootStatus, WatchEvent, WatcherStatus, WatchLog } from './watch-event.js';
export type { WatcherOptions } from './watcher-options.js';

export interface PhotoWatcher {
  /** Per-root mode and the number of files waiting to settle, for `facetag status`. */
  status(): WatcherStatus;
  /** Stops watching and polling and clears every timer; idempotent, returns the same promise. */
  close(): Promise<void>;
}

async function lstatFile(path: string): Promise<FileStat> {
  const s = await lstat(path);
  return {
    size: s.size,
    mtimeMs: s.mtimeMs,
    ctimeMs: s.ctimeMs,
    ino: s.ino,
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
  };
}

class Watcher implements PhotoWatcher {
  readonly #o: ResolvedWatcherOptions;
  readonly #filter: PathFilter;
  readonly #queue: SettleQueue;
  readonly #roots: RootWatch[];
  readonly #checkIntervalMs: number;
  readonly #abort = new AbortController();
  readonly #walks = new Set<Promise<void>>();
  readonly #walksPerRoot = new Map<string, number>();
  /** Roots where the queue refused files; each gets one rescan once its queue has drained. */
  readonly #overflowed = new Set<string>();
  #checkTimer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedWatcherOptions) {
    this.#o = options;
    this.#filter = new PathFilter(options.include, options.exclude, options.isOwnFile);
    this.#queue = new SettleQueue({
      settleMs: options.settleMs,
      maxWaitMs: options.maxWaitMs,
      maxPending: options.maxPending,
      now: () => performance.now(),
      stat: lstatFile,
    });
    // Stat pending files a few times per settle period: precise enough, and cheap.
    this.#checkIntervalMs = Math.min(1000, Math.max(50, Math.round(options.settleMs / 4)));
    const backend = options.backend ?? parcelBackend();
    this.#roots = options.roots.map(
      (root) =>
        new RootWatch({
          root,
          backend,
          pollIntervalMs: options.pollIntervalMs,
          refreshDelayMs: Math.min(10_000, Math.max(1000, options.settleMs)),
          log: (entry) => this.#logEntry(entry),
          onEvents: (r, events) => this.#onEvents(r, events),
          onRescan: (r, reason, detail) => this.#rescan(r, reason, detail),
        }),
    );
  }

  async start(): Promise<void> {
    for (const { root, within } of this.#o.nestedRoots) {
      this.#log('warn', 'watch.nested-root', `${root} is inside ${within}, which is already watched`, { root, within });
    }
    await Promise.all(this.#roots.map((r) => r.start()));
    const modes = this.#roots.map((r) => r.status);
    this.#log(
      'info',
      'watch.started',
      `watching ${modes.filter((m) => m.mode === 'watching').length} of ${modes.length} folders`,
      {
        roots: modes,
      },
    );
  }

  status(): WatcherStatus {
    return { roots: this.#roots.map((r) => r.status), pending: this.#queue.size };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#abort.abort();
    if (this.#checkTimer) clearTimeout(this.#checkTimer);
    this.#checkTimer = undefined;
    await Promise.all(this.#roots.map((r) => r.close()));
    await Promise.all([...this.#walks, this.#checking]);
    this.#queue.clear();
    this.#overflowed.clear();
  }

  get #closed(): boolean {
    return this.#abort.signal.aborted;
  }

  #onEvents(root: string, events: readonly BackendEvent[]): void {
    if (this.#closed) return;
    for (const e of events) {
      const rel = e.path.slice(root.length + 1);
      if (rel.length === 0 || rel.startsWith('../')) continue;
      if (e.type === 'delete') {
        if (!this.#filter.wantsRemoval(e.path, rel)) continue;
        this.#queue.forget(e.path);
        this.#emit({ kind: 'remove', path: e.path, root });
      } else if (this.#filter.wantsFile(e.path, rel)) {
        this.#touch(e.path, root);
      } else if (this.#filter.wantsFolder(rel)) {
        this.#track(root, this.#inspectFolder(e.path, root, e.type === 'update'));
      }
    }
  }

  /**
   * A folder created (walk it: `mv` reports only the folder) or whose attributes changed (a chmod
   * may have made it readable: say so, and walk it for photos never seen). Anything else: ignored.
   */
  async #inspectFolder(path: string, root: string, changed: boolean): Promise<void> {
    const isFolder = await lstat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isFolder) return;
    if (changed) this.#emit({ kind: 'folder-changed', path, root });
    await this.#walk(path, root);
    // A folder that was unreadable when it appeared got no native watch (inotify needs read access).
    if (changed) this.#roots.find((r) => r.root === root)?.refreshSoon(`permissions of ${path} changed`);
  }

  async #walk(dir: string, root: string): Promise<void> {
    if (this.#closed) return;
    const result = await walkNewFolder(dir, {
      root,
      filter: this.#filter,
      onFile: (path) => this.#touch(path, root),
      signal: this.#abort.signal,
    });
    if (this.#closed) return;
    if (result.errors > 0) {
      this.#log('warn', 'watch.walk-failed', `could not list ${result.errors} folder(s) under ${dir}`, {
        root,
        error: result.firstError,
      });
    }
    if (result.folders > 0) {
      this.#roots.find((r) => r.root === root)?.refreshSoon(`new folder ${dir} came with sub-folders`);
    }
  }

  /** Keep walks countable per root (an overflow rescan waits for them) and awaitable by close(). */
  #track(root: string, work: Promise<void>): void {
    this.#walksPerRoot.set(root, (this.#walksPerRoot.get(root) ?? 0) + 1);
    const done: Promise<void> = work
      .catch((err: unknown) =>
        this.#log('error', 'watch.internal-error', 'watcher bug in a folder walk', { error: String(err) }),
      )
      .finally(() => {
        this.#walks.delete(done);
        this.#walksPerRoot.set(root, (this.#walksPerRoot.get(root) ?? 1) - 1);
        this.#scheduleCheck();
      });
    this.#walks.add(done);
  }

  #touch(path: string, root: string): boolean {
    if (this.#closed) return false;
    const accepted = this.#queue.touch(path, root);
    if (!accepted && !this.#overflowed.has(root)) {
      this.#overflowed.add(root);
      this.#log(
        'warn',
        'watch.overflow',
        `more than ${this.#o.maxPending} files are waiting to settle; ${root} will be rescanned once they have`,
        { root, maxPending: this.#o.maxPending },
      );
    }
    this.#scheduleCheck();
    return accepted;
  }

  #scheduleCheck(): void {
    if (this.#closed || this.#checkTimer !== undefined || this.#checking !== undefined) return;
    if (this.#queue.size === 0 && this.#overflowed.size === 0) return;
    this.#checkTimer = setTimeout(() => {
      this.#checkTimer = undefined;
      this.#checking = this.#queue
        .check()
        .then((outcome) => this.#afterCheck(outcome))
        .catch((err: unknown) =>
          this.#log('error', 'watch.internal-error', 'watcher bug in a settle check', { error: String(err) }),
        )
        .finally(() => {
          this.#checking = undefined;
          this.#scheduleCheck();
        });
    }, this.#checkIntervalMs);
  }

  #afterCheck(outcome: SettleOutcome): void {
    if (this.#closed) return;
    for (const f of outcome.settled) {
      if (f.forced) {
        this.#log(
          'warn',
          'watch.max-wait',
          `${f.path} is still changing after ${this.#o.maxWaitMs} ms; announcing it anyway`,
          {
            root: f.root,
            path: f.path,
          },
        );
      }
      this.#emit({ kind: 'upsert', path: f.path, root: f.root, size: f.size, mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs });
    }
    for (const { path, root } of outcome.folders) this.#track(root, this.#walk(path, root));
    if (outcome.errors.length > 0) {
      const first = outcome.errors[0];
      this.#log(
        'warn',
        'watch.stat-failed',
        `could not stat ${outcome.errors.length} changed file(s); left to the next rescan`,
        {
          path: first?.path,
          error: String(first?.error),
        },
      );
    }
    for (const root of this.#overflowed) {
      if (this.#queue.pendingFor(root) === 0 && (this.#walksPerRoot.get(root) ?? 0) === 0) {
        this.#overflowed.delete(root);
        this.#rescan(root, 'overflow', `more than ${this.#o.maxPending} files changed at once`);
      }
    }
  }

  #rescan(root: string, reason: RescanReason, detail: string): void {
    this.#emit({ kind: 'rescan', root, reason, detail });
  }

  #emit(event: WatchEvent): void {
    if (this.#closed) return;
    try {
      this.#o.onEvent(event);
    } catch (err) {
      this.#log('error', 'watch.consumer-failed', `the ${event.kind} handler threw`, {
        root: event.root,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  #log(level: WatchLog['level'], event: string, msg: string, fields: Record<string, unknown>): void {
    this.#logEntry({ ...fields, level, event, msg });
  }

  #logEntry(entry: WatchLog): void {
    try {
      this.#o.log(entry);
    } catch {
      // A logger that throws must not take the watcher down with it.
    }
  }
}

/**
 * Start watching `options.roots`. Resolves once every root is watched or polled. Throws
 * TypeError/RangeError for invalid options; never for a root that cannot be watched.
 */
export async function createWatcher(options: WatcherOptions): Promise<PhotoWatcher> {
  const watcher = new Watcher(resolveWatcherOptions(options));
  await watcher.start();
  return watcher;
}
