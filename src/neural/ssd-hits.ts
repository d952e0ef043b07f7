/**
 * SSD boxes found on a rotated canvas, mapped back to the photo as rotated rects (the face is
 * turned clockwise by the sweep angle in the photo), and which hits add a face to others. Pure.
 */

import type { RotationFrame } from '../core/rotation.js';
import type { AngleHit } from '../vision/detect-angle.js';
import { boundingBox, iou } from '../vision/geometry.js';
import { canvasToSource } from '../vision/rotate.js';
import type { BoxLike } from './face-api.js';

export interface ScoredBox extends BoxLike {
  readonly score: number;
}

/**
 * `strength` carries the SSD score, so the cascade's de-duplication (strongest first, then the
 * smallest |angle|) applies unchanged. There is no verification scan: density is 0.
 */
export function hitsFromBoxes(boxes: readonly ScoredBox[], frame: RotationFrame): AngleHit[] {
  return boxes.map((b) => {
    const [cx, cy] = canvasToSource(frame, b.x + b.width / 2, b.y + b.height / 2);
    return {
      rect: { cx, cy, width: b.width, height: b.height, angle: frame.angle },
      strength: b.score,
      density: 0,
    };
  });
}

/** Hits of `extra` that overlap none of `found` (IoU of their upright bounding boxes under 0.2). */
export function unseen(extra: readonly AngleHit[], found: readonly AngleHit[]): AngleHit[] {
  const boxes = found.map((h) => boundingBox(h.rect));
  return extra.filter((h) => {
    const b = boundingBox(h.rect);
    return boxes.every((f) => iou(f, b) < 0.2);
  });
}
