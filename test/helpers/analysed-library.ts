import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliPath, detectionImages } from './detector.js';
import { tmpDir } from './paths.js';

/**
 * A temporary library analysed by `facetag run --once` (upright scan only, for speed). `photos`
 * maps a file name to a detection image's name, or to '' for an empty (bad) file.
 */
export async function analysedLibrary(
  prefix: string,
  photos: Readonly<Record<string, string>>,
): Promise<{ dir: string; dataDir: string }> {
  const dir = await tmpDir(prefix);
  const dataDir = join(dir, 'data');
  await mkdir(join(dir, 'photos'));
  for (const [name, source] of Object.entries(photos)) {
    if (source === '') await writeFile(join(dir, 'photos', name), '');
    else await copyFile(join(detectionImages, source), join(dir, 'photos', name));
  }
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ detection: { rotationStep: 360 } }));
  await promisify(execFile)(process.execPath, [
    cliPath,
    'run',
    '--once',
    '--photos',
    join(dir, 'photos'),
    '--data-dir',
    dataDir,
    '--config',
    config,
  ]);
  return { dir, dataDir };
}
