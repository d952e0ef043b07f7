import type { CascadeModel } from '../vision/cascade/model.js';
import { detectAngles, ScanScratch } from '../vision/detect-angle.js';
import type { AngleRunner } from './sweep.js';

/** Runs every angle on the calling thread: for tests, parity runs and one-core machines. */
export function localRunner(model: CascadeModel, angles: readonly number[]): AngleRunner {
  const scratch = new ScanScratch();
  return {
    async run(grey, settings) {
      return detectAngles(model, grey, angles, settings, scratch);
    },
    async close() {},
  };
}
