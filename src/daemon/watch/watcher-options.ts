import { resolve, sep } from 'node:path';
import { GlobError, GlobSet } from './glob.js';
import type { WatchBackend } from './watch-backend.js';
import type { WatchEvent, WatchLog } from './watch-event.js';

export interface WatcherOptions {
  /** Photo folders, watched recursively. Relative paths resolve against the working directory. */
  readonly roots: readonly string[];
  /** Called synchronously for every event; an exception it throws is logged, not propagated. */
  readonly onEvent: (event: WatchEvent) => void;
  readonly log: (entry: WatchLog) => void;
  /** Globs (see glob.ts); when given, only photos matching one of them are announced. */
  readonly include?: readonly string[];
  /** Globs (see glob.ts); matching photos and folders are never announced. */
  readonly exclude?: readonly string[];
  /** How long size and mtime must stay unchanged before a file is announced. Default 2000 ms. */
  readonly settleMs?: number;
  /** Announce a file still changing after this long anyway. Default 10 min. */
  readonly maxWaitMs?: number;
  /** Files waiting to settle, at most; beyond it the root gets a rescan. Default 10,000. */
  readonly maxPending?: number;
  /** Rescan interval of a polled root, and how often a watched root's identity is checked. Default 5 min. */
  readonly pollIntervalMs?: number;
  /** The daemon's own files among the photos (beyond the built-in sidecar/chip names). */
  readonly isOwnFile?: (path: string) => boolean;
  /** Defaults to @parcel/watcher; tests inject fakes. */
  readonly backend?: WatchBackend;
}

export interface ResolvedWatcherOptions {
  readonly roots: readonly string[];
  readonly onEvent: (event: WatchEvent) => void;
  readonly log: (entry: WatchLog) => void;
  readonly include: GlobSet;
  readonly exclude: GlobSet;
  readonly settleMs: number;
  readonly maxWaitMs: number;
  readonly maxPending: number;
  readonly pollIntervalMs: number;
  readonly isOwnFile: ((path: string) => boolean) | undefined;
  readonly backend: WatchBackend | undefined;
  /** Roots dropped because another root contains them. */
  readonly nestedRoots: readonly { readonly root: string; readonly within: string }[];
}

const HOUR = 3_600_000;

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`watcher option ${name} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

function globs(name: string, value: unknown): GlobSet {
  if (value === undefined) return GlobSet.compile([]);
  if (!Array.isArray(value) || !value.every((p) => typeof p === 'string')) {
    throw new TypeError(`watcher option ${name} must be an array of glob strings`);
  }
  try {
    return GlobSet.compile(value);
  } catch (err) {
    if (err instanceof GlobError) throw new TypeError(`watcher option ${name}: ${err.message}`, { cause: err });
    throw err;
  }
}

function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** Validate and fill in defaults. Throws TypeError/RangeError naming the option. */
export function resolveWatcherOptions(options: WatcherOptions): ResolvedWatcherOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('watcher options must be an object');
  const { roots, onEvent, log, isOwnFile, backend } = options;
  if (!Array.isArray(roots) || roots.length === 0 || !roots.every((r) => typeof r === 'string' && r.length > 0)) {
    throw new TypeError('watcher option roots must be a non-empty array of folder paths');
  }
  if (typeof onEvent !== 'function') throw new TypeError('watcher option onEvent must be a function');
  if (typeof log !== 'function') throw new TypeError('watcher option log must be a function');
  if (isOwnFile !== undefined && typeof isOwnFile !== 'function') {
    throw new TypeError('watcher option isOwnFile must be a function');
  }
  if (backend !== undefined && (typeof backend !== 'object' || typeof backend.subscribe !== 'function')) {
    throw new TypeError('watcher option backend must have a subscribe function');
  }
  const settleMs = integer('settleMs', options.settleMs, 2000, 0, HOUR);
  const maxWaitMs = integer('maxWaitMs', options.maxWaitMs, Math.max(600_000, settleMs), settleMs, 24 * HOUR);
  const maxPending = integer('maxPending', options.maxPending, 10_000, 1, 1_000_000);
  const pollIntervalMs = integer('pollIntervalMs', options.pollIntervalMs, 300_000, 10, 24 * HOUR);

  // A root inside another would be watched twice and every event reported twice.
  const unique = [...new Set(roots.map((r) => resolve(r)))].sort();
  const kept: string[] = [];
  const nestedRoots: { root: string; within: string }[] = [];
  for (const root of unique) {
    const parent = kept.find((k) => isWithin(root, k));
    if (parent) nestedRoots.push({ root, within: parent });
    else kept.push(root);
  }

  return {
    roots: kept,
    onEvent,
    log,
    include: globs('include', options.include),
    exclude: globs('exclude', options.exclude),
    settleMs,
    maxWaitMs,
    maxPending,
    pollIntervalMs,
    isOwnFile,
    backend,
    nestedRoots,
  };
}
