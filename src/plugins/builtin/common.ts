/**
 * What the built-in plugins share: the write policy (which named faces go out) and host-to-gallery
 * path mapping (a gallery in a container sees the library under another path).
 */
import { isAbsolute, relative, sep } from 'node:path';
import * as z from 'zod';
import type { PluginFace } from '../api.js';

/** Options every built-in takes: the same rule as the sidecar writer's (src/sidecar/write.ts selectFaces). */
export const policyOptions = {
  autoThreshold: z
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .default(0.5)
    .describe("An auto-named face goes out only when the recogniser's decision value is at least this."),
  writeAuto: z.boolean().default(true).describe('false: only faces a person confirmed.'),
};

/** Confirmed faces always; auto faces when their decision value reaches the threshold. */
export function facesToWrite(
  faces: readonly PluginFace[],
  policy: { readonly autoThreshold: number; readonly writeAuto: boolean },
): PluginFace[] {
  return faces.filter(
    (f) => f.source === 'confirmed' || (policy.writeAuto && f.value !== null && f.value >= policy.autoThreshold),
  );
}

export const pathMapOption = z
  .array(
    z.strictObject({
      from: z.string().min(1).describe('A folder as facetag sees it.'),
      to: z.string().describe('The same folder as the gallery sees it.'),
    }),
  )
  .default([])
  .describe('Path prefixes to rewrite, first match wins; a path that matches none is sent as it is.');

export type PathMap = z.infer<typeof pathMapOption>;

/** `path` with the first matching `from` prefix (whole path components only) replaced by `to`. */
export function mapPath(path: string, map: PathMap): string {
  for (const { from, to } of map) {
    const rel = pathUnder(from, path);
    if (rel === undefined) continue;
    if (rel === '') return to;
    return to === '' ? rel : `${to.replace(/\/+$/, '')}/${rel}`;
  }
  return path;
}

/** `path` relative to folder `root` with '/' separators ('' for the root itself), or undefined when outside. */
export function pathUnder(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** Case-insensitive name equality, as Immich matches persons. */
export function sameName(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}

/** Intersection over union of two boxes given as fractions (top-left x, y, w, h). */
export function overlap(
  a: { x: number; y: number; w: number; h: number },
  b: { x: number; y: number; w: number; h: number },
): number {
  const iw = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const ih = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = iw * ih;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** The same face in two galleries' boxes: an IoU this large. */
export const SAME_FACE_IOU = 0.5;

/**
 * The decision value from which the sidecar plugin writes an auto name (its autoThreshold): the
 * labelling page calls such names "sure". Undefined when no sidecar plugin writes auto names.
 */
export function sidecarSureFrom(
  entries: readonly { readonly name: string; readonly enabled: boolean; readonly options: Record<string, unknown> }[],
): number | undefined {
  const xmp = entries.find((e) => e.name === 'xmp' && e.enabled);
  const options = xmp ? z.object(policyOptions).safeParse(xmp.options) : undefined;
  return options?.success && options.data.writeAuto ? options.data.autoThreshold : undefined;
}
