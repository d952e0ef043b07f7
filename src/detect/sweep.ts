import { type Deduplicated, dedupeAcrossAngles, type Preference, strongestDetection } from '../vision/dedup.js';
import type { AngleHit, ScanSettings, StageTimes } from '../vision/detect-angle.js';
import { type RotatedRect, scaleRect } from '../vision/geometry.js';
import type { GreyImage } from '../vision/rotate.js';

/**
 * Runs the cascade at the sweep's angles, local or on worker threads. The angles are given when
 * the runner is made (engine/engines.ts turns `detection.rotationStep` into them, once); each
 * photo's call passes only the image and the scan settings.
 */
export interface AngleRunner {
  run(grey: GreyImage, settings: ScanSettings): Promise<AngleRunResult>;
  close(): Promise<void>;
}

export interface AngleRunResult {
  readonly hits: readonly AngleHit[];
  readonly times: StageTimes;
}

export interface SweptFace {
  /** In the full-resolution oriented image. */
  readonly rect: RotatedRect;
  readonly strength: number;
  /** Sum of strengths of every angle's detection of this face. */
  readonly support: number;
  /** The angles at which the face was found. */
  readonly angles: readonly number[];
  /** The best verification hit density among those angles (0 when not verified). */
  readonly density: number;
  /** The detection kept for this face, in detection pixels: what its chip is cut from. */
  readonly hit: AngleHit;
}

export interface FoldOptions {
  readonly prefer?: Preference<AngleHit>;
  /** Drop faces whose best hit density is below this; 0 keeps every face. */
  readonly minHitDensity?: number;
  /** Fold nested detections of one face at the same angle too (off in parity mode). */
  readonly mergeSameAngle?: boolean;
  /** Choose again which detection each face keeps, knowing the photo's faces (the neural engine's upright prior). */
  readonly reorient?: (faces: Deduplicated<AngleHit>[]) => Deduplicated<AngleHit>[];
}

/**
 * De-duplicate the sweep's hits, drop faces the verification did not confirm at any angle,
 * and scale them from detection pixels to full-resolution pixels.
 */
export function foldSweep(hits: readonly AngleHit[], scale: number, options: FoldOptions = {}): SweptFace[] {
  const minHitDensity = options.minHitDensity ?? 0;
  const groups = dedupeAcrossAngles(hits, {
    prefer: options.prefer ?? strongestDetection,
    mergeSameAngle: options.mergeSameAngle ?? false,
  });
  return (options.reorient ? options.reorient(groups) : groups)
    .map(({ kept, members }: Deduplicated<AngleHit>) => ({
      rect: scaleRect(kept.rect, scale),
      hit: kept,
      strength: kept.strength,
      support: members.reduce((s, m) => s + m.strength, 0),
      angles: members.map((m) => m.rect.angle),
      density: Math.max(...members.map((m) => m.density)),
    }))
    .filter((face) => face.density >= minHitDensity);
}
