/**
 * The xmp plugin through the host, on real JPEGs: sidecars get the faces the write policy allows,
 * in the stored frame for a rotated photo, and the photos themselves are never changed (bytes and
 * mtime), not even when they are removed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import exifr from 'exifr';
import sharp from 'sharp';
import * as z from 'zod';
import { pluginsSchema } from '../../src/config/plugins.js';
import { createLogger } from '../../src/core/logger.js';
import { startPluginHost } from '../../src/plugins/host.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { markRemoved } from '../../src/store/photos.js';
import { hashOf, seedPhoto } from '../helpers/fake-gallery.js';
import { tmpDir } from '../helpers/paths.js';

let root = '';
let db: Db;
before(async () => {
  root = await tmpDir('facetag-plugin-xmp-');
  db = openDatabase(join(root, 'data'));
});
after(async () => {
  db.close();
  await rm(root, { recursive: true, force: true });
});

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

async function waitFor(what: string, cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const undelivered = () =>
  z.object({ n: z.int() }).parse(db.prepare('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL').get()).n;

/** Region names and AppliedToDimensions as exifr (PiGallery2's parser) reads the sidecar. */
async function regions(sidecar: string): Promise<{ names: string[]; dims: unknown }> {
  const xmp = (await exifr.sidecar(sidecar)) as Record<string, Record<string, unknown>> | undefined;
  const info = xmp?.['mwg-rs']?.Regions as { RegionList?: unknown; AppliedToDimensions?: unknown } | undefined;
  const list = info?.RegionList;
  const items = (Array.isArray(list) ? list : list ? [list] : []) as { Name: string }[];
  return { names: items.map((r) => r.Name).sort(), dims: info?.AppliedToDimensions };
}

test('writes sidecars by the write policy and never changes the photos', async () => {
  const upright = join(root, 'upright.jpg');
  const turned = join(root, 'turned.jpg');
  await writeFile(
    upright,
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a6' } })
      .jpeg()
      .toBuffer(),
  );
  // Stored 320×240 with EXIF orientation 6: shown as 240×320.
  await writeFile(
    turned,
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#a67' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer(),
  );
  const before = new Map<string, { hash: string; mtimeMs: number; size: number }>();
  for (const p of [upright, turned]) {
    const s = await stat(p);
    before.set(p, { hash: await sha256(p), mtimeMs: s.mtimeMs, size: s.size });
  }

  seedPhoto(
    db,
    {
      path: upright,
      hash: hashOf(1),
      width: 320,
      height: 240,
      faces: [
        { rect: { cx: 80, cy: 80, width: 40, height: 50 }, confirmed: 'Alice Example' },
        { rect: { cx: 200, cy: 80, width: 40, height: 50 }, auto: { name: 'Bob Example', value: 0.8 } },
        { rect: { cx: 260, cy: 180, width: 40, height: 50 }, auto: { name: 'Carol Example', value: 0.2 } },
      ],
    },
    1000,
  );
  const { photoId: turnedId } = seedPhoto(
    db,
    {
      path: turned,
      hash: hashOf(2),
      width: 240,
      height: 320,
      orientation: 6,
      faces: [{ rect: { cx: 60, cy: 250, width: 40, height: 40 }, confirmed: 'Dan Example' }],
    },
    1001,
  );

  const lines: string[] = [];
  const host = await startPluginHost({
    db,
    dataDir: join(root, 'data'),
    entries: pluginsSchema.parse([{ name: 'xmp', options: { autoThreshold: 0.5 } }]),
    log: createLogger({ write: (l) => lines.push(l), rateLimit: false }),
    delivery: { idlePollMs: 20 },
  });
  try {
    await waitFor('all delivered', () => undelivered() === 0);
    const a = await regions(`${upright}.xmp`);
    assert.deepEqual(a.names, ['Alice Example', 'Bob Example'], 'confirmed, and auto above 0.5; not Carol');
    const b = await regions(`${turned}.xmp`);
    assert.deepEqual(b.names, ['Dan Example']);
    assert.deepEqual(b.dims, { w: 320, h: 240, unit: 'pixel' }, 'the stored raster, not the displayed one');

    markRemoved(db, [turnedId], 2000);
    host.wake();
    await waitFor('removal delivered', () => undelivered() === 0);
    await stat(`${turned}.xmp`); // the sidecar of a removed photo stays: it is the user's file
  } finally {
    await host.stop();
  }
  assert.deepEqual(
    lines.filter((l) => l.includes('"level":"warn"') || l.includes('"level":"error"')),
    [],
  );
  for (const [p, was] of before) {
    const s = await stat(p);
    assert.deepEqual({ hash: await sha256(p), mtimeMs: s.mtimeMs, size: s.size }, was, `${p} untouched`);
  }
});
