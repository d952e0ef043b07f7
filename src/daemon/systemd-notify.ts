import { createRequire } from 'node:module';
import { systemTimers, type Timers } from '../core/clock.js';

/**
 * sd_notify(3) for Type=notify units. Node has no unix datagram sockets (node-stack.md §6.5), so
 * this uses node-unix-socket's DgramSocket, loaded lazily: without NOTIFY_SOCKET, or on a platform
 * without its prebuilt binary, every call is a no-op and the daemon runs as usual.
 */

type DgramSocketClass = typeof import('node-unix-socket').DgramSocket;

export interface NotifyLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface Notifier {
  /** NOTIFY_SOCKET is set and usable. */
  readonly enabled: boolean;
  /** WatchdogSec in ms when it applies to this process, else 0. */
  readonly watchdogMs: number;
  ready(status?: string): void;
  status(text: string): void;
  stopping(status?: string): void;
  watchdog(): void;
  /** Sends WATCHDOG=1 now and every watchdogMs / 2; returns the function that stops it. */
  startWatchdog(): () => void;
  /** Stops the watchdog; later calls are no-ops. */
  close(): void;
}

export interface NotifierOptions {
  pid?: number;
  /** The clock and the watchdog's timer (a fake one in tests). */
  timers?: Timers;
  /** At most one "send failed" line per this many ms; default 10 minutes. */
  failureLogMs?: number;
}

export function createNotifier(
  env: NodeJS.ProcessEnv = process.env,
  log?: NotifyLog,
  { pid = process.pid, timers = systemTimers, failureLogMs = 600_000 }: NotifierOptions = {},
): Notifier {
  const path = socketPath(env.NOTIFY_SOCKET, log);
  const Socket = path === undefined ? undefined : loadDgramSocket(log);
  const enabled = Socket !== undefined;
  const watchdogMs = enabled ? watchdogInterval(env, pid) : 0;
  let closed = false;
  let stopTimer: (() => void) | undefined;
  let failedSends = 0;
  let lastFailureLog = Number.NEGATIVE_INFINITY;

  const failed = (err: unknown) => {
    failedSends++;
    if (timers.now() - lastFailureLog < failureLogMs) return;
    lastFailureLog = timers.now();
    log?.warn('systemd notify failed', { socket: path, failedSends, err });
    failedSends = 0;
  };
  const send = (state: string) => {
    if (closed || Socket === undefined || path === undefined) return;
    // A socket per message: sends are rare, and an open DgramSocket keeps the event loop alive.
    let socket: InstanceType<DgramSocketClass> | undefined;
    try {
      const s = new Socket();
      socket = s;
      s.on('error', failed);
      const buf = Buffer.from(state);
      s.sendTo(buf, 0, buf.length, path, (err) => {
        s.close();
        if (err) failed(err);
      });
    } catch (err) {
      socket?.close();
      failed(err);
    }
  };
  // A newline would start a new KEY=VALUE assignment.
  const line = (text: string) => text.replace(/[\r\n]+/g, ' ');

  const stopWatchdog = () => {
    stopTimer?.();
    stopTimer = undefined;
  };
  return {
    enabled,
    watchdogMs,
    ready: (status) => send(status === undefined ? 'READY=1' : `READY=1\nSTATUS=${line(status)}`),
    status: (text) => send(`STATUS=${line(text)}`),
    stopping: (status) => send(status === undefined ? 'STOPPING=1' : `STOPPING=1\nSTATUS=${line(status)}`),
    watchdog: () => send('WATCHDOG=1'),
    startWatchdog() {
      stopWatchdog();
      if (watchdogMs <= 0 || closed) return () => {};
      send('WATCHDOG=1');
      const stop = timers.every(watchdogMs / 2, () => send('WATCHDOG=1'));
      stopTimer = stop;
      return () => {
        if (stopTimer === stop) stopWatchdog();
      };
    },
    close() {
      stopWatchdog();
      closed = true;
    },
  };
}

function socketPath(value: string | undefined, log?: NotifyLog): string | undefined {
  if (!value) return undefined;
  if (value.startsWith('/')) return value;
  if (value.startsWith('@')) {
    // node-unix-socket passes the whole 110-byte sockaddr_un, so "\0name" arrives NUL-padded and
    // never matches systemd's exact-length abstract address (ECONNREFUSED). Measured, see the test.
    log?.warn('systemd notify disabled: abstract NOTIFY_SOCKET is not supported', { socket: value });
    return undefined;
  }
  log?.warn('systemd notify disabled: NOTIFY_SOCKET is not an absolute path', { socket: value });
  return undefined;
}

function loadDgramSocket(log?: NotifyLog): DgramSocketClass | undefined {
  try {
    const mod: typeof import('node-unix-socket') = createRequire(import.meta.url)('node-unix-socket');
    return mod.DgramSocket;
  } catch (err) {
    log?.warn('systemd notify disabled: node-unix-socket did not load', { err });
    return undefined;
  }
}

/** sd_watchdog_enabled(3): WATCHDOG_USEC, and WATCHDOG_PID if set must be this process. */
export function watchdogInterval(env: NodeJS.ProcessEnv, pid: number): number {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return 0;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return 0;
  return usec / 1000;
}
