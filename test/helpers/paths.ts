import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs as dist/test/helpers/paths.js. */
export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

/** Shared data (fixtures, datasets) outside the repo. */
export const sharedDir = process.env.FACETAG_SHARED ?? resolve(repoRoot, '../shared');

/** A fresh temporary directory. */
export function tmpDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
