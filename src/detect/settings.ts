import type { Config } from '../config/schema.js';
import type { ScanSettings } from '../vision/detect-angle.js';

/**
 * What detecting one photo reads of the config's `detection` section. The step and the thread
 * count are the angle runner's, given when it is made (engine/engines.ts), so no photo carries them.
 */
export type DetectionConfig = Omit<Config['detection'], 'rotationStep' | 'workers'>;

/** The section without what the runner takes: what the detector is given. */
export function photoDetection(config: Config['detection']): DetectionConfig {
  const { rotationStep, workers, ...perPhoto } = config;
  return perPhoto;
}

/** Absolute window sizes in detection pixels, e.g. to reproduce the seed's `min_size=(100, 100)`. */
export interface SizeOverrides {
  readonly minSize?: number;
  readonly maxSize?: number;
}

const CASCADE_WINDOW = 24;

/**
 * Cascade settings for one image of `width` x `height` detection pixels. Face sizes are
 * relative to the image, so a 12 MP photo and its 1600 px preview find the same faces.
 */
export function resolveScanSettings(
  config: DetectionConfig,
  width: number,
  height: number,
  overrides: SizeOverrides = {},
): ScanSettings {
  const longest = Math.max(width, height);
  const minSize = overrides.minSize ?? Math.max(CASCADE_WINDOW, Math.round(config.minFaceFraction * longest));
  const maxSize = overrides.maxSize ?? Math.max(minSize + 1, Math.round(config.maxFaceFraction * longest));
  return {
    scan: { scaleFactor: config.scaleFactor, stepRatio: config.stepRatio, minSize, maxSize },
    group: { minNeighbours: config.minNeighbours, intersectionScoreThreshold: config.intersectionScoreThreshold },
    float32: config.parity,
    verify: !config.parity && config.minHitDensity > 0,
  };
}

/** Longest side to decode at for detection; parity mode scans the full image as skimage does. */
export function detectionMaxSide(config: DetectionConfig): number | undefined {
  return config.parity ? undefined : config.maxSide;
}
