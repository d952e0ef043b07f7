/**
 * Runs the built daemon (`facetag run`, dist/src/cli.js) as a child process, the way systemd does:
 * its own environment, JSON log lines on stdout, signals to stop it. The end-to-end, crash and
 * move tests drive it through this; they read the store with a second connection (WAL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cliPath } from './detector.js';

/** One JSON log line of the daemon. */
export interface LogLine {
  readonly ts: string;
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface DaemonOptions {
  readonly photos: readonly string[];
  readonly dataDir: string;
  /** A config file (see writeConfig). */
  readonly config?: string;
  /** Added to a cleaned copy of this process's environment (NOTIFY_SOCKET, WATCHDOG_USEC, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** A command that runs the daemon (e.g. setpriv with capabilities dropped): its words, before node's. */
  readonly wrap?: readonly string[];
}

export interface Daemon {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Every JSON line so far, in order. */
  readonly lines: readonly LogLine[];
  /** stdout lines that were not JSON, and stderr: for failure messages. */
  readonly noise: readonly string[];
  /** Resolves when the process has exited (or now, if it has). */
  readonly exited: Promise<Exit>;
  /** The first line, logged so far or later, that matches; rejects on timeout or exit. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  /** Resolves once `count` lines match. */
  waitForCount(predicate: (line: LogLine) => boolean, count: number, timeoutMs?: number, what?: string): Promise<void>;
  /** Sends `signal` and waits for the exit; SIGKILLs if it has not exited after timeoutMs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit & { readonly ms: number }>;
  /** kill -9 and wait for the exit. */
  kill(): Promise<Exit>;
}

/** Variables of the test runner's own environment that would change what the daemon does. */
const INHERITED_NOISE = /^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID|JOURNAL_STREAM|STATE_DIRECTORY|FACETAG_.*)$/;

function cleanEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!INHERITED_NOISE.test(k)) env[k] = v;
  // debug: 'analysed' is then logged whatever level the daemon picks for it.
  return { ...env, FACETAG_LOG_LEVEL: 'debug', ...extra };
}

function parseLine(text: string): LogLine | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && 'msg' in v && typeof v.msg === 'string') return v as LogLine;
  } catch {
    // not JSON: kept as noise
  }
  return undefined;
}

/** Children still running: killed when this test process exits, so a failed test leaves none behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function startDaemon(options: DaemonOptions): Daemon {
  const args = [cliPath, 'run', '--data-dir', options.dataDir];
  for (const p of options.photos) args.push('--photos', p);
  if (options.config) args.push('--config', options.config);
  const [command = process.execPath, ...prefix] = options.wrap ?? [];
  const child = spawn(command, options.wrap ? [...prefix, process.execPath, ...args] : args, {
    env: cleanEnv(options.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('the daemon did not start');
  live.add(child);

  const lines: LogLine[] = [];
  const noise: string[] = [];
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of [...listeners]) l();
  };
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = parseLine(text);
    if (line) lines.push(line);
    else noise.push(text);
    changed();
  });
  createInterface({ input: child.stderr }).on('line', (text) => noise.push(`stderr: ${text}`));

  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      live.delete(child);
      resolve(exit);
      changed();
    });
  });

  const tail = () =>
    [...lines.slice(-15).map((l) => JSON.stringify(l)), ...noise.slice(-10)].map((s) => `  ${s}`).join('\n');

  /** Waits until `done()` holds; rejects on timeout or when the daemon exits first. */
  const waitUntil = (done: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) finish();
        else if (exit)
          finish(new Error(`daemon exited (${JSON.stringify(exit)}) before ${what}; last output:\n${tail()}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`no ${what} within ${timeoutMs} ms; last output:\n${tail()}`)),
        timeoutMs,
      );
      const finish = (err?: Error) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (err) reject(err);
        else resolve();
      };
      listeners.add(check);
      check();
    });

  const daemon: Daemon = {
    pid: child.pid,
    child,
    lines,
    noise,
    exited,
    async waitForLog(predicate, timeoutMs = 20_000, what = 'matching log line') {
      await waitUntil(() => lines.some(predicate), timeoutMs, what);
      const found = lines.find(predicate);
      if (!found) throw new Error('unreachable: the line was there a moment ago');
      return found;
    },
    waitForCount(predicate, count, timeoutMs = 20_000, what = `${count} matching log lines`) {
      return waitUntil(() => lines.filter(predicate).length >= count, timeoutMs, what);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      const t = performance.now();
      if (!exit) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const e = await exited;
      clearTimeout(timer);
      return { ...e, ms: performance.now() - t };
    },
    async kill() {
      if (!exit) child.kill('SIGKILL');
      return exited;
    },
  };
  return daemon;
}

/** Log lines with this message (and path, if given). */
export function logsOf(lines: readonly LogLine[], msg: string, path?: string): LogLine[] {
  return lines.filter((l) => l.msg === msg && (path === undefined || l.path === path));
}

/**
 * Writes `config` as `<dir>/config.json` and returns its path. The HTTP API listens on a free
 * port unless the test says otherwise: test files run in parallel.
 */
export async function writeConfig(dir: string, config: Record<string, unknown>): Promise<string> {
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ http: { port: 0 }, ...config }));
  return file;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined; rejects with `what` on timeout. */
export async function until<T>(check: () => T | undefined, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
