/**
 * Records durations into fixed buckets for `/metrics` (a LatencyHistogram). Fixed buckets keep
 * memory constant however long the daemon runs.
 */
import type { LatencyHistogram } from './metrics.js';

/** Seconds: from a cached chip (~ms) to a 40-megapixel HEIC on a slow NAS. */
export const DEFAULT_BOUNDS: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface LatencyRecorder {
  observe(seconds: number): void;
  snapshot(): LatencyHistogram;
}

export function createLatencyRecorder(bounds: readonly number[] = DEFAULT_BOUNDS): LatencyRecorder {
  if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))) {
    throw new RangeError('histogram bounds must be finite and ascending');
  }
  const counts = new Array<number>(bounds.length).fill(0);
  let count = 0;
  let sum = 0;
  return {
    observe(seconds) {
      if (!Number.isFinite(seconds) || seconds < 0) return;
      count++;
      sum += seconds;
      const i = bounds.findIndex((b) => seconds <= b);
      // counts has a slot per bound.
      if (i >= 0) counts[i]!++;
    },
    snapshot() {
      let running = 0;
      return { bounds: [...bounds], cumulativeCounts: counts.map((c) => (running += c)), count, sum };
    },
  };
}
