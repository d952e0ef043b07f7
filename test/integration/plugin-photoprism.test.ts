/**
 * Contract tests of the photoprism plugin against the fake PhotoPrism (test/helpers/fake-gallery.ts):
 * the markers API of spec §4.2, both auth headers, idempotent redelivery, the cases where the
 * plugin must leave a marker alone, the exact file match (the search is SQL LIKE), and what "busy"
 * (429), "not found" (404) and a server error mean for delivery (issue 15).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { createLogger } from '../../src/core/logger.js';
import type { PhotoTaggedEvent, PluginContext, PluginInstance } from '../../src/plugins/api.js';
import { BUILTIN_PLUGINS } from '../../src/plugins/builtin/index.js';
import { buildEvent } from '../../src/plugins/events.js';
import { parseOptions } from '../../src/plugins/loader.js';
import { errorOutcome, photoFailedError, retryLaterError } from '../../src/plugins/outcome.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { eventsAfter } from '../../src/store/outbox.js';
import { FakeGallery, hashOf, type PrismPhoto, type SeedPhoto, seedPhoto } from '../helpers/fake-gallery.js';
import { at, first, take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

let dir = '';
let db: Db;
let gallery: FakeGallery;
let n = 0;

before(async () => {
  dir = await tmpDir('facetag-plugin-photoprism-');
  db = openDatabase(join(dir, 'data'));
});
after(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  gallery = await FakeGallery.start();
});
afterEach(async () => {
  await gallery.close();
});

const ctx: PluginContext = {
  id: 'photoprism',
  log: createLogger({ write: () => {}, rateLimit: false }),
  deadlineMs: 5000,
  stateDir: '',
  retryLater: retryLaterError,
  photoFailed: photoFailedError,
};

async function photoprism(options: Record<string, unknown> = {}): Promise<PluginInstance> {
  const plugin = BUILTIN_PLUGINS.get('photoprism');
  assert.ok(plugin);
  const opts = parseOptions(plugin, 'photoprism', {
    baseUrl: gallery.url,
    token: gallery.prismToken,
    originalsPath: '/srv/originals',
    ...options,
  });
  return plugin.create(opts, ctx);
}

function tagged(photo: Omit<SeedPhoto, 'hash'>): PhotoTaggedEvent {
  const { photoId } = seedPhoto(db, { ...photo, hash: hashOf(++n) }, 1000 + n);
  const last = eventsAfter(db, 0, 10_000)
    .events.filter((e) => e.payload.photoId === photoId)
    .pop();
  assert.ok(last);
  return buildEvent(db, last) as PhotoTaggedEvent;
}

function prismPhoto(name: string, hash?: string): PrismPhoto {
  const p: PrismPhoto = {
    UID: `pr${++n}xxxxxxxxxxxxx`,
    Files: [
      { UID: `fr${n}sidecarxxxxxxx`, Name: `${name}.xmp`, Primary: false, Markers: [] },
      { UID: `fr${n}primaryxxxxxxx`, Name: name, Primary: true, Markers: [], ...(hash ? { Hash: hash } : {}) },
    ],
  };
  gallery.prism.photos.push(p);
  return p;
}

const signal = () => AbortSignal.timeout(5000);
/** For assert.rejects: the plugin said "retry later". */
const later = (err: unknown) => errorOutcome(err).kind === 'later';

test('creates one face marker per named face on the file, with the bearer token, and names it', async () => {
  const p = prismPhoto('2021/beach.jpg');
  const event = tagged({
    path: '/srv/originals/2021/beach.jpg',
    width: 1000,
    height: 800,
    faces: [
      { rect: { cx: 200, cy: 200, width: 100, height: 80 }, confirmed: 'Alice' },
      { rect: { cx: 700, cy: 500, width: 50, height: 50 }, auto: { name: 'Bob', value: 0.7 } },
      { rect: { cx: 900, cy: 100, width: 50, height: 50 }, auto: { name: 'Carol', value: 0.2 } },
    ],
  });
  await (await photoprism()).photoTagged(event, signal());
  assert.deepEqual(
    gallery.requests.map((r) => `${r.method} ${r.path}`),
    ['GET /api/v1/photos', `GET /api/v1/photos/${p.UID}`, 'POST /api/v1/markers', 'POST /api/v1/markers'],
  );
  for (const r of gallery.requests) assert.equal(r.headers.authorization, `Bearer ${gallery.prismToken}`);
  const [search, , markAlice, markBob] = take(gallery.requests, 4, 'gallery requests');
  const primary = at(p.Files, 1, 'files of the photo');
  assert.deepEqual(search.query, {
    count: '100',
    merged: 'false',
    filename: '2021/beach.jpg',
    offset: '0',
  });
  assert.deepEqual(markAlice.body, {
    FileUID: primary.UID,
    Type: 'face',
    Src: 'manual',
    X: 0.15,
    Y: 0.2,
    W: 0.1,
    H: 0.1,
    Name: 'Alice',
    SubjSrc: 'manual',
    MarkerReview: false,
    Invalid: false,
  });
  assert.equal((markBob.body as { Name: string }).Name, 'Bob');
  assert.deepEqual(
    primary.Markers.map((m) => m.Name),
    ['Alice', 'Bob'],
    'on the primary file, named; Carol is below the threshold',
  );

  gallery.requests.length = 0;
  await (await photoprism()).photoTagged(event, signal());
  assert.deepEqual(
    gallery.requests.map((r) => r.method),
    ['GET', 'GET'],
    'redelivered: nothing created twice',
  );
});

test('X-Auth-Token works too; a wrong token is an error', async () => {
  prismPhoto('t.jpg');
  const event = tagged({
    path: '/srv/originals/t.jpg',
    width: 100,
    height: 100,
    faces: [{ rect: { cx: 50, cy: 50, width: 20, height: 20 }, confirmed: 'Dan' }],
  });
  await (await photoprism({ authHeader: 'x-auth-token' })).photoTagged(event, signal());
  assert.ok(
    gallery.requests.every((r) => r.headers['x-auth-token'] === gallery.prismToken && !r.headers.authorization),
  );
  await assert.rejects(
    (await photoprism({ token: 'nope' })).photoTagged(event, signal()),
    /GET \/api\/v1\/photos: HTTP 401/,
  );
});

test('existing markers: an unnamed one is named, an auto-named one follows a confirmed face, a manual name stays', async () => {
  const p = prismPhoto('m.jpg');
  const file = at(p.Files, 1, 'files of the photo');
  const marker = (UID: string, X: number, Name: string, SubjSrc: string) =>
    file.Markers.push({
      UID,
      FileUID: file.UID,
      Type: 'face',
      Src: 'image',
      Name,
      SubjSrc,
      Invalid: false,
      X,
      Y: 0.4,
      W: 0.1,
      H: 0.2,
    });
  marker('mq0000000000001', 0.1, '', '');
  marker('mq0000000000002', 0.4, 'Guessed', '');
  marker('mq0000000000003', 0.7, 'Set By Hand', 'manual');
  const face = (cx: number, confirmed: string) => ({ rect: { cx, cy: 500, width: 100, height: 200 }, confirmed });
  const event = tagged({
    path: '/srv/originals/m.jpg',
    width: 1000,
    height: 1000,
    faces: [face(150, 'Eve'), face(450, 'Fay'), face(750, 'Gil')],
  });
  await (await photoprism()).photoTagged(event, signal());
  const puts = gallery.calls('/api/v1/markers/');
  assert.deepEqual(
    puts.map((r) => [r.method, r.path, r.body]),
    [
      ['PUT', '/api/v1/markers/mq0000000000001', { Name: 'Eve', SubjSrc: 'manual' }],
      ['PUT', '/api/v1/markers/mq0000000000002', { Name: 'Fay', SubjSrc: 'manual' }],
    ],
  );
  assert.equal(gallery.calls('/api/v1/markers').filter((r) => r.method === 'POST').length, 0);
  assert.deepEqual(
    file.Markers.map((m) => m.Name),
    ['Eve', 'Fay', 'Set By Hand'],
  );
});

test('a photo PhotoPrism has not indexed is retried later; one outside its originals is skipped', async () => {
  const face = [{ rect: { cx: 50, cy: 50, width: 20, height: 20 }, confirmed: 'Hank' }];
  const unknown = tagged({ path: '/srv/originals/new.jpg', width: 100, height: 100, faces: face });
  await assert.rejects((await photoprism()).photoTagged(unknown, signal()), later);
  gallery.requests.length = 0;
  const outside = tagged({ path: '/home/me/private.jpg', width: 100, height: 100, faces: face });
  await (await photoprism()).photoTagged(outside, signal());
  assert.equal(gallery.requests.length, 0);
});

const markerNames = (p: PrismPhoto) => p.Files.flatMap((f) => f.Markers.map((m) => m.Name));

test('markers land on the exact file: names with LIKE wildcards never match another photo', async () => {
  const face = [{ rect: { cx: 50, cy: 50, width: 20, height: 20 }, confirmed: 'Ida' }];
  // Listed first, so a LIKE search with count=1 would have returned them.
  const decoyUnderscore = prismPhoto('2022/IMGx0001.jpg');
  const decoyPercent = prismPhoto('2022/50% off - sale.jpg');
  const mine = prismPhoto('2022/IMG_0001.jpg');
  const percent = prismPhoto('2022/50%.jpg');
  await (await photoprism()).photoTagged(
    tagged({ path: '/srv/originals/2022/IMG_0001.jpg', width: 100, height: 100, faces: face }),
    signal(),
  );
  await (await photoprism()).photoTagged(
    tagged({ path: '/srv/originals/2022/50%.jpg', width: 100, height: 100, faces: face }),
    signal(),
  );
  assert.deepEqual(markerNames(mine), ['Ida']);
  assert.deepEqual(markerNames(percent), ['Ida']);
  assert.deepEqual(markerNames(decoyUnderscore), [], 'IMG_0001 matches IMGx0001 in LIKE, but is not its file');
  assert.deepEqual(markerNames(decoyPercent), []);
  const searches = gallery.calls('/api/v1/photos').filter((r) => r.path === '/api/v1/photos');
  assert.ok(
    searches.every((r) => Number(r.query.count) > 1),
    'asks for more than one result',
  );

  // "|" splits PhotoPrism's filename filter into alternatives: such a file is found by its SHA-1.
  const library = join(dir, 'originals', '2022');
  await mkdir(library, { recursive: true });
  const file = join(library, 'a|b.jpg');
  await writeFile(file, 'pretend jpeg bytes');
  const sha1 = createHash('sha1').update('pretend jpeg bytes').digest('hex');
  const decoyA = prismPhoto('2022/a');
  const piped = prismPhoto('2022/a|b.jpg', sha1);
  gallery.requests.length = 0;
  await (await photoprism({ originalsPath: join(dir, 'originals') })).photoTagged(
    tagged({ path: file, width: 100, height: 100, faces: face }),
    signal(),
  );
  assert.deepEqual(first(gallery.calls('/api/v1/photos'), 'photo searches').query.hash, sha1);
  assert.deepEqual(markerNames(piped), ['Ida']);
  assert.deepEqual(markerNames(decoyA), []);
});

test("429 while another people update runs is retry later (Retry-After honoured); 404 is the photo's; 500 the gallery's", async () => {
  prismPhoto('busy.jpg');
  const event = tagged({
    path: '/srv/originals/busy.jpg',
    width: 100,
    height: 100,
    faces: [{ rect: { cx: 50, cy: 50, width: 20, height: 20 }, confirmed: 'Jon' }],
  });
  // PhotoPrism's AbortBusy answers 429 while mutex.UpdatePeople is held (internal/api/markers.go).
  gallery.beforeReply = (r) => {
    if (r.method === 'POST' && r.path === '/api/v1/markers') {
      gallery.failNext = 1;
      gallery.failStatus = 429;
    }
  };
  gallery.failRetryAfter = '30';
  await assert.rejects((await photoprism()).photoTagged(event, signal()), (err) => {
    assert.deepEqual(errorOutcome(err), { kind: 'later', retryAfterMs: 30_000 });
    return true;
  });
  gallery.failRetryAfter = undefined;
  await assert.rejects((await photoprism()).photoTagged(event, signal()), (err) => {
    assert.deepEqual(errorOutcome(err), { kind: 'later' }, 'no Retry-After: the host backs off');
    return true;
  });
  gallery.beforeReply = undefined;
  gallery.failNext = 1;
  gallery.failStatus = 500;
  await assert.rejects((await photoprism()).photoTagged(event, signal()), (err) => {
    assert.deepEqual(errorOutcome(err), { kind: 'failure' });
    return true;
  });
  // Found by the search, then deleted in PhotoPrism before it is read.
  gallery.beforeReply = (r) => {
    if (r.method === 'GET' && r.path.startsWith('/api/v1/photos/')) gallery.prism.photos.length = 0;
  };
  await assert.rejects((await photoprism()).photoTagged(event, signal()), (err) => {
    assert.deepEqual(errorOutcome(err), { kind: 'photo', watch: [] });
    assert.match(String(err), /HTTP 404/);
    return true;
  });
});
