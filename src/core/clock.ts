/**
 * Time as the daemon's services see it: the wall clock and their timers, injected so that a test
 * drives them with a fake clock (test/helpers/fake-timers.ts) instead of sleeping and hoping the
 * machine kept up. Timers never keep the process alive: the daemon's work does.
 */
export interface Timers {
  now(): number;
  /** Calls `fn` every `ms`; returns the function that stops it. */
  every(ms: number, fn: () => void): () => void;
  /** Calls `fn` once after `ms`; returns the function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** The process's own clock and timers. */
export const systemTimers: Timers = {
  now: () => Date.now(),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
