import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';

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
