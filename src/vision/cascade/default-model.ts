import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CascadeModel, parseCascadeXml } from './model.js';

const FILE = 'models/lbpcascade_frontalface_opencv.xml';

/** The vendored OpenCV LBP frontal-face cascade, found from this module upwards (works from src/ and dist/). */
export function defaultCascadePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${FILE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function loadCascade(path = defaultCascadePath()): CascadeModel {
  return parseCascadeXml(readFileSync(path, 'utf8'), path);
}
