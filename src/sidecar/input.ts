import * as z from 'zod';
import { personNameProblem } from './person-name.js';

/**
 * What the sidecar writer is told about one photo. Face rects are in the ORIENTED (displayed)
 * full-resolution frame, as the detector reports them; `imageWidth`/`imageHeight` are the STORED
 * raster's size (before EXIF orientation), which is what MWG regions are relative to.
 */
export interface SidecarFace {
  /** Centre, size and clockwise turn (degrees) of the face in the displayed frame, in pixels. */
  readonly rect: {
    readonly cx: number;
    readonly cy: number;
    readonly width: number;
    readonly height: number;
    readonly angle: number;
  };
  readonly name: string;
  readonly source: 'confirmed' | 'auto';
  readonly faceId: number;
  /** The classifier's decision value for an auto-named face; the write policy compares it. */
  readonly value?: number | undefined;
}

export interface SidecarInput {
  readonly photoPath: string;
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** EXIF Orientation of the photo, 1..8. */
  readonly orientation: number;
  readonly faces: readonly SidecarFace[];
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const faceSchema = z.strictObject({
  rect: z.strictObject({
    cx: finite,
    cy: finite,
    width: finite.refine((v) => v > 0, 'must be > 0'),
    height: finite.refine((v) => v > 0, 'must be > 0'),
    angle: finite,
  }),
  name: z.string().superRefine((name, ctx) => {
    const problem = personNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  source: z.enum(['confirmed', 'auto']),
  faceId: z.int().nonnegative(),
  value: finite.optional(),
});

// 1,000,000 px a side covers any real photo and keeps normalized values exact to 1e-6 px.
const dimension = z.int().positive().max(1_000_000);

const inputSchema = z.strictObject({
  photoPath: z.string().min(1),
  imageWidth: dimension,
  imageHeight: dimension,
  orientation: z.int().min(1).max(8),
  faces: z.array(faceSchema).superRefine((faces, ctx) => {
    const seen = new Set<number>();
    for (const [i, face] of faces.entries()) {
      if (seen.has(face.faceId)) ctx.addIssue({ code: 'custom', path: [i, 'faceId'], message: 'duplicate faceId' });
      seen.add(face.faceId);
    }
  }),
});

/** Thrown for input the writer refuses; the message names the field. */
export class SidecarInputError extends Error {
  override name = 'SidecarInputError';
}

/** Checks `raw` field by field and returns it typed; throws SidecarInputError naming the first bad field. */
export function validateSidecarInput(raw: unknown): SidecarInput {
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'input';
    throw new SidecarInputError(`invalid sidecar input: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
