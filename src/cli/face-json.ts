import type { SweptFace } from '../detect/sweep.js';
import type { ImageDetection } from '../engine/detector.js';
import { boundingBox } from '../vision/geometry.js';

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A face as the CLI prints it: the rotated rect, and its axis-aligned box [x, y, w, h]. */
export function faceJson(face: SweptFace) {
  const b = boundingBox(face.rect);
  return {
    box: [b.x, b.y, b.width, b.height].map((v) => round(v, 1)),
    rect: {
      cx: round(face.rect.cx),
      cy: round(face.rect.cy),
      width: round(face.rect.width),
      height: round(face.rect.height),
      angle: face.rect.angle,
    },
    strength: face.strength,
    support: face.support,
    angles: face.angles,
    density: round(face.density, 4),
  };
}

export function detectionJson(d: ImageDetection) {
  return {
    file: d.file,
    width: d.width,
    height: d.height,
    orientation: d.orientation,
    faces: d.faces.map(faceJson),
    seconds: round(d.wallMs / 1000, 3),
  };
}
