/**
 * Why watching a root failed, as a stable errno-style code plus a hint for the one log line the
 * fallback writes. @parcel/watcher rejects with plain Errors whose message ends in strerror()
 * text ("inotify_add_watch on '/p/x' failed: No space left on device"), without a `code`.
 */

export interface WatchFailure {
  readonly code: string;
  readonly message: string;
  /** What an operator can do about it; empty when nothing specific. */
  readonly hint: string;
}

const STRERROR_CODES: readonly [string, string][] = [
  ['No space left on device', 'ENOSPC'],
  ['Too many open files', 'EMFILE'],
  ['Permission denied', 'EACCES'],
  ['No such file or directory', 'ENOENT'],
  ['Not a directory', 'ENOTDIR'],
  // What @parcel/watcher 2.6 reports for a root that does not exist.
  ['Bad file descriptor', 'ENOENT'],
  ['Function not implemented', 'ENOSYS'],
  ['Operation not supported', 'EOPNOTSUPP'],
  ['Input/output error', 'EIO'],
];

const HINTS: Readonly<Record<string, string>> = {
  ENOSPC: 'the inotify watch limit is reached: raise fs.inotify.max_user_watches (sysctl)',
  EMFILE: 'the inotify instance limit is reached: raise fs.inotify.max_user_instances (sysctl)',
  EACCES: 'a folder under the root is not readable by this user, and the native watcher cannot skip it',
  ENOENT: 'the folder does not exist (yet): is the share mounted?',
  ENOTDIR: 'the path is not a folder',
  ENOSYS: 'this filesystem does not support inotify',
  EOPNOTSUPP: 'this filesystem does not support inotify',
};

export function describeWatchFailure(err: unknown): WatchFailure {
  const message = err instanceof Error ? err.message : String(err);
  let code =
    typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  code ??= STRERROR_CODES.find(([text]) => message.includes(text))?.[1] ?? 'EWATCH';
  return { code, message, hint: HINTS[code] ?? '' };
}
