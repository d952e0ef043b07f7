import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';

export interface SidecarTargets {
  /** The sidecars to write: the existing ones, or the one to create. */
  readonly paths: readonly string[];
  /** Existing sidecars we leave alone, and why. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

/**
 * Which sidecar files a photo's tags go to (spec §0 and §1.10): every existing `x.jpg.xmp` and
 * `x.xmp`, matched case-insensitively (PiGallery2 reads `.XMP` too); when neither exists,
 * `x.jpg.xmp`, the form that cannot clash between a RAW+JPEG pair or a live photo. When both
 * exist both are updated: digiKam reads `x.xmp` first, Immich and PiGallery2 `x.jpg.xmp`.
 *
 * An `x.xmp` that another file also owns (x.CR2 beside x.jpg) is skipped: one photo's regions
 * in another photo's sidecar would put faces on the wrong image.
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
  const skipped: { path: string; reason: string }[] = [];
  const chosen = [...full];
  if (base.length > 0) {
    const owners = entries.filter((e) => {
      const eExt = extname(e);
      return e !== name && eExt !== '' && !lower(e).endsWith('.xmp') && lower(e.slice(0, -eExt.length)) === lower(stem);
    });
    for (const b of base) {
      if (owners.length > 0) skipped.push({ path: join(dir, b), reason: `shared with ${owners.join(', ')}` });
      else chosen.push(b);
    }
  }
  const paths: string[] = [];
  for (const entry of chosen) {
    const path = join(dir, entry);
    const info = await lstat(path);
    if (info.isSymbolicLink()) skipped.push({ path, reason: 'a symbolic link (replacing it would break the link)' });
    else if (!info.isFile()) skipped.push({ path, reason: 'not a regular file' });
    else paths.push(path);
  }
  if (paths.length === 0 && !skipped.some((s) => full.includes(basename(s.path)))) paths.push(join(dir, `${name}.xmp`));
  return { paths, skipped };
}

/** The sidecar paths a photo's tags are written to (see resolveSidecars). */
export async function sidecarPaths(photoPath: string): Promise<string[]> {
  return [...(await resolveSidecars(photoPath)).paths];
}
