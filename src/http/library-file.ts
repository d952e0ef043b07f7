/**
 * The one gate for serving a photo's bytes: the path must come from the database and, with every
 * symlink resolved, lie inside one of the photo folders (also resolved). So neither a row
 * pointing elsewhere nor a symlink in the library leading out of it can expose another file.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

async function realOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/**
 * `child` is `parent` or below it (both already resolved). `..` counts as a whole segment only:
 * a file named `..photo.jpg` directly in the folder is inside it.
 */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The resolved path of `dbPath` when it is a regular file inside one of `roots`, else undefined.
 * Roots are resolved at each call: a share may be remounted while the daemon runs.
 */
export async function libraryFile(dbPath: string, roots: readonly string[]): Promise<string | undefined> {
  if (!isAbsolute(dbPath)) return undefined;
  const real = await realOrUndefined(dbPath);
  if (real === undefined) return undefined;
  const realRoots = await Promise.all(roots.map(realOrUndefined));
  if (!realRoots.some((root) => root !== undefined && isInside(real, root) && real !== root)) return undefined;
  const st = await stat(real).catch(() => undefined);
  return st?.isFile() ? real : undefined;
}
