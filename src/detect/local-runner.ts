import type { CascadeModel } from '../vision/cascade/model.js';
import { type AngleHit, detectAtAngle, emptyStageTimes, ScanScratch } from '../vision/detect-angle.js';
import type { AngleRunner } from './sweep.js';

/** Runs every angle on the calling thread: for tests, parity runs and one-core machines. */
export function localRunner(model: CascadeModel): AngleRunner {
  const scratch = new ScanScratch();
  return {
    async run(grey, angles, settings) {
      const times = emptyStageTimes();
      const hits: AngleHit[] = [];
      for (const angle of angles) hits.push(...detectAtAngle(model, grey, angle, settings, scratch, times));
      return { hits, times };
    },
    async close() {},
  };
}
