/**
 * A fake clock for services that take `Timers` (src/core/clock.ts): time moves only when the test
 * calls `advance`, which runs every timer that falls due on the way, in time order (an interval
 * again each period), at the time it was due.
 */
import type { Timers } from '../../src/core/clock.js';

export interface FakeTimers extends Timers {
  /** Move time forward by `ms`, running the timers due on the way. */
  advance(ms: number): void;
  /** Timers not yet stopped or run. */
  pending(): number;
}

export function fakeTimers(start = 1_700_000_000_000): FakeTimers {
  let t = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; every: number | null; fn: () => void }>();
  const add = (ms: number, every: number | null, fn: () => void) => {
    const id = nextId++;
    timers.set(id, { at: t + ms, every, fn });
    return () => {
      timers.delete(id);
    };
  };
  return {
    now: () => t,
    every: (ms, fn) => add(ms, ms, fn),
    after: (ms, fn) => add(ms, null, fn),
    advance(ms) {
      const end = t + ms;
      for (;;) {
        // The earliest due timer; ties in the order they were set.
        let due: [number, { at: number; every: number | null; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        const [id, timer] = due;
        t = timer.at;
        if (timer.every === null) timers.delete(id);
        else timer.at += Math.max(1, timer.every);
        timer.fn();
      }
      t = end;
    },
    pending: () => timers.size,
  };
}

/**
 * Let code driven by a fake clock run what it can without the clock moving: a few turns of the
 * event loop, so promise chains and immediate callbacks (not timers) settle.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
