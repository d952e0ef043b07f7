import type { RootMode } from '../../core/service-status.js';

/** What the watcher tells the daemon, and what it logs. */

/**
 * - `upsert`: a new or changed photo whose size and mtime have been stable for `settleMs`.
 * - `remove`: a path that disappeared: a photo, or a folder with everything under it (once a
 *   path is gone a file cannot be told from a folder). A rename or move arrives as `remove` of
 *   the old path plus `upsert`s for the new ones; the store matches them by content hash.
 * - `folder-changed`: a folder's permissions or owner changed (inotify IN_ATTRIB): photos that
 *   failed as unreadable under it may be readable now. Its photos are also announced by `upsert`.
 * - `rescan`: events may have been missed under `root`; reconcile that root against the store.
 */
export type WatchEvent =
  | {
      readonly kind: 'upsert';
      readonly path: string;
      readonly root: string;
      readonly size: number;
      readonly mtimeMs: number;
      /** Moves on a chmod or chown too: a failed photo changed this way is worth another try. */
      readonly ctimeMs: number;
    }
  | { readonly kind: 'remove'; readonly path: string; readonly root: string }
  | { readonly kind: 'folder-changed'; readonly path: string; readonly root: string }
  | { readonly kind: 'rescan'; readonly root: string; readonly reason: RescanReason; readonly detail: string };

/**
 * - `watch-failed`: watching the root could not start or broke; it is now polled.
 * - `poll`: the periodic rescan of a polled root (network share, or watching failed).
 * - `resubscribed`: watching (re)started after a gap: recovery, or a refresh to watch folders
 *   that were moved in with sub-folders.
 * - `overflow`: more files were waiting to settle than `maxPending`; the excess was dropped.
 */
export type RescanReason = 'watch-failed' | 'poll' | 'resubscribed' | 'overflow';

export type WatchLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One structured log line; `event` is a stable name (`watch.fallback`, `watch.recovered`...). */
export interface WatchLog {
  readonly level: WatchLogLevel;
  readonly msg: string;
  readonly event: string;
  readonly [field: string]: unknown;
}

export interface RootStatus {
  readonly root: string;
  readonly mode: RootMode;
  /** Why it is polled, when it is. */
  readonly reason?: string;
}

export interface WatcherStatus {
  readonly roots: readonly RootStatus[];
  /** Files seen changing and not yet announced. */
  readonly pending: number;
}

export type { RootMode };
