/**
 * The labelling module (issue 16 §3): one place for every label action. Each refusal comes from
 * the one registry and leaves the store as it was; each change is published once, after its
 * transaction commits (a listener already reads the new label).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { createLabelling, type LabelChange, type Labelling } from '../../src/labelling/labelling.js';
import { problems } from '../../src/labelling/problems.js';
import { type AnalysisRecord, recordAnalysis } from '../../src/store/analysis.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import type { FaceInput } from '../../src/store/face-writes.js';
import { faceById, facesOfPhoto, personByName } from '../../src/store/faces.js';
import { outboxDepth } from '../../src/store/outbox.js';
import { take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

let dir = '';
let db: Db;
let labelling: Labelling;
let published: { change: LabelChange; labelState: (string | undefined)[] }[] = [];
let faces: number[] = [];
let photoId = 0;

const face = (cx: number, predictedPerson: string | null): FaceInput => ({
  rect: { cx, cy: 200, width: 80, height: 80, angle: 0 },
  strength: 4,
  support: 9,
  chip: new Uint8Array([0x89, 0x50, 0x4e, 0x47, cx & 0xff]),
  chipPadding: 0.25,
  features: null,
  featureKey: null,
  predictedPerson,
  decisionValue: predictedPerson ? 0.4 : null,
});

before(async () => {
  dir = await tmpDir('facetag-labelling-');
  db = openDatabase(join(dir, 'data'));
  const record: AnalysisRecord = {
    path: '/lib/family.jpg',
    size: 1234,
    mtimeMs: 1_700_000_000_000,
    hash: 'b'.repeat(64),
    pipelineVersion: 1,
    modelVersion: 'v1',
    width: 1600,
    height: 1200,
    orientation: 1,
    takenAt: null,
    faces: [face(200, 'Bob'), face(600, null), face(1000, null)],
  };
  photoId = recordAnalysis(db, null, record, 1000).photoId;
  faces = facesOfPhoto(db, photoId).map((f) => f.id);
  let clock = 2000;
  labelling = createLabelling({
    db,
    now: () => clock++,
    changes: {
      // What a listener sees when it hears: the labels as committed.
      publish: (change) => published.push({ change, labelState: faces.map((id) => faceById(db, id)?.label_state) }),
    },
  });
});
after(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  published = [];
});
/** A function, not the array: an assert on `published` narrows its type for the rest of a test. */
const lastChange = (): LabelChange | undefined => published.at(-1)?.change;
const allChanges = (): LabelChange[] => published.map((p) => p.change);

test('a refused action changes nothing and publishes nothing', () => {
  const [a, b] = take(faces, 2, 'face ids');
  const outbox = outboxDepth(db);
  const cases: [ReturnType<Labelling['label']>, ReturnType<typeof problems.faceNotFound>][] = [
    [labelling.label(999_999, { action: 'ignore' }), problems.faceNotFound(999_999)],
    [labelling.label(a, { action: 'confirm', person: 'Nobody Yet' }), problems.unknownPerson('Nobody Yet')],
    [labelling.label(b, { action: 'reject' }), problems.nothingToReject(b)],
    [labelling.label(a, { action: 'name', person: '   ' }), problems.invalidName('a name must not be empty')],
  ];
  for (const [outcome, problem] of cases) assert.deepEqual(outcome, { ok: false, problem });
  assert.equal(personByName(db, 'Nobody Yet'), undefined);
  assert.deepEqual(
    faces.map((id) => faceById(db, id)?.label_state),
    ['auto', 'auto', 'auto'],
  );
  assert.equal(outboxDepth(db), outbox, 'no sidecar event for a refused action');
  assert.deepEqual(published, []);
});

test('a label is stored, announced to the outbox and published after commit, with the name as stored', () => {
  const [a] = take(faces, 1, 'face ids');
  const outbox = outboxDepth(db);
  const r = labelling.label(a, { action: 'name', person: '  Alice  ' });
  assert.ok(r.ok);
  assert.equal(r.face.person, 'Alice');
  assert.equal(outboxDepth(db), outbox + 1);
  assert.deepEqual(published, [
    { change: { kind: 'faces-labelled', faceIds: [a] }, labelState: ['confirmed', 'auto', 'auto'] },
  ]);
  // Confirm now finds Alice.
  assert.ok(labelling.label(a, { action: 'confirm', person: 'Alice' }).ok);
});

test('many faces: a refusal of one rolls back all; undo puts back exactly what the action replaced', () => {
  const [a, b, c] = take(faces, 3, 'face ids');
  assert.deepEqual(labelling.labelMany([b, 999_998, c], { action: 'ignore' }), {
    ok: false,
    problem: problems.faceNotFound(999_998),
  });
  assert.deepEqual([faceById(db, b)?.label_state, faceById(db, c)?.label_state], ['auto', 'auto']);
  assert.deepEqual(published, []);

  const r = labelling.labelMany([b, c], { action: 'name', person: 'Carol' });
  assert.ok(r.ok);
  assert.equal(r.labelled, 2);
  assert.deepEqual(lastChange(), { kind: 'faces-labelled', faceIds: [b, c] });
  const undo = labelling.undo(r.actionId);
  assert.deepEqual(undo, { ok: true, restored: 2, kept: 0 });
  assert.deepEqual(lastChange(), { kind: 'label-action-undone', actionId: r.actionId });
  assert.deepEqual(
    [a, b, c].map((id) => faceById(db, id)?.label_state),
    ['confirmed', 'auto', 'auto'],
  );
  assert.deepEqual(labelling.undo(r.actionId), { ok: false, problem: problems.alreadyUndone(r.actionId) });
  assert.deepEqual(labelling.undo(424_242), { ok: false, problem: problems.actionNotFound(424_242) });
});

test('rename and merge: refusals from the registry, changes published once', () => {
  const [, b] = take(faces, 2, 'face ids');
  assert.ok(labelling.label(b, { action: 'name', person: 'Dora' }).ok);
  const alice = personByName(db, 'Alice');
  const dora = personByName(db, 'Dora');
  assert.ok(alice && dora);
  published = [];
  assert.deepEqual(labelling.rename(dora.id, 'Alice'), {
    ok: false,
    problem: problems.nameTaken('Alice', alice.id),
  });
  assert.deepEqual(labelling.rename(777_777, 'Eve'), { ok: false, problem: problems.personNotFound(777_777) });
  // The same name is no change: nothing to retrain.
  assert.deepEqual(labelling.rename(dora.id, 'Dora'), { ok: true, person: dora, changed: false });
  assert.deepEqual(allChanges(), []);
  assert.ok(labelling.rename(dora.id, 'Dorothea').ok);
  assert.deepEqual(allChanges(), [{ kind: 'person-renamed', personId: dora.id }]);
  assert.deepEqual(labelling.merge(dora.id, dora.id), { ok: false, problem: problems.samePerson() });
  assert.deepEqual(labelling.merge(dora.id, 777_777), { ok: false, problem: problems.mergeTargetNotFound(777_777) });
  const merged = labelling.merge(dora.id, alice.id);
  assert.ok(merged.ok);
  assert.equal(merged.moved.confirmed, 1);
  assert.equal(faceById(db, b)?.person, 'Alice');
  assert.deepEqual(lastChange(), { kind: 'persons-merged', from: dora.id, into: alice.id });
});

test('a drawn face is stored confirmed and published; an unknown photo is refused', () => {
  const drawn = {
    box: { x: 1200, y: 600, width: 100, height: 100 },
    person: ' Alice ',
    chip: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    chipPadding: 0.25,
  };
  assert.deepEqual(labelling.addDrawnFace({ ...drawn, photoId: 31_337 }), {
    ok: false,
    problem: problems.photoNotFound(31_337),
  });
  const r = labelling.addDrawnFace({ ...drawn, photoId });
  assert.ok(r.ok);
  assert.deepEqual([r.face.label_state, r.face.person], ['confirmed', 'Alice']);
  assert.deepEqual(allChanges(), [{ kind: 'face-drawn', faceId: r.face.id }]);
});

test('the registry: one code per refusal, a client error status, the id or name in the words', () => {
  const made = [
    problems.faceNotFound(11),
    problems.unknownPerson('Zed'),
    problems.nothingToReject(12),
    problems.invalidName('a name must not be empty'),
    problems.actionNotFound(13),
    problems.alreadyUndone(14),
    problems.personNotFound(15),
    problems.mergeTargetNotFound(16),
    problems.samePerson(),
    problems.nameTaken('Zoe', 17),
    problems.photoNotFound(18),
    problems.photoNotAnalysed(19),
  ];
  assert.equal(made.length, Object.keys(problems).length, 'every registry entry is listed here');
  assert.equal(new Set(made.map((p) => p.code)).size, made.length);
  for (const p of made) assert.ok(p.status >= 400 && p.status < 500, p.code);
  for (const [i, p] of made.entries()) {
    const subject = [11, 'Zed', 12, 'empty', 13, 14, 15, 16, 'itself', 'Zoe', 18, 19][i];
    assert.ok(p.message.includes(String(subject)), `${p.code}: "${p.message}" names ${subject}`);
  }
  assert.deepEqual(problems.nameTaken('Zoe', 17).details, { existingId: 17 });
});
