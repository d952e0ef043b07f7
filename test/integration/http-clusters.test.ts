/**
 * The clusters of unknown faces through the HTTP API, with a real clustering service on the
 * store: listed biggest first, named in one action, undone, and a face taken out stays out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger } from '../../src/core/logger.js';
import { createClusteringService } from '../../src/daemon/clustering.js';
import { embeddingSpec, featureKey } from '../../src/recognize/features.js';
import { fakeTimers } from '../helpers/fake-timers.js';
import { call, type Fixture, startFixture, TOKEN } from './http-fixture.js';

const spec = embeddingSpec(0.5);
const key = featureKey(spec);
let fx: Fixture;
const timers = fakeTimers();
let service: ReturnType<typeof createClusteringService>;

/** A unit vector along axis `axis`, nudged by `nudge` on the next axis. */
function embedding(axis: number, nudge = 0): Buffer {
  const v = new Float32Array(spec.dimensions);
  v[axis] = 1;
  v[axis + 1] = nudge;
  return Buffer.from(v.buffer);
}

interface Group {
  kind: string;
  clusterId: number | null;
  faces: { id: number }[];
}
const groups = async (): Promise<Group[]> => {
  const r = await call(fx, 'GET', '/api/unknown-faces');
  assert.equal(r.status, 200);
  return (r.json as { groups: Group[] }).groups;
};
const shape = (gs: Group[]) => gs.map((g) => [g.kind, g.faces.map((f) => f.id).sort((a, b) => a - b)]);

let alike: number[] = [];
let loner = 0;

before(async () => {
  fx = await startFixture({ clusters: { takeOut: (id) => service.takeOut(id) } });
  const unknown = fx.db
    .prepare('SELECT id FROM faces WHERE predicted_person_id IS NULL ORDER BY id')
    .pluck()
    .all()
    .map(Number);
  assert.equal(unknown.length, 3, 'the fixture has three unknown faces');
  const [a, b, c] = unknown as [number, number, number];
  alike = [a, c];
  loner = b;
  const set = fx.db.prepare('UPDATE faces SET features = ?, feature_key = ?, strength = 950 WHERE id = ?');
  set.run(embedding(0), key, a);
  set.run(embedding(0, 0.2), key, c);
  set.run(embedding(10), key, b);
  service = createClusteringService({
    db: fx.db,
    featureKey: key,
    dimensions: spec.dimensions,
    log: createLogger({ write: () => {}, syslogPrefix: false }),
    timers,
  });
  await service.sync();
});
after(async () => {
  await service.stop();
  await fx.close();
});

test('the clusters are refined once no new face has been placed for a minute (fake clock)', async () => {
  assert.equal(service.status().lastRefine, null, 'placing faces does not refine at once');
  timers.advance(59_999);
  await service.sync();
  assert.equal(service.status().lastRefine, null, 'not before the minute is up');
  timers.advance(1);
  await service.sync(); // queued behind the refinement
  assert.equal(service.status().lastRefine?.faces, 3, 'refined when it is');
  timers.advance(600_000);
  await service.sync();
  assert.equal(service.status().lastRefine?.faces, 3);
  assert.equal(timers.pending(), 1, 'only the poll is left: nothing new was placed');
});

test('unknown faces come as stored clusters, biggest first, then the faces seen once', async () => {
  const gs = await groups();
  assert.deepEqual(shape(gs), [
    ['cluster', alike],
    ['once', [loner]],
  ]);
  assert.equal(typeof gs[0]?.clusterId, 'number');
  assert.deepEqual((await groups())[0]?.clusterId, gs[0]?.clusterId, 'the same id on the next request');
});

test('a whole cluster is named in one action, and undone in one', async () => {
  const [cluster] = await groups();
  const before = fx.labelsChanged.count;
  const named = await call(fx, 'POST', '/api/faces/label', {
    token: TOKEN,
    body: { faces: alike, action: 'name', person: 'Dana' },
  });
  assert.equal(named.status, 200);
  const { actionId, labelled } = named.json as { actionId: number; labelled: number };
  assert.equal(labelled, 2);
  assert.equal(fx.labelsChanged.count, before + 1, 'one retrain for the whole cluster');
  assert.deepEqual(fx.labelsChanged.changes.at(-1), { kind: 'faces-labelled', faceIds: alike });
  const states = () =>
    fx.db
      .prepare(
        "SELECT f.label_state || ':' || coalesce(p.name, '') FROM faces f LEFT JOIN persons p ON p.id = f.person_id WHERE f.id IN (?, ?)",
      )
      .pluck()
      .all(...alike);
  assert.deepEqual(states(), ['confirmed:Dana', 'confirmed:Dana']);
  assert.deepEqual(shape(await groups()), [['once', [loner]]]);

  const listed = await call(fx, 'GET', '/api/label-actions');
  assert.deepEqual((listed.json as { actions: { id: number; summary: string }[] }).actions[0], {
    id: actionId,
    summary: '2 faces named Dana',
    faces: 2,
    at: fx.clock.now,
  });

  fx.clock.now += 1000;
  const undone = await call(fx, 'POST', `/api/label-actions/${actionId}/undo`, { token: TOKEN, body: {} });
  assert.equal(undone.status, 200);
  assert.deepEqual(undone.json, { restored: 2, kept: 0 });
  assert.deepEqual(states(), ['auto:', 'auto:']);
  const back = await groups();
  assert.deepEqual(shape(back), shape([cluster as Group, { kind: 'once', clusterId: null, faces: [{ id: loner }] }]));
  assert.equal(back[0]?.clusterId, cluster?.clusterId, 'the cluster comes back under its id');
  const again = await call(fx, 'POST', `/api/label-actions/${actionId}/undo`, { token: TOKEN, body: {} });
  assert.equal(again.status, 409);
});

test('a bulk action is all or none, and needs the token', async () => {
  const missing = await call(fx, 'POST', '/api/faces/label', {
    token: TOKEN,
    body: { faces: [...alike, 999_999], action: 'ignore' },
  });
  assert.equal(missing.status, 404);
  assert.equal(fx.db.prepare("SELECT count(*) FROM faces WHERE label_state = 'ignored'").pluck().get(), 0);
  const anonymous = await call(fx, 'POST', '/api/faces/label', { body: { faces: alike, action: 'ignore' } });
  assert.equal(anonymous.status, 401);
  const empty = await call(fx, 'POST', '/api/faces/label', { token: TOKEN, body: { faces: [], action: 'ignore' } });
  assert.equal(empty.status, 400);
});

test('a face taken out of its cluster stays out, through new faces and a refinement', async () => {
  const [first, second] = alike as [number, number];
  const out = await call(fx, 'POST', `/api/faces/${second}/uncluster`, { token: TOKEN, body: {} });
  assert.equal(out.status, 200);
  assert.deepEqual(shape(await groups()), [['once', [first, loner, second]]]);
  await service.refine();
  await service.sync();
  assert.deepEqual(shape(await groups()), [['once', [first, loner, second]]], 'the refinement keeps it out');
  const none = await call(fx, 'POST', `/api/faces/${loner}/uncluster`, { token: TOKEN, body: {} });
  assert.equal(none.status, 200, 'a face alone in its cluster can be taken out too');
  const unknown = await call(fx, 'POST', '/api/faces/999999/uncluster', { token: TOKEN, body: {} });
  assert.equal(unknown.status, 404);
});
