/** The one rule for a rotation sweep's step, used by the config schema, the CLI and the sweep. */

/** A step the sweep can take: whole degrees, 1 to 360, dividing the circle (360 is upright only). */
export function isRotationStep(step: number): boolean {
  return Number.isInteger(step) && step >= 1 && step <= 360 && 360 % step === 0;
}
