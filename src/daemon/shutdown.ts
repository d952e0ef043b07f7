import { constants } from 'node:os';

/**
 * Orderly stop (style-anchors §2.6): components register a cleanup step as they start; on SIGTERM
 * or SIGINT the steps run in reverse start order, one at a time, each even if an earlier one
 * failed, all within a deadline that must fit inside the unit's TimeoutStopSec.
 */

export type StopSignal = 'SIGTERM' | 'SIGINT';

/** The part of `process` used here, so tests can pass a fake. */
export interface ProcessLike {
  on(event: StopSignal, listener: () => void): unknown;
  off(event: StopSignal, listener: () => void): unknown;
  exit(code: number): void;
}

export interface ShutdownLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Called just before exit (the logger's pending rate-limit summaries). */
  flush?(): void;
}

export interface ShutdownOptions {
  log: ShutdownLog;
  /** Told STOPPING=1 before the first step runs. */
  notifier?: { stopping(): void; close?(): void };
  /** Default DEFAULT_STOP_DEADLINE_MS. */
  deadlineMs?: number;
  proc?: ProcessLike;
  signals?: readonly StopSignal[];
}

export type CleanupStep = () => unknown;

export interface Shutdown {
  /** Adds a step; call right after the component has started. */
  register(name: string, step: CleanupStep): void;
  /** Listens for the stop signals. */
  install(): void;
  /** Stops listening (tests, or a caller that exits on its own). */
  uninstall(): void;
  /** Runs the steps and exits with `exitCode` (1 if a step failed). Later calls return the same promise. */
  run(reason: string, exitCode?: number): Promise<number>;
  readonly stopping: boolean;
}

/** Keep below the unit's TimeoutStopSec (a test checks deploy/facetag.service). */
export const DEFAULT_STOP_DEADLINE_MS = 10_000;

/** A second signal or the deadline forces exit; this is the deadline's exit code. */
export const EXIT_DEADLINE = 1;

/** The shell's convention: 128 + signal number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

export function createShutdown({
  log,
  notifier,
  deadlineMs = DEFAULT_STOP_DEADLINE_MS,
  proc = process,
  signals = ['SIGTERM', 'SIGINT'],
}: ShutdownOptions): Shutdown {
  const steps: { name: string; step: CleanupStep }[] = [];
  let running: Promise<number> | undefined;
  let exited = false;
  let current: string | undefined;

  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    log.flush?.();
    proc.exit(code);
  };
  const listeners = new Map<StopSignal, () => void>();
  for (const signal of signals) {
    listeners.set(signal, () => {
      if (!running) {
        void run(signal, 0);
        return;
      }
      log.error('second signal: forcing exit', { signal, step: current });
      exit(signalExitCode(signal));
    });
  }

  const run = (reason: string, exitCode = 0): Promise<number> => {
    running ??= stop(reason, exitCode);
    return running;
  };

  const stop = async (reason: string, exitCode: number): Promise<number> => {
    const started = Date.now();
    log.info('stopping', { reason, steps: steps.length, deadlineMs });
    notifier?.stopping();
    // Not unref'd: it is what guarantees the exit when a step hangs on a promise with no handle.
    const deadline = setTimeout(() => {
      log.error('shutdown deadline expired: forcing exit', { deadlineMs, step: current });
      exit(EXIT_DEADLINE);
    }, deadlineMs);
    let code = exitCode;
    for (const { name, step } of [...steps].reverse()) {
      if (exited) break;
      current = name;
      try {
        await step();
      } catch (err) {
        code = code || 1;
        log.error('cleanup step failed', { step: name, err });
      }
    }
    current = undefined;
    clearTimeout(deadline);
    notifier?.close?.();
    if (!exited) log.info('stopped', { reason, exitCode: code, ms: Date.now() - started });
    exit(code);
    return code;
  };

  return {
    register(name, step) {
      steps.push({ name, step });
    },
    install() {
      for (const [signal, listener] of listeners) proc.on(signal, listener);
    },
    uninstall() {
      for (const [signal, listener] of listeners) proc.off(signal, listener);
    },
    run,
    get stopping() {
      return running !== undefined;
    },
  };
}
