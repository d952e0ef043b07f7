import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { errnoCode } from '../files/errno.js';
import { type CommitHooks, commitIfUnchanged, readSnapshot, removeIfUnchanged, type Snapshot } from './atomic-write.js';
import { type EmbeddedMetadata, readEmbeddedMetadata } from './embedded/read.js';
import { type SidecarInput, SidecarInputError, validateSidecarInput } from './input.js';
import { resolveSidecars, type SidecarSkip } from './paths.js';
import { planSidecarDetailed } from './plan.js';
import { type FaceSkip, selectFaces, type WritePolicy } from './policy.js';

export type { FaceSkip } from './policy.js';

export interface WriteSidecarsOptions extends CommitHooks {
  readonly policy: WritePolicy;
  /** How often to re-read and re-merge when another program keeps changing the sidecar. */
  readonly maxAttempts?: number;
}

export interface WriteSidecarsResult {
  /** Sidecars (re)written. */
  readonly written: string[];
  /** Sidecars left untouched, mtime included: they already said this, or we have nothing for them. */
  readonly unchanged: string[];
  /** Sidecars facetag's last name was taken out of; they keep what other tools wrote. */
  readonly cleared: string[];
  /** Sidecars facetag had created, deleted with its last name: nothing else was in them. */
  readonly deleted: string[];
  /** Existing sidecars we do not write to, and why. */
  readonly skippedPaths: SidecarSkip[];
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
 * XMP), and only files ending in .xmp are written. Each case has its policy, and the result says
 * which applied:
 * - nothing of ours to add or take out: the sidecar is not touched (mtime included) and none is
 *   created (`unchanged`);
 * - our last name taken out: what we added goes, the rest stays (`cleared`); a sidecar we created
 *   that holds nothing else any more is deleted (`deleted`);
 * - a read-only sidecar or folder, a symbolic link, a sidecar another photo shares: not written
 *   (`skippedPaths`, with the kind and reason);
 * - a face another tool's region covers: that region stands (`facesSkipped`).
 * Throws SidecarWriteError (carrying the partial result) when a sidecar could not be written
 * (unreadable, not XMP, changing all the time); the other sidecars are still attempted.
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
    cleared: [],
    deleted: [],
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
        // Nothing of ours before or after: the file is not ours to touch (nor to create).
        const nothingOfOurs = plan.residue !== undefined && !plan.hadOurs;
        if (nothingOfOurs || (snapshot.bytes && !plan.changed)) {
          if (snapshot.bytes) result.unchanged.push(target);
          break;
        }
        const readOnly = await readOnlyReason(target, snapshot);
        if (readOnly) {
          result.skippedPaths.push({ path: target, kind: 'read-only', reason: readOnly });
          break;
        }
        const outcome = await commit(target, plan.deletable ? undefined : plan.xml, snapshot, options);
        if (outcome === 'conflict') {
          if (attempt >= maxAttempts) throw new Error(`still changing after ${maxAttempts} attempts to merge into it`);
          continue;
        }
        if (typeof outcome === 'object') result.skippedPaths.push(outcome);
        else if (outcome === 'removed') result.deleted.push(target);
        else if (plan.residue !== undefined) result.cleared.push(target);
        else result.written.push(target);
        break;
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

/**
 * Permission errors: the sidecar or its folder is read-only to us, a per-file case. A read-only
 * mount (EROFS) is not one of them: it is the whole disk's fault, the xmp plugin's to report.
 */
const READ_ONLY_CODES = new Set(['EACCES', 'EPERM']);

/**
 * Why an existing sidecar is read-only, or undefined. A sidecar without any write permission bit
 * is read-only even to root (someone made it so on purpose), and one we may not write is too:
 * replacing it by rename would only need the folder's permission, and would override the user's.
 */
async function readOnlyReason(path: string, snapshot: Snapshot): Promise<string | undefined> {
  if (snapshot.bytes === undefined || snapshot.mode === undefined) return undefined;
  if ((snapshot.mode & 0o222) === 0) return 'the sidecar is read-only (no write permission): left as it is';
  try {
    await access(path, constants.W_OK);
    return undefined;
  } catch (err) {
    const code = errnoCode(err);
    if (code && READ_ONLY_CODES.has(code)) return `the sidecar is not writable by facetag (${code}): left as it is`;
    throw err;
  }
}

/**
 * Replaces (text) or deletes (undefined) the sidecar if it is unchanged since `snapshot`; a folder
 * we may not write to is a read-only skip, not a failure.
 */
async function commit(
  path: string,
  text: string | undefined,
  snapshot: Snapshot,
  hooks: CommitHooks,
): Promise<'written' | 'removed' | 'conflict' | SidecarSkip> {
  try {
    return text === undefined
      ? await removeIfUnchanged(path, snapshot)
      : await commitIfUnchanged(path, text, snapshot, hooks);
  } catch (err) {
    const code = errnoCode(err);
    if (!code || !READ_ONLY_CODES.has(code)) throw err;
    return { path, kind: 'read-only', reason: `its folder is read-only to facetag (${code}): nothing written` };
  }
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
