import { resolve } from 'node:path';
import { type CommitHooks, commitIfUnchanged, readSnapshot } from './atomic-write.js';
import { type EmbeddedMetadata, readEmbeddedMetadata } from './embedded/read.js';
import { type SidecarInput, SidecarInputError, validateSidecarInput } from './input.js';
import { resolveSidecars } from './paths.js';
import { planSidecarDetailed } from './plan.js';
import { selectFaces, type WritePolicy } from './policy.js';

export interface WriteSidecarsOptions extends CommitHooks {
  readonly policy: WritePolicy;
  /** How often to re-read and re-merge when another program keeps changing the sidecar. */
  readonly maxAttempts?: number;
}

export interface FaceSkip {
  readonly faceId: number;
  readonly reason: string;
}

export interface WriteSidecarsResult {
  /** Sidecars (re)written. */
  readonly written: string[];
  /** Sidecars that already said exactly this: left untouched, mtime included. */
  readonly unchanged: string[];
  /** Existing sidecars we do not write to, and why. */
  readonly skippedPaths: { readonly path: string; readonly reason: string }[];
  /** Faces whose regions are ours in the sidecars. */
  readonly facesWritten: number[];
  /** Faces left out (write policy, name, or another tool's region on the same face). */
  readonly facesSkipped: FaceSkip[];
}

export class SidecarWriteError extends Error {
  override name = 'SidecarWriteError';
  constructor(
    message: string,
    readonly result: WriteSidecarsResult,
    readonly failures: readonly { readonly path: string; readonly error: unknown }[],
  ) {
    super(message);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Writes a photo's faces to its sidecar(s): resolves the sidecar names, applies the write
 * policy, merges into each sidecar and replaces it atomically, re-merging when another program
 * changed it in between. The photo itself is only ever opened read-only (to copy its embedded
 * XMP), and only files ending in .xmp are written. Nothing is created for a photo without faces
 * to write. Throws SidecarWriteError (carrying the partial result) when a sidecar could not be
 * written; the other sidecars are still attempted.
 */
export async function writeSidecars(
  photoPath: string,
  rawInput: SidecarInput,
  options: WriteSidecarsOptions,
): Promise<WriteSidecarsResult> {
  const input = validateSidecarInput(rawInput);
  if (resolve(input.photoPath) !== resolve(photoPath)) {
    throw new SidecarInputError(`input.photoPath (${input.photoPath}) is not the photo being written (${photoPath})`);
  }
  const maxAttempts = options.maxAttempts ?? 5;
  const selection = selectFaces(input.faces, options.policy);
  const targets = await resolveSidecars(photoPath);
  const result: WriteSidecarsResult = {
    written: [],
    unchanged: [],
    skippedPaths: [...targets.skipped],
    facesWritten: [],
    facesSkipped: [...selection.skipped],
  };
  let embedded: EmbeddedMetadata | undefined;
  const failures: { path: string; error: unknown }[] = [];

  for (const target of targets.paths) {
    try {
      for (let attempt = 1; ; attempt++) {
        const snapshot = await readSnapshot(target);
        if (!snapshot.bytes && selection.faces.length === 0) break;
        embedded ??= await readEmbeddedMetadata(photoPath);
        const existing = snapshot.bytes ? decodeSidecar(target, snapshot.bytes) : undefined;
        const plan = planSidecarDetailed(
          existing,
          embedded.xmp,
          { ...input, faces: selection.faces },
          { iptcKeywords: embedded.iptcKeywords },
        );
        addFaces(result, plan.written, plan.skipped);
        if (snapshot.bytes && !plan.changed) {
          result.unchanged.push(target);
          break;
        }
        if ((await commitIfUnchanged(target, plan.xml, snapshot, options)) === 'written') {
          result.written.push(target);
          break;
        }
        if (attempt >= maxAttempts) throw new Error(`still changing after ${maxAttempts} attempts to merge into it`);
      }
    } catch (error) {
      failures.push({ path: target, error });
    }
  }
  if (failures.length > 0) {
    const detail = failures.map((f) => `${f.path}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    throw new SidecarWriteError(`could not write sidecar(s) for ${photoPath}: ${detail.join('; ')}`, result, failures);
  }
  return result;
}

function decodeSidecar(path: string, bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new Error(`${path}: not UTF-8 text; left as it is`);
  }
}

function addFaces(result: WriteSidecarsResult, written: readonly number[], skipped: readonly FaceSkip[]): void {
  for (const id of written) if (!result.facesWritten.includes(id)) result.facesWritten.push(id);
  for (const s of skipped) {
    if (!result.facesSkipped.some((x) => x.faceId === s.faceId && x.reason === s.reason)) result.facesSkipped.push(s);
  }
}
