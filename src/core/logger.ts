import { fstatSync } from 'node:fs';

/**
 * Structured logging: one JSON object per line on stdout, which journald stores as the MESSAGE.
 * The pure parts (formatLine, createRateLimiter) take the time as an argument; createLogger wires
 * them to a clock, a timer and a writer, all injectable for tests.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
// syslog priorities; journald strips a leading `<N>` from stdout lines and uses it as PRIORITY,
// so `journalctl -p warning` works (systemd.exec(5), SyslogLevelPrefix=).
const SYSLOG: Record<Level, number> = { debug: 7, info: 6, warn: 4, error: 3 };

export function parseLevel(text: string | undefined, fallback: Level = 'info'): Level {
  const lower = text?.trim().toLowerCase();
  return LEVELS.find((l) => l === lower) ?? fallback;
}

export interface SerializedError {
  message: string;
  name?: string;
  code?: string | number;
  /** The first stack frame ("at fn (file:line:col)"): where it was thrown, without the noise. */
  stack?: string;
  cause?: SerializedError | string;
}

export function serializeError(err: Error, depth = 0): SerializedError {
  const out: SerializedError = { message: err.message };
  if (err.name !== 'Error') out.name = err.name;
  const code: unknown = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  const frame = err.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim();
  if (frame) out.stack = frame;
  const cause: unknown = err.cause;
  if (cause instanceof Error && depth < 3) out.cause = serializeError(cause, depth + 1);
  else if (cause !== undefined && !(cause instanceof Error)) out.cause = String(cause);
  return out;
}

const RESERVED = new Set(['ts', 'level', 'msg']);

/** One log line (no newline). Fields may hold Errors (serialised), bigints and cycles. */
export function formatLine(now: number, level: Level, msg: string, fields: Fields = {}, syslogPrefix = false): string {
  const record: Fields = { ts: new Date(now).toISOString(), level, msg };
  // A field named like a core key is kept under `_name` rather than overwriting the core key.
  for (const [key, value] of Object.entries(fields)) record[RESERVED.has(key) ? `_${key}` : key] = value;
  // Also marks an object that merely appears twice; log fields rarely share objects.
  const seen = new WeakSet<object>();
  const json = JSON.stringify(record, (_key, value: unknown) => {
    if (value instanceof Error) return serializeError(value);
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
  return syslogPrefix ? `<${SYSLOG[level]}>${json}` : json;
}

export interface RateLimit {
  /** Length of a window in ms, counted from the first message of a key. */
  windowMs: number;
  /** Messages of one key logged per window; the rest are counted and summarised. */
  burst: number;
}

export interface Suppressed {
  key: string;
  level: Level;
  msg: string;
  fields: Fields;
  count: number;
}

interface Window {
  end: number;
  seen: number;
  level: Level;
  msg: string;
  fields: Fields;
}

export interface RateLimiter {
  /** True if this message is to be written; false if it is counted as suppressed. */
  admit(key: string, level: Level, msg: string, fields: Fields, now: number): boolean;
  /** Summaries of windows that have ended by `now` (and forgets those windows). */
  due(now: number): Suppressed[];
  /** Summaries of every window with suppressed messages, ended or not (for shutdown). */
  drain(): Suppressed[];
  /** When the earliest window with suppressed messages ends, if any. */
  nextDue(): number | undefined;
}

/** Fixed windows per key. Memory is bounded by the keys seen within one window (capped). */
export function createRateLimiter({ windowMs, burst }: RateLimit, maxKeys = 1000): RateLimiter {
  const windows = new Map<string, Window>();
  const summary = (key: string, w: Window): Suppressed => ({
    key,
    level: w.level,
    msg: w.msg,
    fields: w.fields,
    count: w.seen - burst,
  });
  const take = (pred: (w: Window) => boolean): Suppressed[] => {
    const out: Suppressed[] = [];
    for (const [key, w] of windows) {
      if (!pred(w)) continue;
      windows.delete(key);
      if (w.seen > burst) out.push(summary(key, w));
    }
    return out;
  };
  return {
    admit(key, level, msg, fields, now) {
      const w = windows.get(key);
      if (w === undefined || now >= w.end) {
        // An ended window must have been collected by due() first, or its summary is lost.
        if (w === undefined && windows.size >= maxKeys) return true;
        windows.set(key, { end: now + windowMs, seen: 1, level, msg, fields });
        return burst >= 1;
      }
      w.seen++;
      return w.seen <= burst;
    },
    due: (now) => take((w) => now >= w.end),
    drain: () => take(() => true),
    nextDue() {
      let next: number | undefined;
      for (const w of windows.values()) if (w.seen > burst && (next === undefined || w.end < next)) next = w.end;
      return next;
    },
  };
}

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` (e.g. `{ component: 'watcher' }`) to every line. */
  child(fields: Fields): Logger;
  enabled(level: Level): boolean;
  /** Writes the summaries of all windows still open; call before exiting. */
  flush(): void;
}

export interface LoggerOptions {
  /** Minimum level written; default info. */
  level?: Level;
  /** Receives each line without its newline; default process.stdout. */
  write?: (line: string) => void;
  now?: () => number;
  /** Limits warn and error lines per (level, msg, bound fields); `false` turns it off. */
  rateLimit?: RateLimit | false;
  /** Schedules the end-of-window summary; returns a cancel function. Default: an unref'd timeout. */
  setTimer?: (fn: () => void, ms: number) => () => void;
  /** Prefix `<N>` syslog priorities; default: when stdout is journald's stream ($JOURNAL_STREAM). */
  syslogPrefix?: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { windowMs: 60_000, burst: 10 };

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? stdoutWriter();
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? unrefTimer;
  const prefix = options.syslogPrefix ?? stdoutIsJournal();
  const limit = options.rateLimit === false ? undefined : (options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const limiter = limit && createRateLimiter(limit);
  let cancel: (() => void) | undefined;

  const emit = (level: Level, msg: string, fields: Fields) => write(formatLine(now(), level, msg, fields, prefix));
  const summarise = (list: Suppressed[]) => {
    for (const s of list) {
      emit(s.level, `suppressed ${s.count} similar messages`, {
        ...s.fields,
        of: s.msg,
        suppressed: s.count,
        windowMs: limit?.windowMs,
      });
    }
  };
  const schedule = () => {
    const next = limiter?.nextDue();
    if (cancel || next === undefined) return;
    cancel = setTimer(
      () => {
        cancel = undefined;
        summarise(limiter?.due(now()) ?? []);
        schedule();
      },
      Math.max(0, next - now()),
    );
  };

  const make = (bound: Fields): Logger => {
    const boundKey = formatLine(0, 'info', '', bound); // safe for bigints and cycles, unlike JSON.stringify
    const log = (level: Level, msg: string, fields?: Fields) => {
      if (RANK[level] < min) return;
      const all = fields ? { ...bound, ...fields } : bound;
      if (limiter && RANK[level] >= RANK.warn) {
        const t = now();
        summarise(limiter.due(t)); // an ended window's summary goes before the next line of its key
        if (!limiter.admit(`${level}\0${msg}\0${boundKey}`, level, msg, bound, t)) return schedule();
      }
      emit(level, msg, all);
    };
    return {
      debug: (msg, fields) => log('debug', msg, fields),
      info: (msg, fields) => log('info', msg, fields),
      warn: (msg, fields) => log('warn', msg, fields),
      error: (msg, fields) => log('error', msg, fields),
      child: (fields) => make({ ...bound, ...fields }),
      enabled: (level) => RANK[level] >= min,
      flush() {
        cancel?.();
        cancel = undefined;
        if (limiter) summarise(limiter.drain());
      },
    };
  };
  return make({});
}

function unrefTimer(fn: () => void, ms: number): () => void {
  // unref: a pending summary must not keep a finished process alive; shutdown calls flush().
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
}

let stdoutGuarded = false;

function stdoutWriter(): (line: string) => void {
  // Without a listener, EPIPE on a closed stdout (journald gone, `| head`) would crash the daemon.
  if (!stdoutGuarded) process.stdout.on('error', () => {});
  stdoutGuarded = true;
  return (line) => {
    process.stdout.write(`${line}\n`);
  };
}

/** systemd sets JOURNAL_STREAM=dev:inode of the stream it connected to stdout (systemd.exec(5)). */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env, fd = 1): boolean {
  const stream = env.JOURNAL_STREAM;
  if (!stream) return false;
  try {
    const st = fstatSync(fd);
    return stream === `${st.dev}:${st.ino}`;
  } catch {
    return false;
  }
}
