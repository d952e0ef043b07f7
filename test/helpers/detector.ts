import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../src/config/schema.js';
import { sweepAngles } from '../../src/core/rotation.js';
import { localRunner } from '../../src/detect/local-runner.js';
import { type DetectionConfig, photoDetection } from '../../src/detect/settings.js';
import type { DetectorOptions } from '../../src/engine/detector.js';
import { loadCascade } from '../../src/vision/cascade/default-model.js';
import { sharedDir } from './paths.js';

export const detectionImages = join(sharedDir, 'data/detection/images');
/** The CLI of the build these tests were compiled into (dist/, or a private --outDir). */
export const cliPath = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/**
 * Upright only, on the calling thread: fast and deterministic for tests of file handling
 * (chips, the store). Fixed, generous cascade settings (no verification) so those tests keep
 * the same faces to work with when the detector's tuned defaults change.
 */
export function uprightDetector(overrides: Partial<DetectionConfig> = {}): DetectorOptions {
  const detection = {
    ...photoDetection(defaultConfig().detection),
    stepRatio: 1.5,
    minNeighbours: 4,
    minHitDensity: 0,
    ...overrides,
  };
  return { detection, maxPixels: 50_000_000, runner: localRunner(loadCascade(), sweepAngles(360)) };
}
