import { realpath, stat } from 'node:fs/promises';
import { networkFsOf } from './network-fs.js';
import type { BackendEvent, BackendSubscription, WatchBackend } from './watch-backend.js';
import type { RescanReason, RootMode, RootStatus, WatchLog } from './watch-event.js';
import { describeWatchFailure, type WatchFailure } from './watch-failure.js';

/**
 * One photo root: watched through the backend when it can be, otherwise rescanned every
 * `pollIntervalMs`. State changes are logged once each (`watch.fallback` when polling starts,
 * `watch.recovered` when watching resumes); retries in between are debug lines. While polling,
 * re-subscribing is retried with a doubling delay (a failed subscribe re-crawls the whole tree),
 * up to an hour. Subscribe, unsubscribe and refresh run one at a time.
 *
 * While watching, the root's identity (device, inode) is checked every `pollIntervalMs`: a share
 * remounted over the folder produces no inotify event at all, and the old watches would go
 * silent for good.
 */

export interface RootWatchOptions {
  /** As configured (resolved); events carry this prefix even when it is a symlink. */
  readonly root: string;
  readonly backend: WatchBackend;
  readonly pollIntervalMs: number;
  /** Quiet time before a requested refresh re-subscribes. */
  readonly refreshDelayMs: number;
  readonly log: (entry: WatchLog) => void;
  readonly onEvents: (root: string, events: readonly BackendEvent[]) => void;
  readonly onRescan: (root: string, reason: RescanReason, detail: string) => void;
}

const MAX_RETRY_DELAY_MS = 3_600_000;
/** A refresh postponed by a stream of new folders still happens this soon after the first request. */
const MAX_REFRESH_DEFER_MS = 30_000;

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export class RootWatch {
  readonly #o: RootWatchOptions;
  #mode: RootMode = 'starting';
  #reason: string | undefined;
  #closed = false;
  #network: string | undefined;
  /** A polled network root no longer on its network filesystem: the share is unmounted. */
  #shareMissing = false;
  #sub: BackendSubscription | undefined;
  /** Bumped on every (un)subscribe; events and errors of an older subscription are dropped. */
  #generation = 0;
  #identity: { dev: number; ino: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  #refreshFirstAt = 0;
  #refreshDetail = '';
  /** Poll ticks between subscribe attempts (doubling), and ticks left until the next. */
  #retryEvery = 1;
  #retryIn = 1;
  #op: Promise<void> = Promise.resolve();

  constructor(options: RootWatchOptions) {
    this.#o = options;
  }

  get root(): string {
    return this.#o.root;
  }

  get status(): RootStatus {
    return this.#reason === undefined
      ? { root: this.#o.root, mode: this.#mode }
      : { root: this.#o.root, mode: this.#mode, reason: this.#reason };
  }

  /** Resolves once the root is watched or polled. */
  start(): Promise<void> {
    return this.#serial(async () => {
      this.#network = await networkFsOf(this.#o.root);
      if (this.#network !== undefined) {
        this.#enterPolling(
          {
            code: 'NETWORK_FS',
            message: `the folder is on a ${this.#network} network share`,
            hint: 'inotify does not see changes made by other machines',
          },
          'info',
        );
        return;
      }
      const err = await this.#subscribe();
      if (err === undefined) this.#enterWatching();
      else this.#enterPolling(describeWatchFailure(err), 'warn');
    });
  }

  /**
   * Re-subscribe soon, so folders the native watcher missed get watches: @parcel/watcher 2.6
   * watches a newly created folder but not the sub-folders it arrived with (`mv`, `mkdir -p`),
   * and after a folder with sub-folders moves inside the tree it reports their events under the
   * old paths. Requests within `refreshDelayMs` of each other are merged.
   */
  refreshSoon(detail: string): void {
    if (this.#closed || this.#mode !== 'watching') return;
    const now = performance.now();
    if (this.#refreshTimer === undefined) {
      this.#refreshFirstAt = now;
      this.#refreshDetail = detail;
    } else {
      if (now + this.#o.refreshDelayMs > this.#refreshFirstAt + MAX_REFRESH_DEFER_MS) return;
      clearTimeout(this.#refreshTimer);
    }
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      void this.#serial(() => this.#refresh(this.#refreshDetail));
    }, this.#o.refreshDelayMs);
  }

  /** Unsubscribes and clears every timer; idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#clearTimers();
    return this.#serial(async () => {
      await this.#unsubscribe();
      this.#mode = 'closed';
    }, true);
  }

  #serial(fn: () => Promise<void>, evenIfClosed = false): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed && !evenIfClosed) return;
      try {
        await fn();
      } catch (err) {
        this.#log('error', 'watch.internal-error', `watcher bug while handling ${this.#o.root}`, {
          error: String(err),
        });
      }
    };
    this.#op = this.#op.then(run);
    return this.#op;
  }

  /** undefined on success, else the error. */
  async #subscribe(): Promise<unknown> {
    try {
      const real = await realpath(this.#o.root);
      const st = await stat(real);
      if (!st.isDirectory()) return withCode(`${this.#o.root} is not a folder`, 'ENOTDIR');
      const generation = ++this.#generation;
      const prefix = real.endsWith('/') ? real : `${real}/`;
      this.#sub = await this.#o.backend.subscribe(
        real,
        (events) => this.#onEvents(generation, real, prefix, events),
        (error) => this.#onError(generation, error),
      );
      this.#identity = { dev: st.dev, ino: st.ino };
      return undefined;
    } catch (err) {
      return err;
    }
  }

  async #unsubscribe(): Promise<void> {
    this.#generation++;
    const sub = this.#sub;
    this.#sub = undefined;
    if (!sub) return;
    try {
      await sub.unsubscribe();
    } catch (err) {
      // @parcel/watcher 2.6 throws "Unable to remove watcher: Invalid argument" once a watched
      // folder has vanished; the watches that are left go when the process exits.
      this.#log('debug', 'watch.unsubscribe-failed', `could not fully unsubscribe ${this.#o.root}`, {
        error: String(err),
      });
    }
  }

  #onEvents(generation: number, real: string, prefix: string, events: readonly BackendEvent[]): void {
    if (generation !== this.#generation || this.#closed) return;
    const out: BackendEvent[] = [];
    let rootGone = false;
    for (const e of events) {
      if (e.path === real) {
        if (e.type === 'delete') rootGone = true;
      } else if (e.path.startsWith(prefix)) {
        out.push({ type: e.type, path: `${this.#o.root}/${e.path.slice(prefix.length)}` });
      }
    }
    if (out.length > 0) this.#o.onEvents(this.#o.root, out);
    if (rootGone) this.#onError(generation, withCode('the root folder was removed or moved away', 'ENOENT'));
  }

  #onError(generation: number, error: Error): void {
    if (generation !== this.#generation || this.#closed) return;
    void this.#serial(async () => {
      if (generation !== this.#generation) return;
      await this.#unsubscribe();
      this.#enterPolling(describeWatchFailure(error), 'warn');
    });
  }

  #enterWatching(): void {
    this.#mode = 'watching';
    this.#reason = undefined;
    this.#arm();
  }

  /** The one log line per switch to polling, and a rescan for whatever was missed. */
  #enterPolling(failure: WatchFailure, level: 'info' | 'warn'): void {
    if (this.#closed) return;
    const wasPolling = this.#mode === 'polling';
    this.#mode = 'polling';
    this.#reason = `${failure.code}: ${failure.message}`;
    this.#retryEvery = 1;
    this.#retryIn = 1;
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    if (!wasPolling) {
      const every = `${Math.round(this.#o.pollIntervalMs / 1000)} s`;
      this.#log(
        level,
        'watch.fallback',
        `not watching ${this.#o.root} (${failure.code}: ${failure.message}${failure.hint ? `; ${failure.hint}` : ''}); rescanning it every ${every} instead`,
        { code: failure.code, error: failure.message, hint: failure.hint, pollIntervalMs: this.#o.pollIntervalMs },
      );
      if (failure.code !== 'NETWORK_FS') this.#o.onRescan(this.#o.root, 'watch-failed', this.#reason);
    }
    this.#arm();
  }

  /** One periodic timer: the poll while polling, the identity check while watching. */
  #arm(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#serial(() => (this.#mode === 'polling' ? this.#pollTick() : this.#healthTick())).then(() => {
        if (this.#timer === undefined) this.#arm();
      });
    }, this.#o.pollIntervalMs);
  }

  async #pollTick(): Promise<void> {
    if (this.#network !== undefined) {
      if (await this.#shareMounted()) this.#o.onRescan(this.#o.root, 'poll', this.#reason ?? '');
      return;
    }
    const exists = await stat(this.#o.root).then(
      (s) => s.isDirectory(),
      () => false,
    );
    // A missing root (a disk or share not mounted yet) is looked for every tick and gets no
    // rescans: reconciling an empty mount point against the store would look like mass deletion.
    if (!exists) {
      this.#retryIn = 1;
      return;
    }
    if (--this.#retryIn <= 0 && (await this.#retry())) return;
    this.#o.onRescan(this.#o.root, 'poll', this.#reason ?? '');
  }

  /** One quiet attempt to watch again; true when it worked. */
  async #retry(): Promise<boolean> {
    const err = await this.#subscribe();
    if (err === undefined) {
      const before = this.#reason;
      this.#enterWatching();
      this.#log('info', 'watch.recovered', `watching ${this.#o.root} again`, { previously: before });
      this.#o.onRescan(this.#o.root, 'resubscribed', `watching again after: ${before ?? ''}`);
      return true;
    }
    const maxTicks = Math.max(1, Math.floor(MAX_RETRY_DELAY_MS / this.#o.pollIntervalMs));
    this.#retryEvery = Math.min(this.#retryEvery * 2, maxTicks);
    this.#retryIn = this.#retryEvery;
    const failure = describeWatchFailure(err);
    this.#log('debug', 'watch.retry-failed', `still cannot watch ${this.#o.root}: ${failure.message}`, {
      code: failure.code,
      retryInMs: this.#retryEvery * this.#o.pollIntervalMs,
    });
    return false;
  }

  /** False while the share is unmounted (logged once each way): an empty mount point is no library. */
  async #shareMounted(): Promise<boolean> {
    const mounted = (await networkFsOf(this.#o.root)) === this.#network;
    if (mounted === this.#shareMissing) {
      this.#shareMissing = !mounted;
      if (mounted) this.#log('info', 'watch.share-back', `${this.#o.root} is mounted again`);
      else {
        this.#log(
          'warn',
          'watch.share-missing',
          `${this.#o.root} is no longer on ${this.#network}; not rescanning it until it is`,
        );
      }
    }
    return mounted;
  }

  async #healthTick(): Promise<void> {
    let st: { dev: number; ino: number };
    try {
      st = await stat(this.#o.root);
    } catch (err) {
      await this.#unsubscribe();
      this.#enterPolling(describeWatchFailure(errnoOf(err) ? err : withCode(String(err), 'ENOENT')), 'warn');
      return;
    }
    if (this.#identity && (st.dev !== this.#identity.dev || st.ino !== this.#identity.ino)) {
      await this.#refresh('the root folder was replaced (remounted?)');
    }
  }

  async #refresh(detail: string): Promise<void> {
    if (this.#mode !== 'watching') return;
    await this.#unsubscribe();
    const err = await this.#subscribe();
    if (err !== undefined) {
      this.#enterPolling(describeWatchFailure(err), 'warn');
      return;
    }
    this.#log('info', 'watch.refreshed', `re-subscribed ${this.#o.root}: ${detail}`, {});
    this.#o.onRescan(this.#o.root, 'resubscribed', detail);
  }

  #clearTimers(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#timer = undefined;
    this.#refreshTimer = undefined;
  }

  #log(level: WatchLog['level'], event: string, msg: string, fields: Record<string, unknown> = {}): void {
    this.#o.log({ ...fields, level, event, msg, root: this.#o.root });
  }
}
