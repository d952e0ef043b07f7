/**
 * What galleries read from our sidecars against what the store says: every photo names exactly its
 * confirmed faces and its sure suggestions (read back with exiftool, as galleries do).
 */
import { execFile } from 'node:child_process';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import * as z from 'zod';
import type { Db } from '../../src/store/db.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { photoByPath } from '../../src/store/photos.js';

const execFileP = promisify(execFile);

/** The xmp plugin's default: auto faces are written from this decision value on. */
export const AUTO_THRESHOLD = 0.5;

/** The names the store says `file`'s sidecar must hold, sorted. */
export function expectedNames(db: Db, photos: string, file: string): string[] {
  const photo = photoByPath(db, join(photos, file));
  if (!photo) throw new Error(`${file} is not in the store`);
  return facesOfPhoto(db, photo.id)
    .flatMap((f) => {
      if (f.label_state === 'confirmed') return [f.person ?? ''];
      if (f.label_state === 'auto' && f.predicted_person && (f.decision_value ?? -1) >= AUTO_THRESHOLD)
        return [f.predicted_person];
      return [];
    })
    .sort();
}

/** One line per photo whose sidecar names differ from the store's; '' when all agree. */
export async function sidecarMismatch(db: Db, photos: string, files: readonly string[]): Promise<string> {
  const { stdout } = await execFileP('exiftool', [
    '-j',
    '-XMP-mwg-rs:RegionName',
    ...files.map((f) => `${join(photos, f)}.xmp`),
  ]).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '[]' }));
  const read = new Map(
    z
      .array(z.object({ SourceFile: z.string(), RegionName: z.union([z.string(), z.array(z.string())]).optional() }))
      .parse(JSON.parse(stdout || '[]'))
      .map((r) => [basename(r.SourceFile, '.xmp'), [r.RegionName ?? []].flat().map(String).sort()]),
  );
  return files
    .filter((f) => JSON.stringify(read.get(f) ?? []) !== JSON.stringify(expectedNames(db, photos, f)))
    .map(
      (f) =>
        `${f}: sidecar ${JSON.stringify(read.get(f) ?? [])}, store ${JSON.stringify(expectedNames(db, photos, f))}`,
    )
    .join('\n');
}

/** Why sidecars cannot be read back here (no exiftool), or undefined when they can. */
export async function exiftoolMissing(): Promise<string | undefined> {
  return execFileP('exiftool', ['-ver']).then(
    () => undefined,
    () => 'exiftool is not installed (apt install libimage-exiftool-perl)',
  );
}
