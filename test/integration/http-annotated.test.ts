import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createLogger } from '../../src/core/logger.js';
import { createHttpApi, startHttpServer } from '../../src/http/app.js';
import { recordAnalysis } from '../../src/store/analysis.js';
import { markRemoved } from '../../src/store/photos.js';
import { at, take } from '../helpers/items.js';
import { analysis, call, chipPng, type Fixture, face, SNAPSHOT, startFixture, TEST_PORTS } from './http-fixture.js';

let fx: Fixture;
before(async () => {
  fx = await startFixture();
});
after(() => fx.close());

test('the annotated photo is a JPEG of the photo with the suggested face boxed in green', async () => {
  const r = await call(fx, 'GET', `/api/photos/${fx.photos.family}/annotated`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/jpeg');
  const { data, info } = await sharp(r.bytes).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [640, 480]);
  const pixel = (x: number, y: number) =>
    take(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3), 3, `pixel (${x}, ${y})`);
  const near = (got: number[], want: number[]) => got.every((v, i) => Math.abs(v - at(want, i, 'wanted colour')) < 40);
  // Face 1 (Bob?, centre 120,120, 100 px): its left edge at x=70 is drawn; the photo is grey elsewhere.
  // A 2-px line through JPEG's chroma subsampling: clearly green (KNOWN_COLOUR), not exactly it.
  const [red, green, blue] = pixel(70, 140);
  assert.ok(green > red + 60 && green > blue + 60, `left edge: ${[red, green, blue]}`);
  assert.ok(near(pixel(10, 470), [120, 120, 120]), `background: ${pixel(10, 470)}`);
});

test('a database row pointing outside the photo folders is a 404', async () => {
  const r = await call(fx, 'GET', `/api/photos/${fx.photos.outsideRow}/annotated`);
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { error: `file of photo ${fx.photos.outsideRow} not found` });
});

test('a symlink inside the library pointing outside it is a 404', async () => {
  const r = await call(fx, 'GET', `/api/photos/${fx.photos.symlinked}/annotated`);
  assert.equal(r.status, 404);
});

test('a path with .. segments that climbs out of the library is a 404', async () => {
  const id = recordAnalysis(
    fx.db,
    null,
    analysis(`${fx.root}/../outside/secret.jpg`, 'e', [face(10, 10, await chipPng(1), null, null)]),
    1,
  ).photoId;
  assert.equal((await call(fx, 'GET', `/api/photos/${id}/annotated`)).status, 404);
});

test('a photo folder configured through a symlink serves its photos', async () => {
  const link = join(fx.dir, 'library-link');
  await symlink(fx.root, link);
  const app = createHttpApi({
    db: fx.db,
    dataDir: join(fx.dir, 'data'),
    photoRoots: [link],
    now: () => 1,
    log: createLogger({ write: () => undefined }),
    labelChanges: { publish: () => undefined },
    ...TEST_PORTS,
    readiness: () => ({ ready: true }),
    metrics: () => SNAPSHOT,
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  try {
    assert.equal((await call({ server }, 'GET', `/api/photos/${fx.photos.family}/annotated`)).status, 200);
    assert.equal((await call({ server }, 'GET', `/api/photos/${fx.photos.outsideRow}/annotated`)).status, 404);
  } finally {
    await server.close();
  }
});

test('a photo under a folder symlinked out of the library is a 404', async () => {
  await sharp({ create: { width: 32, height: 24, channels: 3, background: '#808080' } })
    .png()
    .toFile(join(fx.outside, 'p.png'));
  await symlink(fx.outside, join(fx.root, 'share'));
  const id = recordAnalysis(fx.db, null, analysis(join(fx.root, 'share', 'p.png'), 'f', []), 1).photoId;
  assert.equal((await call(fx, 'GET', `/api/photos/${id}/annotated`)).status, 404);
});

test('removed, missing, unknown and undecodable photos', async () => {
  const removed = recordAnalysis(fx.db, null, analysis(join(fx.root, 'solo.jpg'), 'b', []), 1).photoId;
  markRemoved(fx.db, [removed], 2);
  assert.equal((await call(fx, 'GET', `/api/photos/${removed}/annotated`)).status, 404);

  const gone = recordAnalysis(fx.db, null, analysis(join(fx.root, 'never-there.jpg'), '9', []), 1).photoId;
  assert.equal((await call(fx, 'GET', `/api/photos/${gone}/annotated`)).status, 404);
  assert.equal((await call(fx, 'GET', '/api/photos/31337/annotated')).status, 404);

  await writeFile(join(fx.root, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  const broken = recordAnalysis(fx.db, null, analysis(join(fx.root, 'broken.jpg'), '8', []), 1).photoId;
  const r = await call(fx, 'GET', `/api/photos/${broken}/annotated`);
  assert.equal(r.status, 422);
  assert.deepEqual(r.json, { error: `photo ${broken} cannot be decoded (truncated)` });
});
