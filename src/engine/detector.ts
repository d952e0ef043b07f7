import { type DetectionConfig, detectionMaxSide, resolveScanSettings, type SizeOverrides } from '../detect/settings.js';
import { type AngleRunner, foldSweep, type SweptFace } from '../detect/sweep.js';
import { dropLoneTurned } from '../neural/lone-turned.js';
import { keepMostUpright, looksUpright } from '../neural/most-upright.js';
import type { NeuralEngine } from '../neural/neural-engine.js';
import { passes, preferOnAxis } from '../neural/on-axis.js';
import { loadOrientationModel, type OrientationModel } from '../recognize/face-orientation.js';
import { type DecodedImage, decodeImage } from '../vision/decode.js';
import type { Preference } from '../vision/dedup.js';
import { type AngleHit, emptyStageTimes, type StageTimes } from '../vision/detect-angle.js';
import { greyLevels, rgbToGrey } from '../vision/grey.js';

export interface DetectorOptions {
  readonly detection: DetectionConfig;
  readonly maxPixels: number;
  /** The cascade's angle runner (engine `cascade`). */
  readonly runner: AngleRunner;
  /**
   * Engine `neural`: when set, faces are found by the SSD on the neural workers at the
   * neural sweep's angles instead of the cascade (which then is not used at all).
   */
  readonly neural?: NeuralEngine;
  readonly sizes?: SizeOverrides;
  readonly prefer?: Preference<AngleHit>;
}

export interface DetectionTimes extends StageTimes {
  decode: number;
  grey: number;
  dedup: number;
}

export interface ImageDetection {
  readonly file: string;
  /** Oriented full-resolution size: the frame face rects are in. */
  readonly width: number;
  readonly height: number;
  readonly orientation: number;
  /** When the photo was taken (EXIF), or null. */
  readonly takenAt: number | null;
  /** Size of the grey image the cascade scanned. */
  readonly detectionWidth: number;
  readonly detectionHeight: number;
  readonly faces: readonly SweptFace[];
  /** Stage times; those run on worker threads are summed over the threads (CPU, not wall). */
  readonly times: DetectionTimes;
  /** Wall-clock milliseconds from decode to the de-duplicated faces. */
  readonly wallMs: number;
}

/**
 * A photo decoded at the size detection works at (`detection.maxSide`, full resolution if none):
 * what every pipeline stage cuts its faces from. Throws DecodeError on bad files.
 */
export function decodeForDetection(
  file: string,
  options: { readonly detection: DetectionConfig; readonly maxPixels: number },
): Promise<DecodedImage> {
  const maxSide = detectionMaxSide(options.detection);
  return decodeImage(file, { maxPixels: options.maxPixels, ...(maxSide ? { maxSide } : {}) });
}

/** decode → grey → rotation sweep → de-duplication, for one file. Throws DecodeError on bad files. */
export async function detectFile(file: string, options: DetectorOptions): Promise<ImageDetection> {
  const t = performance.now();
  const image = await decodeForDetection(file, options);
  const decode = performance.now() - t;
  return detectDecoded(image, options, decode);
}

export async function detectDecoded(
  image: DecodedImage,
  options: DetectorOptions,
  decode = 0,
): Promise<ImageDetection> {
  if (options.neural) return neuralDetectDecoded(image, options, options.neural, decode);
  const start = performance.now();
  let t = start;
  const levels = rgbToGrey(image.pixels, image.channels);
  const grey = {
    width: image.width,
    height: image.height,
    data: options.detection.parity ? levels : greyLevels(levels),
  };
  const greyMs = performance.now() - t;

  const settings = resolveScanSettings(options.detection, image.width, image.height, options.sizes);
  const { hits, times } = await options.runner.run(grey, settings);

  t = performance.now();
  const minHitDensity = settings.verify ? options.detection.minHitDensity : 0;
  const faces = foldSweep(hits, image.fullWidth / image.width, {
    minHitDensity,
    mergeSameAngle: !options.detection.parity,
    ...(options.prefer ? { prefer: options.prefer } : {}),
  });
  const dedup = performance.now() - t;
  return detectionOf(image, faces, { ...times, decode, grey: greyMs, dedup }, decode + (performance.now() - start));
}

/** The detection of one image, in its full-resolution frame; stages not run stay 0. */
function detectionOf(
  image: DecodedImage,
  faces: readonly SweptFace[],
  times: Partial<DetectionTimes> & Pick<DetectionTimes, 'decode' | 'dedup'>,
  wallMs: number,
): ImageDetection {
  return {
    file: image.file,
    width: image.fullWidth,
    height: image.fullHeight,
    orientation: image.orientation,
    takenAt: image.takenAt,
    detectionWidth: image.width,
    detectionHeight: image.height,
    faces,
    times: { ...emptyStageTimes(), grey: 0, ...times },
    wallMs,
  };
}

let orientation: OrientationModel | undefined;
/** The face orientation model, read once (models/face-orientation.json, 60 KB). */
const orientationModel = (): OrientationModel => {
  orientation ??= loadOrientationModel();
  return orientation;
};

/**
 * The neural engine's sweep: SSD at each angle on the workers, then the same de-duplication, each
 * face kept at the angle where it looks most upright, and doubtful faces turned against the
 * photo's surest one dropped.
 */
async function neuralDetectDecoded(
  image: DecodedImage,
  options: DetectorOptions,
  engine: NeuralEngine,
  decode: number,
): Promise<ImageDetection> {
  const start = performance.now();
  const { minConfidence, offAxisMinConfidence, offAxisPenalty } = engine.settings;
  const model = orientationModel();
  const all = await engine.pool.detect(image, engine.angles, Math.min(minConfidence, offAxisMinConfidence), (hit) =>
    looksUpright(model, image, hit),
  );
  const hits = all.filter((h) => passes(h.strength, h.rect.angle, minConfidence, offAxisMinConfidence));
  const scan = performance.now() - start;
  const t = performance.now();
  // No verification scan: the SSD's score is its own confidence (density stays 0).
  const faces = dropLoneTurned(
    foldSweep(hits, image.fullWidth / image.width, {
      minHitDensity: 0,
      mergeSameAngle: true,
      prefer: options.prefer ?? preferOnAxis(offAxisPenalty),
      reorient: (groups) => keepMostUpright(groups, image, model),
    }),
  );
  const dedup = performance.now() - t;
  return detectionOf(image, faces, { scan, decode, dedup }, decode + (performance.now() - start));
}
