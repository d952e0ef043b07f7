/**
 * The folder import rules (test/architecture/layers.ts) hold for every import in src/: no folder
 * imports a folder of its own or a higher layer, except the known arrows listed there; only the
 * decoder and the encoder import sharp; and the README's layout table is the one the rules render.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { KNOWN_BACKWARD, LAYERS, layersTable, SHARP_IMPORTERS } from '../architecture/layers.js';
import { repoRoot } from '../helpers/paths.js';

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.m?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `src/<folder>/…` → folder; a file at the root of src/ is its own name. */
const folderOf = (path: string): string => path.split('/')[1] ?? path;

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'([^']+)'/gm)].map((m) => m[1] ?? '');
}

const files = sources('src');
const rank = new Map(LAYERS.flatMap((l, i) => l.folders.map((f) => [f, i] as const)));

test('every folder of src/ has a layer, and no folder is in two', () => {
  const folders = [...new Set(files.map(folderOf))].sort();
  assert.deepEqual(
    folders.filter((f) => !rank.has(f)),
    [],
    'folders without a layer',
  );
  const listed = LAYERS.flatMap((l) => l.folders);
  assert.equal(new Set(listed).size, listed.length);
});

test('no backward arrow between folders, but the known ones; and each known one still exists', () => {
  const backward: string[] = [];
  for (const file of files) {
    const from = folderOf(file);
    for (const spec of specifiers(readFileSync(join(repoRoot, file), 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = normalize(join(dirname(file), spec))
        .replace(/\.js$/, '.ts')
        .replace(/\.mjs$/, '.mts');
      const to = folderOf(target);
      if (to === from) continue;
      const a = rank.get(from) ?? -1;
      const b = rank.get(to) ?? -1;
      if (b >= a) backward.push(`${file} → ${target} (${from} layer ${a}, ${to} layer ${b})`);
    }
  }
  const known = (line: string) => KNOWN_BACKWARD.find((k) => line.startsWith(`${k.from} → ${k.to}/`));
  assert.deepEqual(
    backward.filter((b) => !known(b)),
    [],
    'new backward arrows: move the code to the layer it belongs to',
  );
  const gone = KNOWN_BACKWARD.filter((k) => !backward.some((b) => b.startsWith(`${k.from} → ${k.to}/`)));
  assert.deepEqual(gone, [], 'a known backward arrow is gone: take it out of KNOWN_BACKWARD');
});

test('only the decoder and the encoder import sharp', () => {
  const importers = files.filter((f) => specifiers(readFileSync(join(repoRoot, f), 'utf8')).includes('sharp'));
  assert.deepEqual(importers.sort(), [...SHARP_IMPORTERS].sort());
});

test("the README's layout table is the one the rules render", () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  assert.ok(readme.includes(layersTable()), `README.md must hold, verbatim:\n${layersTable()}`);
});
