/**
 * Contract tests of the immich plugin against the fake Immich (test/helpers/fake-gallery.ts): the
 * paths, bodies and auth header of spec §4.1, idempotent redelivery, orientation, lookup by path
 * and by checksum, and what a gallery that misbehaves gives: "busy" is retry later, a vanished
 * asset is that photo's failure, a 5xx or a missing key permission is the gallery's (issue 15).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { createLogger } from '../../src/core/logger.js';
import type { PhotoTaggedEvent, PluginContext, PluginInstance } from '../../src/plugins/api.js';
import { immichOptionsSchema } from '../../src/plugins/builtin/immich.js';
import { BUILTIN_PLUGINS } from '../../src/plugins/builtin/index.js';
import { buildEvent } from '../../src/plugins/events.js';
import { parseOptions } from '../../src/plugins/loader.js';
import { errorOutcome, photoFailedError, retryLaterError } from '../../src/plugins/outcome.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { eventsAfter } from '../../src/store/outbox.js';
import { FakeGallery, hashOf, type SeedPhoto, seedPhoto } from '../helpers/fake-gallery.js';
import { first, take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

let dir = '';
let db: Db;
let gallery: FakeGallery;
let n = 0;

before(async () => {
  dir = await tmpDir('facetag-plugin-immich-');
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

const quiet = createLogger({ write: () => {}, rateLimit: false });
const ctx: PluginContext = {
  id: 'immich',
  log: quiet,
  deadlineMs: 5000,
  stateDir: '',
  retryLater: retryLaterError,
  photoFailed: photoFailedError,
};

async function immich(options: Record<string, unknown> = {}): Promise<PluginInstance> {
  const plugin = BUILTIN_PLUGINS.get('immich');
  assert.ok(plugin);
  const opts = parseOptions(plugin, 'immich', {
    baseUrl: gallery.url,
    apiKey: gallery.immichKey,
    pathMap: [{ from: '/lib', to: '/mnt/photos' }],
    ...options,
  });
  return plugin.create(opts, ctx);
}

/** Seeds a photo and returns the event the host would deliver for its latest change. */
function tagged(photo: Omit<SeedPhoto, 'hash'>): PhotoTaggedEvent {
  const { photoId } = seedPhoto(db, { ...photo, hash: hashOf(++n) }, 1000 + n);
  const last = eventsAfter(db, 0, 10_000)
    .events.filter((e) => e.payload.photoId === photoId)
    .pop();
  assert.ok(last);
  const event = buildEvent(db, last);
  assert.equal(event?.kind, 'photo.tagged');
  return event as PhotoTaggedEvent;
}

const signal = () => AbortSignal.timeout(5000);
/** For assert.rejects: the plugin said "retry later". */
const later = (err: unknown) => errorOutcome(err).kind === 'later';
const assetId = '0d4f5ac1-3b0e-4a43-9c1e-5d2f7e0c9a11';

test('creates missing persons, one face box per named face, then queues refresh-metadata', async () => {
  // A decoy whose path contains ours: Immich's originalPath filter is a substring match.
  gallery.immich.assets.push({
    id: '11111111-2222-4333-8444-555555555555',
    originalPath: '/old/mnt/photos/2020/family.jpg',
    checksum: 'x',
  });
  gallery.immich.assets.push({ id: assetId, originalPath: '/mnt/photos/2020/family.jpg', checksum: 'y' });
  gallery.immich.people.push({ id: 'a7a7a7a7-0000-4000-8000-000000000001', name: 'bob' });
  const event = tagged({
    path: '/lib/2020/family.jpg',
    width: 1600,
    height: 1200,
    faces: [
      { rect: { cx: 300, cy: 300, width: 100, height: 120 }, confirmed: 'Alice' },
      { rect: { cx: 800, cy: 400, width: 90, height: 90 }, auto: { name: 'Bob', value: 0.9 } },
      { rect: { cx: 1200, cy: 400, width: 90, height: 90 }, auto: { name: 'Carol', value: 0.1 } },
      { rect: { cx: 1400, cy: 900, width: 60, height: 60 } },
    ],
  });
  await (await immich()).photoTagged(event, signal());

  const calls = gallery.requests.map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(calls, [
    'POST /api/search/metadata',
    'GET /api/faces',
    'GET /api/search/person',
    'POST /api/people',
    'POST /api/faces',
    'GET /api/search/person',
    'POST /api/faces',
    'POST /api/assets/jobs',
  ]);
  for (const r of gallery.requests) assert.equal(r.headers['x-api-key'], gallery.immichKey, `${r.method} ${r.path}`);
  const [search, faces, findAlice, createAlice, faceAlice, findBob, faceBob, job] = take(
    gallery.requests,
    8,
    'gallery requests',
  );
  assert.deepEqual(search.body, { originalPath: '/mnt/photos/2020/family.jpg' });
  assert.deepEqual(faces.query, { id: assetId });
  assert.deepEqual(findAlice.query, { name: 'Alice', withHidden: 'true' });
  assert.deepEqual(createAlice.body, { name: 'Alice' });
  const alice = gallery.immich.people.find((p) => p.name === 'Alice');
  assert.ok(alice);
  assert.deepEqual(faceAlice.body, {
    assetId,
    personId: alice.id,
    imageWidth: 1600,
    imageHeight: 1200,
    x: 250,
    y: 240,
    width: 100,
    height: 120,
  });
  assert.deepEqual(findBob.query, { name: 'Bob', withHidden: 'true' });
  assert.equal(
    (faceBob.body as { personId: string }).personId,
    'a7a7a7a7-0000-4000-8000-000000000001',
    'matched "bob" case-insensitively',
  );
  assert.deepEqual(job.body, { assetIds: [assetId], name: 'refresh-metadata' });
  assert.equal(gallery.immich.faces.length, 2, 'Carol (below the threshold) and the unnamed face stay out');

  // Redelivery (at least once): nothing is created twice.
  gallery.requests.length = 0;
  await (await immich()).photoTagged(event, signal());
  assert.deepEqual(
    gallery.requests.map((r) => `${r.method} ${r.path}`),
    ['POST /api/search/metadata', 'GET /api/faces', 'POST /api/assets/jobs'],
  );
  assert.equal(gallery.immich.faces.length, 2);
});

test('an unnamed Immich face at the same place is given our person; one Immich names otherwise is left', async () => {
  gallery.immich.assets.push({ id: assetId, originalPath: '/mnt/photos/b.jpg', checksum: 'y' });
  const stranger = { id: 'b0b0b0b0-0000-4000-8000-000000000009', name: '' };
  const dora = { id: 'd0d0d0d0-0000-4000-8000-000000000004', name: 'Dora' };
  gallery.immich.people.push(stranger, dora);
  // Immich's own detector, on its 800 px preview: the same faces at half scale, slightly off.
  const common = { assetId, imageWidth: 800, imageHeight: 600, sourceType: 'machine-learning' } as const;
  gallery.immich.faces.push({
    ...common,
    id: 'f1f1f1f1-0000-4000-8000-000000000001',
    personId: stranger.id,
    x1: 126,
    y1: 121,
    x2: 176,
    y2: 180,
  });
  gallery.immich.faces.push({
    ...common,
    id: 'f2f2f2f2-0000-4000-8000-000000000002',
    personId: dora.id,
    x1: 378,
    y1: 155,
    x2: 423,
    y2: 200,
  });
  const event = tagged({
    path: '/lib/b.jpg',
    width: 1600,
    height: 1200,
    faces: [
      { rect: { cx: 300, cy: 300, width: 100, height: 120 }, confirmed: 'Eve' },
      { rect: { cx: 800, cy: 355, width: 90, height: 90 }, confirmed: 'Frank' },
    ],
  });
  await (await immich({ refreshMetadata: false })).photoTagged(event, signal());
  const eve = gallery.immich.people.find((p) => p.name === 'Eve');
  assert.ok(eve);
  const put = gallery.calls('/api/faces/');
  assert.equal(put.length, 1);
  const [request] = take(put, 1, 'PUT requests');
  assert.equal(request.method, 'PUT');
  assert.equal(request.path, `/api/faces/${eve.id}`, 'the path names the person');
  assert.deepEqual(request.body, { id: 'f1f1f1f1-0000-4000-8000-000000000001' }, 'the body names the face');
  assert.equal(gallery.immich.faces.find((f) => f.id.startsWith('f2'))?.personId, dora.id, "Immich's Dora kept");
  assert.equal(gallery.calls('/api/faces').filter((r) => r.method === 'POST').length, 0, 'no duplicate boxes');
  assert.equal(gallery.calls('/api/assets/jobs').length, 0, 'refreshMetadata: false');
});

test('boxes are in the displayed frame of a rotated photo (EXIF 6)', async () => {
  gallery.immich.assets.push({ id: assetId, originalPath: '/mnt/photos/portrait.jpg', checksum: 'y' });
  // Stored 1600×1200, shown turned: 1200×1600. The store keeps the displayed size.
  const event = tagged({
    path: '/lib/portrait.jpg',
    width: 1200,
    height: 1600,
    orientation: 6,
    faces: [{ rect: { cx: 200, cy: 1300, width: 80, height: 100 }, confirmed: 'Gus' }],
  });
  assert.deepEqual(event.stored, { width: 1600, height: 1200 });
  await (await immich()).photoTagged(event, signal());
  const post = gallery.calls('/api/faces').find((r) => r.method === 'POST');
  assert.ok(post);
  assert.deepEqual(
    { ...(post.body as object), assetId: undefined, personId: undefined },
    {
      assetId: undefined,
      personId: undefined,
      imageWidth: 1200,
      imageHeight: 1600,
      x: 160,
      y: 1250,
      width: 80,
      height: 100,
    },
  );
});

test('an asset not at the mapped path is found by its SHA-1 checksum; an unknown one is retried later', async () => {
  const library = join(dir, 'lib');
  await mkdir(library, { recursive: true });
  const file = join(library, 'upload.jpg');
  const bytes = Buffer.from('pretend jpeg bytes');
  await writeFile(file, bytes);
  const checksum = createHash('sha1').update(bytes).digest('base64');
  gallery.immich.assets.push({ id: assetId, originalPath: '/usr/src/app/upload/library/x.jpg', checksum });
  const event = tagged({
    path: file,
    width: 640,
    height: 480,
    faces: [{ rect: { cx: 100, cy: 100, width: 40, height: 40 }, confirmed: 'Hal' }],
  });
  await (await immich({ pathMap: [] })).photoTagged(event, signal());
  const searches = gallery.calls('/api/search/metadata');
  const [byPath, byChecksum] = take(searches, 2, 'searches');
  assert.deepEqual(byPath.body, { originalPath: file });
  assert.deepEqual(byChecksum.body, { checksum });
  assert.equal(checksum.length, 28);
  assert.equal(gallery.immich.faces.length, 1);

  gallery.immich.assets.length = 0;
  await assert.rejects((await immich({ pathMap: [] })).photoTagged(event, signal()), (err) => {
    assert.equal(errorOutcome(err).kind, 'later', 'not yet in Immich: retry later, not a failure');
    assert.match(String(err), /not in Immich/);
    return true;
  });
  gallery.requests.length = 0;
  await assert.rejects((await immich({ pathMap: [], matchByChecksum: false })).photoTagged(event, signal()), later);
  assert.equal(gallery.requests.length, 1, 'no checksum lookup when switched off');
});

test('a wrong key or a server error fail the delivery with the call named', async () => {
  gallery.immich.assets.push({ id: assetId, originalPath: '/mnt/photos/c.jpg', checksum: 'y' });
  const event = tagged({
    path: '/lib/c.jpg',
    width: 640,
    height: 480,
    faces: [{ rect: { cx: 100, cy: 100, width: 40, height: 40 }, confirmed: 'Ivy' }],
  });
  await assert.rejects(
    (await immich({ apiKey: 'wrong' })).photoTagged(event, signal()),
    /POST \/api\/search\/metadata: HTTP 401/,
  );
  gallery.failNext = 1;
  await assert.rejects(
    (await immich()).photoTagged(event, signal()),
    (err) => errorOutcome(err).kind === 'failure' && /HTTP 503/.test(String(err)),
    "a server error is the gallery's failure",
  );
});

test('a photo with no faces at all costs no request', async () => {
  const event = tagged({ path: '/lib/empty.jpg', width: 640, height: 480, faces: [] });
  await (await immich()).photoTagged(event, signal());
  assert.equal(gallery.requests.length, 0);
});

test('the key help names job.create; a key without it fails with a 403 that names the missing permission', async () => {
  const help = immichOptionsSchema.shape.apiKey.description ?? '';
  for (const permission of [
    'asset.read',
    'person.read',
    'person.create',
    'face.read',
    'face.create',
    'face.update',
    'job.create',
  ]) {
    assert.ok(help.includes(permission), `the apiKey help names ${permission}: ${help}`);
  }
  gallery.immich.assets.push({ id: assetId, originalPath: '/mnt/photos/k.jpg', checksum: 'y' });
  gallery.immichDenied.add('job.create');
  const event = tagged({
    path: '/lib/k.jpg',
    width: 640,
    height: 480,
    faces: [{ rect: { cx: 100, cy: 100, width: 40, height: 40 }, confirmed: 'Kim' }],
  });
  await assert.rejects((await immich()).photoTagged(event, signal()), (err) => {
    assert.match(
      String(err),
      /POST \/api\/assets\/jobs: HTTP 403: the Immich API key lacks the job\.create permission, needed to queue refresh-metadata \(or set refreshMetadata: false\)/,
    );
    assert.equal(errorOutcome(err).kind, 'failure', "the key is the plugin's problem, not the photo's");
    return true;
  });
  assert.equal(gallery.immich.faces.length, 1, 'the face was made before the refresh was refused');
  await (await immich({ refreshMetadata: false })).photoTagged(event, signal());
  assert.equal(gallery.immich.faces.length, 1, 'without the refresh the delivery succeeds, nothing twice');
});

test("an Immich face with imageWidth/imageHeight 0 (allowed by the spec) is read in the photo's own size", async () => {
  gallery.immich.assets.push({ id: assetId, originalPath: '/mnt/photos/zero.jpg', checksum: 'y' });
  const unnamed = { id: 'e0e0e0e0-0000-4000-8000-000000000001', name: '' };
  gallery.immich.people.push(unnamed);
  // The size is unknown to Immich; the box is in the photo's pixels (640×480, as the event says).
  gallery.immich.faces.push({
    id: 'f0f0f0f0-0000-4000-8000-000000000001',
    assetId,
    personId: unnamed.id,
    imageWidth: 0,
    imageHeight: 0,
    x1: 80,
    y1: 80,
    x2: 120,
    y2: 120,
    sourceType: 'exif',
  });
  const event = tagged({
    path: '/lib/zero.jpg',
    width: 640,
    height: 480,
    faces: [{ rect: { cx: 100, cy: 100, width: 40, height: 40 }, confirmed: 'Zoe' }],
  });
  await (await immich({ refreshMetadata: false })).photoTagged(event, signal());
  const zoe = gallery.immich.people.find((p) => p.name === 'Zoe');
  assert.ok(zoe);
  assert.equal(gallery.immich.faces.length, 1, 'matched the existing face, no duplicate box');
  assert.equal(
    first(gallery.immich.faces, 'Immich faces').personId,
    zoe.id,
    'the unnamed face at the same place got our person',
  );
});

test("a gallery answering 429 (with Retry-After) is retry later; 500 is its failure; a vanished asset is the photo's", async () => {
  gallery.immich.assets.push({ id: assetId, originalPath: '/mnt/photos/busy.jpg', checksum: 'y' });
  const event = tagged({
    path: '/lib/busy.jpg',
    width: 640,
    height: 480,
    faces: [{ rect: { cx: 100, cy: 100, width: 40, height: 40 }, confirmed: 'Bea' }],
  });
  gallery.failNext = 1;
  gallery.failStatus = 429;
  gallery.failRetryAfter = '7';
  await assert.rejects((await immich()).photoTagged(event, signal()), (err) => {
    assert.deepEqual(errorOutcome(err), { kind: 'later', retryAfterMs: 7000 });
    return true;
  });
  gallery.failNext = 1;
  gallery.failStatus = 500;
  gallery.failRetryAfter = undefined;
  await assert.rejects((await immich()).photoTagged(event, signal()), (err) => {
    assert.deepEqual(errorOutcome(err), { kind: 'failure' });
    assert.match(String(err), /HTTP 500/);
    return true;
  });
  // Found, then gone before the face is added: Immich answers 400 "Not found or no … access".
  gallery.beforeReply = (r) => {
    if (r.method === 'GET' && r.path === '/api/faces') gallery.immich.assets.length = 0;
  };
  await assert.rejects((await immich()).photoTagged(event, signal()), (err) => {
    assert.deepEqual(errorOutcome(err), { kind: 'photo', watch: [] });
    assert.match(String(err), /POST \/api\/faces: HTTP 400/);
    return true;
  });
});
