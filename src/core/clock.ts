/**
 * Time as the daemon's services see it: the wall clock and their timers, injected so that a test
 * drives them with a fake clock (test/helpers/fake-timers.ts) instead of sleeping and hoping the
 * machine kept up. Timers do not keep the process alive unless asked: a pause inside work that
 * is under way (`keepAlive`) does, a periodic check does not.
 */
export interface Timers {
  now(): number;
  /** Calls `fn` every `ms`; returns the function that stops it. */
  every(ms: number, fn: () => void): () => void;
  /** Calls `fn` once after `ms`; returns the function that cancels it. */
  after(ms: number, fn: () => void, options?: { readonly keepAlive?: boolean }): () => void;
}

/** The process's own clock and timers. */
export const systemTimers: Timers = {
  now: () => Date.now(),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
  after(ms, fn, options) {
    const timer = setTimeout(fn, ms);
    if (!options?.keepAlive) timer.unref();
    return () => clearTimeout(timer);
  },
};
