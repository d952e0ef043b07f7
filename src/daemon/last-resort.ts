/**
 * The last resort (issue 15 §2): an exception or rejection nothing handled still ends the daemon
 * through its stop sequence (STOPPING=1, components stopped in order, the database closed), with
 * a log line and an exit code of its own, never a raw stack and exit 1.
 */
import type { Shutdown } from './shutdown.js';

/** EX_SOFTWARE (sysexits.h): an internal error. systemd's Restart=on-failure restarts it. */
export const EXIT_UNEXPECTED = 70;

type Unexpected = 'uncaughtException' | 'unhandledRejection';

/** The part of `process` used here, so tests can pass a fake. */
export interface ErrorEvents {
  on(event: Unexpected, listener: (err: unknown) => void): unknown;
}

export function installLastResort(
  shutdown: Pick<Shutdown, 'run'>,
  log: { error(msg: string, fields?: Record<string, unknown>): void },
  proc: ErrorEvents = process,
): void {
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    proc.on(event, (err) => {
      log.error('unexpected error: stopping', { event, err });
      void shutdown.run(`unexpected error (${event})`, EXIT_UNEXPECTED);
    });
  }
}
