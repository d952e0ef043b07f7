import { readFileSync } from 'node:fs';

/** facetag's version, from package.json (two levels above this file, in src/ or dist/src/). */
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
      if (pkg && typeof pkg === 'object' && 'name' in pkg && pkg.name === 'facetag' && 'version' in pkg)
        return String(pkg.version);
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

export const VERSION = readVersion();
