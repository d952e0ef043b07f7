/**
 * `GET /api/photos` for a grid grouped by month: newest first by the photo's own date (else the
 * file's mtime), an opaque cursor, the person and faces filters, and every parameter checked.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { recordAnalysis } from '../../src/store/analysis.js';
import { facesOfPhoto, personByName, setFaceLabel } from '../../src/store/faces.js';
import { markPathRemoved } from '../../src/store/photos.js';
import { at, first } from '../helpers/items.js';
import { analysis, call, chipPng, type Fixture, face, startFixture } from './http-fixture.js';

interface Listed {
  id: number;
  path: string;
  takenAt: number;
  dateSource: 'taken' | 'file';
  faces: number;
}
interface Page {
  photos: Listed[];
  next: string | null;
}

const DAY = 86_400_000;
/** Fixed dates: nothing here reads a clock. The fixture's own photos have mtime 2023-11-14. */
const T = Date.UTC(2024, 5, 1);

describe('the photo list', () => {
  let fx: Fixture;
  const ids: Record<string, number> = {};
  const idOf = (name: string): number => {
    const id = ids[name];
    if (id === undefined) assert.fail(`no photo ${name} was added`);
    return id;
  };
  before(async () => {
    fx = await startFixture();
    const chip = await chipPng(80);
    const add = (name: string, hash: string, mtimeMs: number, takenAt: number | null, faces = 1) => {
      const record = analysis(
        join(fx.root, `${name}.jpg`),
        hash,
        Array.from({ length: faces }, (_, i) => face(100 + i * 200, 100, chip, i === 0 ? 'Eve' : null, 0.5)),
      );
      ids[name] = recordAnalysis(fx.db, null, { ...record, mtimeMs, takenAt }, fx.clock.now).photoId;
    };
    // Taken long ago but copied lately: its own date wins over the file's.
    add('old-taken', '1', T + 10 * DAY, T - 400 * DAY);
    add('file-only', '2', T - 10 * DAY, null);
    add('recent-taken', '3', T - 900 * DAY, T);
    add('no-faces', '4', T - 20 * DAY, null, 0);
    // Two photos of one date: the higher id first.
    add('same-a', '5', T - 5 * DAY, null);
    add('same-b', '6', T - 5 * DAY, null);
    // A confirmed face of Fay on file-only; Eve is suggested on every photo with faces.
    const f = first(facesOfPhoto(fx.db, idOf('file-only')), 'faces of file-only');
    assert.ok(setFaceLabel(fx.db, f.id, { state: 'confirmed', person: 'Fay' }, fx.clock.now).ok);
  });
  after(() => fx.close());

  const get = async (query: string) => {
    const r = await call(fx, 'GET', `/api/photos${query}`);
    return { status: r.status, body: r.json as Page & { error?: string } };
  };

  test('newest first by the photo date, then id; takenAt and dateSource say which date', async () => {
    const { status, body } = await get('?limit=100');
    assert.equal(status, 200);
    const mine = body.photos.filter((p) => Object.values(ids).includes(p.id));
    assert.deepEqual(
      mine.map((p) => p.id),
      ['recent-taken', 'same-b', 'same-a', 'file-only', 'no-faces', 'old-taken'].map(idOf),
    );
    const byId = new Map(body.photos.map((p) => [p.id, p]));
    assert.deepEqual(
      [byId.get(idOf('old-taken'))?.takenAt, byId.get(idOf('old-taken'))?.dateSource],
      [T - 400 * DAY, 'taken'],
    );
    assert.deepEqual(
      [byId.get(idOf('file-only'))?.takenAt, byId.get(idOf('file-only'))?.dateSource],
      [T - 10 * DAY, 'file'],
    );
    // The whole list is in order (the fixture's photos, dated by their mtime, come last).
    for (let i = 1; i < body.photos.length; i++) {
      const [a, b] = [at(body.photos, i - 1, 'photos'), at(body.photos, i, 'photos')];
      assert.ok(a.takenAt > b.takenAt || (a.takenAt === b.takenAt && a.id > b.id), `${a.id} before ${b.id}`);
    }
    assert.equal(body.next, null, 'a short page is the last');
  });

  test('the cursor pages through the whole list once, in order; before=<id> continues after that photo', async () => {
    const whole = (await get('?limit=500')).body.photos.map((p) => p.id);
    const seen: number[] = [];
    let query = '?limit=2';
    for (let i = 0; i < 50; i++) {
      const { status, body } = await get(query);
      assert.equal(status, 200);
      seen.push(...body.photos.map((p) => p.id));
      if (body.next === null) break;
      assert.match(body.next, /^[A-Za-z0-9_-]+$/, 'opaque and URL-safe');
      query = `?limit=2&cursor=${body.next}`;
    }
    assert.deepEqual(seen, whole);
    const after = (await get(`?before=${idOf('same-a')}`)).body.photos.map((p) => p.id);
    assert.deepEqual(after, whole.slice(whole.indexOf(idOf('same-a')) + 1));
  });

  test('person= keeps photos with a confirmed face of that person; which= adds suggestions', async () => {
    const fay = personByName(fx.db, 'Fay')?.id;
    const eve = personByName(fx.db, 'Eve')?.id;
    assert.ok(fay && eve);
    assert.deepEqual(
      (await get(`?person=${fay}`)).body.photos.map((p) => p.id),
      [idOf('file-only')],
    );
    assert.deepEqual((await get(`?person=${eve}`)).body.photos, [], 'Eve is only suggested');
    const suggested = (await get(`?person=${eve}&which=suggested`)).body.photos.map((p) => p.id);
    assert.deepEqual(suggested, ['recent-taken', 'same-b', 'same-a', 'old-taken'].map(idOf), 'file-only is Fay now');
    assert.deepEqual(
      (await get(`?person=${fay}&which=all`)).body.photos.map((p) => p.id),
      [idOf('file-only')],
    );
    assert.equal((await get('?person=999999')).status, 404);
  });

  test('faces=none lists analysed photos without a face; removed photos are never listed', async () => {
    assert.deepEqual(
      (await get('?faces=none')).body.photos.map((p) => p.id),
      [idOf('no-faces')],
    );
    markPathRemoved(fx.db, join(fx.root, 'same-a.jpg'), fx.clock.now);
    const all = (await get('?limit=500')).body.photos.map((p) => p.id);
    assert.ok(!all.includes(idOf('same-a')));
    assert.equal((await get(`?before=${idOf('same-a')}`)).status, 400, 'a removed photo is no place to page from');
  });

  test('clients written for the id-paged list, passing `next` back as `before` (teach.py), still page through it all', async () => {
    const whole = (await get('?limit=500')).body.photos.map((p) => p.id);
    const seen: number[] = [];
    let query = '?limit=2&before=0';
    for (let i = 0; i < 50; i++) {
      const { status, body } = await get(query);
      assert.equal(status, 200, query);
      seen.push(...body.photos.map((p) => p.id));
      if (body.next === null) break;
      query = `?limit=2&before=${body.next}`;
    }
    assert.deepEqual(seen, whole);
  });

  test('every parameter is checked, with the reason', async () => {
    const cases: [string, RegExp][] = [
      ['?limit=0', /limit/],
      ['?limit=501', /limit/],
      ['?limit=abc', /limit/],
      ['?cursor=nope!', /cursor/],
      [`?cursor=${Buffer.from('1.x').toString('base64url')}`, /cursor/],
      [`?cursor=${Buffer.from('1.2').toString('base64url')}&before=3`, /before: give either cursor or before/],
      ['?which=all', /which: which applies to a person/],
      ['?person=1&faces=none', /faces/],
      ['?person=-1', /person/],
      ['?person=1&person=2', /person/],
      ['?faces=some', /faces/],
      ['?which=maybe&person=1', /which/],
      ['?persons=1', /persons/],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await get(query);
      assert.equal(status, 400, query);
      assert.match(body.error ?? '', message, query);
      assert.match(body.error ?? '', /^invalid query: /, query);
    }
  });
});
