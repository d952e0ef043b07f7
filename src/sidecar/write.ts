/**
 * Writing sidecars, in reading order: which faces go in (the write policy), which sidecar files a
 * photo has (paths), how one is replaced atomically and only if nobody changed it meanwhile, and
 * writeSidecars, which ties them together.
 */

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import {
  access,
  chmod,
  chown,
  lstat,
  open,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { errnoCode } from '../files/errno.js';
import { personNameProblem } from '../names/person-name.js';
import { type EmbeddedMetadata, readEmbeddedMetadata } from './embedded.js';
import { planSidecarDetailed, SidecarInputError, validateSidecarInput } from './plan.js';
import type { FaceSkip, SidecarFace, SidecarInput } from './types.js';

/** Which faces go into sidecars. */
export interface WritePolicy {
  /** An auto-named face is written only when its decision value is at least this. */
  readonly autoThreshold: number;
}

export interface FaceSelection<F extends SidecarFace> {
  readonly faces: F[];
  readonly skipped: FaceSkip[];
}

/**
 * Confirmed faces always; auto faces only when their decision value reaches the threshold (one
 * without a value never does). Names follow the one name rule, as where they entered; a name it
 * refuses can only be one stored before the rule, and is skipped with the reason, not mangled.
 */
export function selectFaces<F extends SidecarFace>(faces: readonly F[], policy: WritePolicy): FaceSelection<F> {
  if (Number.isNaN(policy.autoThreshold)) throw new RangeError('autoThreshold must be a number');
  const chosen: F[] = [];
  const skipped: FaceSkip[] = [];
  for (const face of faces) {
    const problem = personNameProblem(face.name);
    if (problem) {
      skipped.push({ faceId: face.faceId, kind: 'name', reason: problem });
    } else if (face.source === 'confirmed') {
      chosen.push(face);
    } else if (face.value === undefined || !Number.isFinite(face.value)) {
      skipped.push({ faceId: face.faceId, kind: 'policy', reason: 'auto face without a decision value' });
    } else if (face.value < policy.autoThreshold) {
      skipped.push({
        faceId: face.faceId,
        kind: 'policy',
        reason: `auto face below the threshold (${face.value} < ${policy.autoThreshold})`,
      });
    } else {
      chosen.push(face);
    }
  }
  return { faces: chosen, skipped };
}

/** Why an existing sidecar is not written (each a stated policy; see README "Faults survived"). */
export type SidecarSkipKind =
  /** A symbolic link: never followed, never replaced. */
  | 'symlink'
  | 'not-a-file'
  /** `x.xmp` that another photo of the same stem (RAW+JPEG) also owns. */
  | 'shared'
  /** The sidecar (or, for a new one, its folder) is read-only: respected. */
  | 'read-only';

export interface SidecarSkip {
  readonly path: string;
  readonly kind: SidecarSkipKind;
  readonly reason: string;
}

export interface SidecarTargets {
  /** The sidecars to write: the existing ones, or the one to create. */
  readonly paths: readonly string[];
  /** Existing sidecars we leave alone, and why. */
  readonly skipped: readonly SidecarSkip[];
}

/**
 * Which sidecar files a photo's tags go to (spec §0 and §1.10): every existing `x.jpg.xmp` and
 * `x.xmp`, matched case-insensitively (PiGallery2 reads `.XMP` too); when neither exists,
 * `x.jpg.xmp`, the form that cannot clash between a RAW+JPEG pair or a live photo. When both
 * exist both are updated: digiKam reads `x.xmp` first, Immich and PiGallery2 `x.jpg.xmp`.
 *
 * An `x.xmp` that another file also owns (x.CR2 beside x.jpg) is skipped: one photo's regions
 * in another photo's sidecar would put faces on the wrong image.
 *
 * A sidecar that is a symbolic link is skipped, and no second sidecar is made beside it. Replacing
 * the link would break it; writing through it would write a file elsewhere, perhaps another
 * photo's sidecar or one outside the photo folders, which this writer cannot check. Whoever linked
 * it manages it; the skip is reported with the link's target.
 */
export async function resolveSidecars(photoPath: string): Promise<SidecarTargets> {
  const photo = resolve(photoPath);
  const dir = dirname(photo);
  const name = basename(photo);
  if (name.toLowerCase().endsWith('.xmp')) throw new Error(`${photo}: an .xmp file is a sidecar, not a photo`);
  if (!(await stat(photo)).isFile()) throw new Error(`${photo}: not a regular file`);
  const ext = extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  const entries = await readdir(dir);
  const lower = (s: string): string => s.toLowerCase();
  const full = entries.filter((e) => lower(e) === lower(`${name}.xmp`));
  const base = ext ? entries.filter((e) => lower(e) === lower(`${stem}.xmp`)) : [];
  const skipped: SidecarSkip[] = [];
  const chosen = [...full];
  if (base.length > 0) {
    const owners = entries.filter((e) => {
      const eExt = extname(e);
      return e !== name && eExt !== '' && !lower(e).endsWith('.xmp') && lower(e.slice(0, -eExt.length)) === lower(stem);
    });
    for (const b of base) {
      if (owners.length > 0) {
        skipped.push({ path: join(dir, b), kind: 'shared', reason: `shared with ${owners.join(', ')}` });
      } else chosen.push(b);
    }
  }
  const paths: string[] = [];
  for (const entry of chosen) {
    const path = join(dir, entry);
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      const target = await readlink(path).catch(() => '?');
      skipped.push({
        path,
        kind: 'symlink',
        reason: `a symbolic link (to ${target}): facetag neither follows nor replaces sidecar links`,
      });
    } else if (!info.isFile()) skipped.push({ path, kind: 'not-a-file', reason: 'not a regular file' });
    else paths.push(path);
  }
  if (paths.length === 0 && !skipped.some((s) => full.includes(basename(s.path)))) paths.push(join(dir, `${name}.xmp`));
  return { paths, skipped };
}

/** The sidecar paths a photo's tags are written to (see resolveSidecars). */
export async function sidecarPaths(photoPath: string): Promise<string[]> {
  return [...(await resolveSidecars(photoPath)).paths];
}

/** What a sidecar held when we read it. */
export interface Snapshot {
  readonly bytes: Buffer | undefined;
  readonly mode: number | undefined;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

/** Reads a sidecar (absent is a valid state: `bytes` undefined). */
async function readSnapshot(path: string): Promise<Snapshot> {
  try {
    const bytes = await readFile(path);
    const info = await stat(path);
    return { bytes, mode: info.mode, uid: info.uid, gid: info.gid };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { bytes: undefined, mode: undefined, uid: undefined, gid: undefined };
    throw err;
  }
}

/** The one guard on every write: only `*.xmp` files are ever written. */
export function assertSidecarPath(path: string): void {
  if (!basename(path).toLowerCase().endsWith('.xmp') || basename(path).toLowerCase() === '.xmp') {
    throw new Error(`refusing to write ${path}: only .xmp sidecars are written`);
  }
}

export interface CommitHooks {
  /** Test seam: runs after the temporary file is complete, before the re-check. */
  readonly beforeCommit?: (path: string) => Promise<void>;
}

/**
 * Replaces `path` with `text` atomically (spec §3.2 steps 6-7), but only if it still holds what
 * `snapshot` saw: a temporary file in the same folder (leading dot, not ending in .xmp, so
 * scanners ignore it), fsynced, given the old file's mode and owner, re-checked, renamed over the
 * target, then the folder is fsynced. Returns 'conflict' (and writes nothing) when another
 * program changed the sidecar meanwhile; the caller re-reads and re-merges.
 *
 * The rename also changes the folder's mtime, which is what makes PiGallery2 re-index (spec §4.3).
 */
async function commitIfUnchanged(
  path: string,
  text: string,
  snapshot: Snapshot,
  hooks: CommitHooks = {},
): Promise<'written' | 'conflict'> {
  assertSidecarPath(path);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.ft-tmp-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(tmp, 'wx', 0o666);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (snapshot.mode !== undefined) await chmod(tmp, snapshot.mode & 0o7777);
    if (snapshot.uid !== undefined && snapshot.gid !== undefined) {
      // Only root (or the owner, for the group) may do this; a sidecar owned by us stays ours.
      await chown(tmp, snapshot.uid, snapshot.gid).catch(() => undefined);
    }
    await hooks.beforeCommit?.(path);
    const now = await readSnapshot(path);
    if (!sameBytes(now.bytes, snapshot.bytes)) {
      await rm(tmp, { force: true });
      return 'conflict';
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
  return 'written';
}

/**
 * Deletes `path` if it still holds what `snapshot` saw (a sidecar facetag made and nothing else
 * uses any more); 'conflict' when another program changed it meanwhile.
 */
async function removeIfUnchanged(path: string, snapshot: Snapshot): Promise<'removed' | 'conflict'> {
  assertSidecarPath(path);
  const now = await readSnapshot(path);
  if (!sameBytes(now.bytes, snapshot.bytes)) return 'conflict';
  await unlink(path);
  await syncDir(dirname(path));
  return 'removed';
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}

/** Makes the rename durable; some filesystems cannot fsync a folder, which is not an error here. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

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
