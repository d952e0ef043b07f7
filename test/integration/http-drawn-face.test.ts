/** The photo view's routes: the plain photo, the photo list, drawn faces, and the training state. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { faceById, facesOfPhoto } from '../../src/store/faces.js';
import { take } from '../helpers/items.js';
import { call, type Fixture, startFixture, TOKEN } from './http-fixture.js';

const auth = { authorization: `Bearer ${TOKEN}` };

describe('drawn faces and the photo list', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.close());

  test('a face drawn on a photo is stored confirmed, with a chip cut from the photo, and announced', async () => {
    const before = facesOfPhoto(fx.db, fx.photos.solo).length;
    const r = await call(fx, 'POST', `/api/photos/${fx.photos.solo}/faces`, {
      headers: auth,
      body: { box: { x: 40, y: 60, width: 120, height: 140 }, person: '  Dora ' },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const id = (r.json as { face: { id: number } }).face.id;
    const f = faceById(fx.db, id);
    assert.ok(f);
    assert.deepEqual(
      [f.label_state, f.person, f.cx, f.cy, f.width, f.height, f.angle, f.strength],
      ['confirmed', 'Dora', 100, 130, 120, 140, 0, 0],
    );
    assert.equal(facesOfPhoto(fx.db, fx.photos.solo).length, before + 1);
    const chip = await call(fx, 'GET', `/api/faces/${id}/chip`);
    assert.equal(chip.status, 200);
    // The stored chip keeps the 0.25 margin around the drawn box: 1.5 × its shape.
    const meta = await sharp(chip.bytes).metadata();
    assert.ok(
      meta.width && meta.height && Math.abs(meta.width / meta.height - 120 / 140) < 0.05,
      `${meta.width}x${meta.height}`,
    );
    assert.deepEqual(
      fx.labelsChanged.changes.at(-1),
      { kind: 'face-drawn', faceId: id },
      'the training service hears of it',
    );
    const changes = await call(fx, 'GET', '/api/changes?since=0&limit=500');
    assert.ok(
      (changes.json as { changes: { photoId: number }[] }).changes.some((c) => c.photoId === fx.photos.solo),
      'the photo is announced for sidecars and plugins',
    );
  });

  test('bad drawn faces are refused with the reason', async () => {
    const post = (id: number, body: unknown) => call(fx, 'POST', `/api/photos/${id}/faces`, { headers: auth, body });
    const box = { x: 10, y: 10, width: 50, height: 50 };
    const cases: [number, unknown, number, RegExp][] = [
      [fx.photos.solo, { box: { ...box, width: 4 }, person: 'A' }, 400, /box.width/],
      [fx.photos.solo, { box: { ...box, x: 600 }, person: 'A' }, 400, /inside the photo \(640x480\)/],
      // A string that cannot be a name is refused by the one name rule: 422 with the reason.
      [fx.photos.solo, { box, person: '' }, 422, /name/],
      [fx.photos.solo, { box, person: 'A', extra: 1 }, 400, /extra|unrecognized/i],
      [fx.photos.solo, { box: { ...box, x: -1 }, person: 'A' }, 400, /box.x/],
      [fx.photos.outsideRow, { box, person: 'A' }, 404, /not found/],
      [99_999, { box, person: 'A' }, 404, /not found/],
    ];
    for (const [id, body, status, message] of cases) {
      const r = await post(id, body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.match((r.json as { error: string }).error, message);
    }
    const anonymous = await call(fx, 'POST', `/api/photos/${fx.photos.solo}/faces`, { body: { box, person: 'A' } });
    assert.equal(anonymous.status, 401);
  });

  test('the plain photo is a JPEG of the photo, oriented and scaled', async () => {
    const r = await call(fx, 'GET', `/api/photos/${fx.photos.family}/image`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^image\/jpeg/);
    const meta = await sharp(r.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [640, 480]);
    assert.equal((await call(fx, 'GET', `/api/photos/${fx.photos.outsideRow}/image`)).status, 404);
  });

  test('the photo list pages newest first; faces=none lists the photos without a face', async () => {
    const all = await call(fx, 'GET', '/api/photos?limit=2');
    const page = all.json as { photos: { id: number; faces: number }[]; next: string | null };
    assert.equal(page.photos.length, 2);
    // One date for all the fixture's photos: newest id first.
    const [newest, second] = take(page.photos, 2, 'photos');
    assert.ok(newest.id > second.id);
    assert.equal(typeof page.next, 'string');
    const rest = (await call(fx, 'GET', `/api/photos?cursor=${page.next}`)).json as { photos: { id: number }[] };
    assert.ok(rest.photos.length > 0 && rest.photos.every((p) => p.id < second.id));
    // Old clients' paging: after the photo with that id.
    const old = (await call(fx, 'GET', `/api/photos?before=${second.id}`)).json as { photos: { id: number }[] };
    assert.deepEqual(old.photos, rest.photos);
    const none = (await call(fx, 'GET', '/api/photos?faces=none')).json as { photos: unknown[] };
    assert.deepEqual(none.photos, [], 'every fixture photo has a face');
    assert.equal((await call(fx, 'GET', '/api/photos?faces=some')).status, 400);
  });

  test('training: no service yet is said plainly; train now waits for it', async () => {
    const r = await call(fx, 'GET', '/api/training');
    assert.equal(r.status, 200);
    const body = r.json as { service: unknown; persons: { name: string; chips: number; model: unknown }[] };
    assert.equal(body.service, null);
    assert.ok(body.persons.some((p) => p.name === 'Bob' && p.model === null));
    const now = await call(fx, 'POST', '/api/training', { headers: auth, body: {} });
    assert.equal(now.status, 503);
    assert.equal(now.headers.get('retry-after'), '5');
  });
});
