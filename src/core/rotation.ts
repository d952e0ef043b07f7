/**
 * Rotation as every part of the sweep shares it: the one rule for a sweep's step (the config schema
 * checks it, the sweep relies on it), the sweep's angles, and the frame of a canvas turned by an
 * angle (the cascade's kernel, the angle balancing and the neural sweep all size canvases by it).
 */

/** A step the sweep can take: whole degrees, 1 to 360, dividing the circle (360 is upright only). */
export function isRotationStep(step: number): boolean {
  return Number.isInteger(step) && step >= 1 && step <= 360 && 360 % step === 0;
}

/** The sweep's angles: 0, step, 2*step, ... below 360. A step of 360 means upright only. */
export function sweepAngles(step: number): number[] {
  if (!isRotationStep(step)) {
    throw new RangeError(`rotation step must be a whole divisor of 360, got ${step}`);
  }
  return Array.from({ length: 360 / step }, (_, i) => i * step);
}

/** How a canvas relates to its source image: canvas = source turned counter-clockwise by `angle`. */
export interface RotationFrame {
  readonly angle: number;
  readonly cos: number;
  readonly sin: number;
  readonly srcWidth: number;
  readonly srcHeight: number;
  readonly width: number;
  readonly height: number;
}

const DEG = Math.PI / 180;

/** Exact cos/sin for multiples of 90°, so quarter turns stay index transforms. */
function cosSin(angle: number): [number, number] {
  const a = ((angle % 360) + 360) % 360;
  if (a === 0) return [1, 0];
  if (a === 90) return [0, 1];
  if (a === 180) return [-1, 0];
  if (a === 270) return [0, -1];
  return [Math.cos(a * DEG), Math.sin(a * DEG)];
}

export function rotationFrame(srcWidth: number, srcHeight: number, angle: number): RotationFrame {
  const [cos, sin] = cosSin(angle);
  const ac = Math.abs(cos);
  const as = Math.abs(sin);
  // The epsilon keeps 0°/90° canvases exactly the source size despite float noise.
  const width = Math.ceil(srcWidth * ac + srcHeight * as - 1e-9);
  const height = Math.ceil(srcWidth * as + srcHeight * ac - 1e-9);
  return { angle, cos, sin, srcWidth, srcHeight, width, height };
}
