import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as z from 'zod';
import { recordAnalysis } from '../../src/store/analysis.js';
import { facesOfPhoto, personByName, setFaceLabel } from '../../src/store/faces.js';
import { outboxDepth } from '../../src/store/outbox.js';
import { markRemoved } from '../../src/store/photos.js';
import { at, take } from '../helpers/items.js';
import { analysis, call, chipPng, type Fixture, face, startFixture, TOKEN } from './http-fixture.js';

const errorBody = z.object({ error: z.string() });
const personsBody = z.object({
  persons: z.array(z.object({ id: z.int(), name: z.string(), confirmed: z.int(), suggested: z.int() })),
});
const faceJson = z.object({
  id: z.int(),
  box: z.object({ cx: z.number(), cy: z.number(), width: z.number(), height: z.number(), angle: z.number() }),
  labelState: z.enum(['auto', 'confirmed', 'rejected', 'not_a_face', 'ignored']),
  person: z.string().nullable(),
  predictedPerson: z.string().nullable(),
  decisionValue: z.number().nullable(),
  hasChip: z.boolean(),
});
const photoFacesBody = z.object({
  photo: z.object({ id: z.int(), path: z.string(), status: z.string() }),
  faces: z.array(faceJson),
});
const personPhotosBody = z.object({
  person: z.object({ id: z.int(), name: z.string() }),
  photos: z.array(
    z.object({
      id: z.int(),
      path: z.string(),
      faces: z.array(z.object({ id: z.int(), state: z.string(), decisionValue: z.number().nullable() })),
    }),
  ),
  next: z.int().nullable(),
});
const changesBody = z.object({
  changes: z.array(
    z.object({
      cursor: z.int(),
      kind: z.string(),
      photoId: z.int(),
      path: z.string(),
      hash: z.string().nullable(),
      at: z.int(),
      cause: z.string().optional(),
      from: z.string().optional(),
    }),
  ),
  next: z.int(),
  resync: z.boolean(),
});

const personId = (fx: Fixture, name: string): number => {
  const p = personByName(fx.db, name);
  assert.ok(p, `person ${name} exists`);
  return p.id;
};

describe('reads', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.close());

  test('GET /api/persons lists each person with confirmed and suggested counts', async () => {
    const r = await call(fx, 'GET', '/api/persons');
    assert.equal(r.status, 200);
    assert.deepEqual(
      personsBody.parse(r.json).persons.map(({ name, confirmed, suggested }) => ({ name, confirmed, suggested })),
      [
        { name: 'Bob', confirmed: 0, suggested: 2 },
        { name: 'Carol', confirmed: 0, suggested: 1 },
      ],
    );
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });

  test('GET /api/photos/:id/faces gives the photo and its faces; an unknown id is a JSON 404', async () => {
    const r = await call(fx, 'GET', `/api/photos/${fx.photos.family}/faces`);
    assert.equal(r.status, 200);
    const body = photoFacesBody.parse(r.json);
    assert.equal(body.photo.path, join(fx.root, 'family.jpg'));
    assert.deepEqual(
      body.faces.map((f) => [f.box.cx, f.predictedPerson, f.labelState, f.hasChip]),
      [
        [120, 'Bob', 'auto', true],
        [320, null, 'auto', true],
        [520, 'Bob', 'auto', true],
      ],
    );
    const missing = await call(fx, 'GET', '/api/photos/999999/faces');
    assert.equal(missing.status, 404);
    assert.match(errorBody.parse(missing.json).error, /photo 999999 not found/);
  });

  test('ids that are not positive integers are a 400 naming the id', async () => {
    for (const id of ['0', '-1', 'abc', '1.5', '1e3', '01', '99999999999999999999']) {
      const r = await call(fx, 'GET', `/api/photos/${id}/faces`);
      assert.equal(r.status, 400, id);
      assert.equal(errorBody.parse(r.json).error, 'photo id must be a positive integer');
    }
  });

  test('GET /api/faces/:id/chip serves the stored chip as PNG', async () => {
    const [first] = take(facesOfPhoto(fx.db, fx.photos.family), 1, 'faces of the family photo');
    const r = await call(fx, 'GET', `/api/faces/${first.id}/chip`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/png');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(r.bytes, await chipPng(90));
    const missing = await call(fx, 'GET', '/api/faces/424242/chip');
    assert.equal(missing.status, 404);
    assert.match(errorBody.parse(missing.json).error, /face 424242 not found/);
  });

  test('GET /api/persons/:id/photos pages by cursor and can be limited to confirmed faces', async () => {
    // Bob also appears in four more photos, one of which is removed and not listed.
    const ids: number[] = [];
    for (const c of ['1', '2', '3', '4']) {
      const chip = await chipPng(50);
      ids.push(
        recordAnalysis(fx.db, null, analysis(`${fx.root}/bob${c}.jpg`, c, [face(50, 50, chip, 'Bob', 0.5)]), 1).photoId,
      );
    }
    markRemoved(fx.db, [at(ids, 3, 'photo ids')], 2);
    const bob = personId(fx, 'Bob');
    const pages: number[][] = [];
    let after = 0;
    for (;;) {
      const r = await call(fx, 'GET', `/api/persons/${bob}/photos?limit=2&after=${after}`);
      assert.equal(r.status, 200);
      const body = personPhotosBody.parse(r.json);
      assert.equal(body.person.name, 'Bob');
      pages.push(body.photos.map((p) => p.id));
      if (body.next === null) break;
      after = body.next;
    }
    assert.deepEqual(pages, [[fx.photos.family, ids[0]], [ids[1], ids[2]], []]);
    const family = at(
      personPhotosBody.parse((await call(fx, 'GET', `/api/persons/${bob}/photos`)).json).photos,
      0,
      "Bob's photos",
    );
    assert.deepEqual(
      family.faces.map((f) => [f.state, f.decisionValue]),
      [
        ['auto', 0.7],
        ['auto', 0.2],
      ],
    );
    const confirmed = personPhotosBody.parse(
      (await call(fx, 'GET', `/api/persons/${bob}/photos?which=confirmed`)).json,
    );
    assert.deepEqual(confirmed.photos, []);

    assert.equal((await call(fx, 'GET', '/api/persons/987654/photos')).status, 404);
    for (const q of ['limit=0', 'limit=501', 'limit=x', 'after=-1', 'which=maybe', 'limit=1&limit=2']) {
      const r = await call(fx, 'GET', `/api/persons/${bob}/photos?${q}`);
      assert.equal(r.status, 400, q);
      assert.match(errorBody.parse(r.json).error, /^invalid query: /);
    }
  });

  test('GET /api/changes follows the outbox by cursor without marking anything delivered', async () => {
    const depth = outboxDepth(fx.db);
    const first = changesBody.parse((await call(fx, 'GET', '/api/changes?limit=2')).json);
    assert.equal(first.changes.length, 2);
    assert.equal(first.resync, false);
    assert.deepEqual(
      first.changes.map((c) => [c.kind, c.photoId, c.path, c.cause]),
      [
        ['photo.analysed', fx.photos.family, join(fx.root, 'family.jpg'), 'analysed'],
        ['photo.analysed', fx.photos.solo, join(fx.root, 'solo.jpg'), 'analysed'],
      ],
    );
    assert.equal(first.next, at(first.changes, 1, 'changes').cursor);

    // Read to the end, then a label change shows up after the cursor.
    let next = first.next;
    for (;;) {
      const page = changesBody.parse((await call(fx, 'GET', `/api/changes?since=${next}`)).json);
      if (page.changes.length === 0) {
        assert.equal(page.next, next, 'an empty page keeps the cursor');
        break;
      }
      next = page.next;
    }
    const [f] = take(facesOfPhoto(fx.db, fx.photos.solo), 1, 'faces of the solo photo');
    assert.ok(setFaceLabel(fx.db, f.id, { state: 'not_a_face' }, 5).ok);
    const after = changesBody.parse((await call(fx, 'GET', `/api/changes?since=${next}`)).json);
    assert.deepEqual(
      after.changes.map((c) => [c.kind, c.photoId, c.cause]),
      [['photo.analysed', fx.photos.solo, 'labelled']],
    );
    assert.equal(outboxDepth(fx.db), depth + 1, 'reading the feed delivers nothing');

    const beyond = changesBody.parse((await call(fx, 'GET', `/api/changes?since=${after.next + 1000}`)).json);
    assert.deepEqual(beyond, { changes: [], next: after.next, resync: true });
    assert.equal((await call(fx, 'GET', '/api/changes?since=abc')).status, 400);
  });
});

describe('label actions', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.close());

  const label = (id: number, body: unknown, token = TOKEN) =>
    call(fx, 'POST', `/api/faces/${id}/label`, { body, token });
  const faces = () => facesOfPhoto(fx.db, fx.photos.family);

  test('name, confirm, reject, not_a_face, ignore and clear change the store and signal a retrain', async () => {
    const [a, b, c] = take(faces(), 3, 'faces of the family photo');
    const before = fx.labelsChanged.count;

    const named = await label(b.id, { action: 'name', person: '  Dana ' });
    assert.equal(named.status, 200);
    assert.deepEqual(z.object({ face: faceJson }).parse(named.json).face.person, 'Dana', 'the name is stored trimmed');
    assert.equal((await label(a.id, { action: 'confirm', person: 'Dana' })).status, 200);
    assert.equal((await label(c.id, { action: 'reject' })).status, 200);

    assert.deepEqual(
      faces().map((f) => [f.label_state, f.person]),
      [
        ['confirmed', 'Dana'],
        ['confirmed', 'Dana'],
        ['rejected', 'Bob'],
      ],
    );
    const ignored = await label(c.id, { action: 'ignore' });
    assert.equal(ignored.status, 200);
    assert.equal(z.object({ face: faceJson }).parse(ignored.json).face.labelState, 'ignored');
    const third = faces()[2];
    assert.deepEqual([third?.label_state, third?.person], ['ignored', null]);
    assert.equal((await label(a.id, { action: 'not_a_face' })).status, 200);
    assert.equal((await label(c.id, { action: 'clear' })).status, 200);
    assert.deepEqual(
      faces().map((f) => [f.label_state, f.person]),
      [
        ['not_a_face', null],
        ['confirmed', 'Dana'],
        ['auto', null],
      ],
    );
    assert.equal(fx.labelsChanged.count, before + 6);
  });

  test('refused label actions change nothing and do not signal', async () => {
    const [, b] = take(faces(), 2, 'faces of the family photo');
    const before = fx.labelsChanged.count;
    const state = faces();
    const cases: [number, unknown, number, RegExp][] = [
      [b.id, { action: 'confirm', person: 'Nobody Yet' }, 422, /no person is named "Nobody Yet"/],
      [b.id, { action: 'reject', person: 'Nobody Yet' }, 422, /no person is named/],
      // A name the name rule refuses is a 422 with the reason (issue 15); a malformed body a 400.
      [b.id, { action: 'name', person: ' \t' }, 422, /person: a name must not be empty/],
      [b.id, { action: 'name', person: 'x'.repeat(201) }, 422, /person: a name is at most 200 characters/],
      [b.id, { action: 'name' }, 400, /person/],
      [b.id, { action: 'confirm', person: 'Dana', extra: 1 }, 400, /extra/],
      [b.id, { action: 'delete' }, 400, /action/],
      [b.id, ['not_a_face'], 400, /invalid request body/],
      [999_999, { action: 'not_a_face' }, 404, /face 999999 not found/],
    ];
    for (const [id, body, status, message] of cases) {
      const r = await label(id, body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.match(errorBody.parse(r.json).error, message);
    }
    // The unlabelled face without a suggestion has nothing to reject.
    await label(b.id, { action: 'clear' });
    const r = await label(b.id, { action: 'reject' });
    assert.equal(r.status, 409);
    assert.match(errorBody.parse(r.json).error, /no suggestion to reject/);
    assert.equal(fx.labelsChanged.count, before + 1, 'only the clear counted');
    assert.deepEqual(
      faces().map((f) => f.id),
      state.map((f) => f.id),
    );
  });
});

describe('rename and merge', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.close());

  test('rename changes the name, announces the photos showing the person, and refuses a taken name', async () => {
    const bob = personId(fx, 'Bob');
    const before = changesBody.parse((await call(fx, 'GET', '/api/changes?limit=500')).json).next;
    const r = await call(fx, 'POST', `/api/persons/${bob}/rename`, { body: { name: 'Robert' }, token: TOKEN });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { person: { id: bob, name: 'Robert' } });
    assert.equal(personByName(fx.db, 'Bob'), undefined);
    assert.equal(at(facesOfPhoto(fx.db, fx.photos.family), 0, 'faces of the family photo').predicted_person, 'Robert');
    const announced = changesBody.parse((await call(fx, 'GET', `/api/changes?since=${before}`)).json);
    assert.deepEqual(
      announced.changes.map((c) => c.photoId),
      [fx.photos.family],
    );
    assert.equal(fx.labelsChanged.count, 1);
    assert.deepEqual(fx.labelsChanged.changes.at(-1), { kind: 'person-renamed', personId: bob });

    const carol = personId(fx, 'Carol');
    const taken = await call(fx, 'POST', `/api/persons/${bob}/rename`, { body: { name: 'Carol' }, token: TOKEN });
    assert.equal(taken.status, 409);
    assert.deepEqual(taken.json, { existingId: carol, error: 'a person named "Carol" exists: merge into it instead' });

    const same = await call(fx, 'POST', `/api/persons/${bob}/rename`, { body: { name: 'Robert' }, token: TOKEN });
    assert.equal(same.status, 200);
    assert.equal(fx.labelsChanged.count, 1, 'an unchanged name needs no retrain');

    assert.equal(
      (await call(fx, 'POST', '/api/persons/999/rename', { body: { name: 'X' }, token: TOKEN })).status,
      404,
    );
    assert.equal(
      (await call(fx, 'POST', `/api/persons/${bob}/rename`, { body: { name: '' }, token: TOKEN })).status,
      422,
    );
  });

  test('merge moves confirmed labels, rejections and suggestions to the target and deletes the source', async () => {
    const [a, b, c] = take(facesOfPhoto(fx.db, fx.photos.family), 3, 'faces of the family photo');
    assert.ok(setFaceLabel(fx.db, b.id, { state: 'confirmed', person: 'Eve' }, 10).ok);
    assert.ok(setFaceLabel(fx.db, c.id, { state: 'rejected', person: 'Eve' }, 10).ok);
    const eve = personId(fx, 'Eve');
    const carol = personId(fx, 'Carol');
    const robert = personId(fx, 'Robert');
    const before = changesBody.parse((await call(fx, 'GET', '/api/changes?limit=500')).json).next;
    const signals = fx.labelsChanged.count;

    const r = await call(fx, 'POST', `/api/persons/${eve}/merge`, { body: { into: carol }, token: TOKEN });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {
      into: { id: carol, name: 'Carol' },
      moved: { confirmed: 1, rejected: 1, predicted: 0 },
    });
    assert.equal(personByName(fx.db, 'Eve'), undefined);
    assert.deepEqual(
      facesOfPhoto(fx.db, fx.photos.family).map((f) => [f.id, f.label_state, f.person]),
      [
        [a.id, 'auto', null],
        [b.id, 'confirmed', 'Carol'],
        [c.id, 'rejected', 'Carol'],
      ],
    );
    // Suggestions move too.
    const m = await call(fx, 'POST', `/api/persons/${robert}/merge`, { body: { into: carol }, token: TOKEN });
    assert.deepEqual(z.object({ moved: z.object({ predicted: z.int() }) }).parse(m.json).moved.predicted, 2);
    assert.equal(at(facesOfPhoto(fx.db, fx.photos.family), 0, 'faces of the family photo').predicted_person, 'Carol');
    const announced = changesBody.parse((await call(fx, 'GET', `/api/changes?since=${before}`)).json);
    assert.deepEqual(
      announced.changes.map((c) => c.photoId),
      [fx.photos.family, fx.photos.family],
    );
    assert.equal(fx.labelsChanged.count, signals + 2);
    assert.deepEqual(fx.labelsChanged.changes.slice(-2), [
      { kind: 'persons-merged', from: eve, into: carol },
      { kind: 'persons-merged', from: robert, into: carol },
    ]);

    const bad: [string, unknown, number][] = [
      [`/api/persons/${carol}/merge`, { into: carol }, 400],
      [`/api/persons/${carol}/merge`, { into: 777 }, 404],
      ['/api/persons/777/merge', { into: carol }, 404],
      [`/api/persons/${carol}/merge`, { into: '1' }, 400],
      [`/api/persons/${carol}/merge`, { into: -3 }, 400],
    ];
    for (const [path, body, status] of bad) {
      const res = await call(fx, 'POST', path, { body, token: TOKEN });
      assert.equal(res.status, status, `${path} ${JSON.stringify(body)}`);
      errorBody.parse(res.json);
    }
    assert.ok(personByName(fx.db, 'Carol'), 'the target survives refused merges');
  });
});

describe('operations', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.close());

  test('/healthz is 200; /readyz follows readiness with its reason', async () => {
    assert.deepEqual((await call(fx, 'GET', '/healthz')).json, { ok: true });
    assert.deepEqual((await call(fx, 'GET', '/readyz')).json, { ready: true });
    fx.readiness.value = { ready: false, reason: 'reconciling' };
    const r = await call(fx, 'GET', '/readyz');
    assert.equal(r.status, 503);
    assert.deepEqual(r.json, { ready: false, reason: 'reconciling' });
  });

  test('/metrics is Prometheus text with the store counts and the daemon snapshot', async () => {
    const r = await call(fx, 'GET', '/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = r.bytes.toString('utf8');
    const samples = new Map<string, number>();
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('#')) {
        assert.match(
          line,
          /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))$/,
        );
        continue;
      }
      const m =
        /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})?) (\S+)$/.exec(
          line,
        );
      assert.ok(m, `sample line: ${line}`);
      samples.set(at(m, 1, 'sample name'), Number(at(m, 2, 'sample value')));
    }
    assert.equal(samples.get('facetag_queue_depth'), 0);
    assert.equal(samples.get('facetag_photos{status="done"}'), 4);
    assert.equal(samples.get('facetag_photos_analysed_total'), 12);
    assert.equal(samples.get('facetag_photos_failed_total'), 1);
    assert.equal(samples.get('facetag_sidecar_write_errors_total'), 4);
    assert.equal(samples.get('facetag_stage_duration_seconds_bucket{stage="analyse",le="1"}'), 5);
    assert.equal(samples.get('facetag_stage_duration_seconds_bucket{stage="analyse",le="+Inf"}'), 12);
    assert.equal(samples.get('facetag_stage_duration_seconds_sum{stage="analyse"}'), 21.5);
    assert.equal(samples.get('facetag_watcher_roots{mode="watching"}'), 2);
    assert.equal(samples.get('facetag_watcher_roots{mode="polling"}'), 1);
    assert.equal(samples.get('facetag_watcher_roots{mode="closed"}'), 0);
    assert.equal(samples.get('facetag_outbox_undelivered'), 4);
  });
});
