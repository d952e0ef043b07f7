/**
 * Colour and pictures (issue 14): faces' colour pictures from the analysis and from drawn faces,
 * served by the chip route while the grey chip stays what training reads; photo thumbnails with
 * their ETag, 304 and cache.
 */
import assert from 'node:assert/strict';
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { recognisingAnalyser } from '../../src/daemon/analyser.js';
import { modelSetOf } from '../../src/daemon/model-set.js';
import { recordAnalysis } from '../../src/store/analysis.js';
import { autoFaceChips } from '../../src/store/face-chips.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { markPathRemoved } from '../../src/store/photos.js';
import { decodeChipPng } from '../../src/vision/chip-png.js';
import { uprightDetector } from '../helpers/detector.js';
import { first, take } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';
import { call, type Fixture, startFixture, TOKEN } from './http-fixture.js';

const auth = { authorization: `Bearer ${TOKEN}` };
const library = join(sharedDir, 'data/library/photos/2019');

/** Mean HSV saturation of an image, 0..1, from its decoded RGB. Pure arithmetic on sharp's pixels. */
async function meanSaturation(image: Buffer): Promise<number> {
  const { data, info } = await sharp(image).removeAlpha().toColourspace('srgb').raw().toBuffer({
    resolveWithObject: true,
  });
  if (info.channels < 3) return 0;
  let sum = 0;
  const n = info.width * info.height;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = take(data.subarray(i * info.channels, i * info.channels + 3), 3, 'pixel data');
    const max = Math.max(r, g, b);
    sum += max === 0 ? 0 : (max - Math.min(r, g, b)) / max;
  }
  return sum / n;
}

/** The first few colour photos of the dev library (each is a 150 px crop centred on a face). */
async function libraryPhotos(count: number): Promise<string[]> {
  const out: string[] = [];
  for (const month of (await readdir(library)).sort()) {
    for (const name of (await readdir(join(library, month))).sort()) {
      if (name.endsWith('.jpg')) out.push(join(library, month, name));
      if (out.length === count) return out;
    }
  }
  return out;
}

describe('colour face pictures and photo thumbnails', () => {
  let fx: Fixture;
  /** A photo of the dev library analysed as the daemon does, with its faces. */
  let analysed: { photoId: number; faceIds: number[] };
  before(async () => {
    fx = await startFixture();
    const analyse = recognisingAnalyser(uprightDetector(), () => modelSetOf([], {}));
    for (const [i, source] of (await libraryPhotos(20)).entries()) {
      const path = join(fx.root, `colour-${i}.jpg`);
      await copyFile(source, path);
      const outcome = await analyse(path);
      assert.ok(outcome.ok);
      if (outcome.faces.length === 0) continue;
      const { photoId } = recordAnalysis(
        fx.db,
        null,
        {
          path,
          size: 1,
          mtimeMs: 1,
          hash: String(i).padStart(64, 'e'),
          pipelineVersion: 1,
          ...outcome,
        },
        fx.clock.now,
      );
      analysed = { photoId, faceIds: facesOfPhoto(fx.db, photoId).map((f) => f.id) };
      break;
    }
    assert.ok(analysed, 'a face in the first 20 photos of the dev library');
  });
  after(() => fx.close());

  test('an analysed face is served as a colour JPEG of the chip crop; the grey PNG chip stays for training', async () => {
    const id = analysed.faceIds[0];
    const r = await call(fx, 'GET', `/api/faces/${id}/chip`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/jpeg');
    assert.equal(r.headers.get('cache-control'), 'private, no-cache');
    assert.ok(r.headers.get('etag'));
    const picture = await sharp(r.bytes).metadata();
    assert.equal(picture.format, 'jpeg');
    assert.ok(Math.max(picture.width ?? 0, picture.height ?? 0) <= 128);
    assert.ok((await meanSaturation(r.bytes)) > 0.02, 'a colour photo gives a colour picture');

    // What training and re-classification read: the grey PNG, the same crop.
    const stored = autoFaceChips(fx.db, 0, 1000).find((c) => c.id === id);
    assert.ok(stored);
    assert.equal((await sharp(stored.chip).metadata()).format, 'png');
    const grey = await decodeChipPng(stored.chip);
    assert.equal(grey.channels, 1);
    assert.ok(Math.abs(grey.width / grey.height - (picture.width ?? 0) / (picture.height ?? 1)) < 0.05);
  });

  test('a face without a colour picture yet (analysed before v6) is served its grey PNG chip', async () => {
    const face = first(facesOfPhoto(fx.db, fx.photos.family), 'faces of the family photo');
    const r = await call(fx, 'GET', `/api/faces/${face.id}/chip`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/png');
    assert.equal((await call(fx, 'GET', '/api/faces/999999/chip')).status, 404);
  });

  test('a face drawn on a colour photo gets a colour picture too', async () => {
    const r = await call(fx, 'POST', `/api/photos/${analysed.photoId}/faces`, {
      headers: auth,
      body: { box: { x: 30, y: 30, width: 90, height: 90 }, person: 'Dora' },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const id = (r.json as { face: { id: number } }).face.id;
    const chip = await call(fx, 'GET', `/api/faces/${id}/chip`);
    assert.equal(chip.headers.get('content-type'), 'image/jpeg');
    assert.ok((await meanSaturation(chip.bytes)) > 0.02);
  });

  test('the thumbnail: oriented JPEG, longest side 320, strong ETag of the content, 304, cached on disk', async () => {
    const path = `/api/photos/${fx.photos.family}/thumb`;
    const r = await call(fx, 'GET', path);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/jpeg');
    const meta = await sharp(r.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [320, 240]);
    const etag = r.headers.get('etag');
    assert.equal(etag, `"${'a'.repeat(64)}-320q75"`);
    assert.equal(r.headers.get('cache-control'), 'private, max-age=86400');
    const again = await call(fx, 'GET', path, { headers: { 'if-none-match': etag ?? '' } });
    assert.equal(again.status, 304);
    assert.equal(again.bytes.length, 0);
    const other = await call(fx, 'GET', path, { headers: { 'if-none-match': '"something-else"' } });
    assert.equal(other.status, 200);
    assert.deepEqual(other.bytes, r.bytes, 'the same bytes, from the cache');
    const files = await readdir(join(fx.dir, 'data', 'thumbs'));
    assert.deepEqual(files, [`${'a'.repeat(64)}-320q75.jpg`]);
  });

  test("the thumbnail follows the photo routes' 404 rules", async () => {
    assert.equal((await call(fx, 'GET', `/api/photos/${fx.photos.outsideRow}/thumb`)).status, 404);
    assert.equal((await call(fx, 'GET', `/api/photos/${fx.photos.symlinked}/thumb`)).status, 404);
    assert.equal((await call(fx, 'GET', '/api/photos/999999/thumb')).status, 404);
    assert.equal((await call(fx, 'GET', '/api/photos/0/thumb')).status, 400);
    const solo = facesOfPhoto(fx.db, fx.photos.solo);
    assert.ok(solo.length > 0);
    markPathRemoved(fx.db, join(fx.root, 'solo.jpg'), fx.clock.now);
    assert.equal((await call(fx, 'GET', `/api/photos/${fx.photos.solo}/thumb`)).status, 404);
  });
});
