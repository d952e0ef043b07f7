import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreIdentity } from '../../src/eval/identity-metrics.js';
import { parseLabelsCsv, splitCsvLine, splitEvery } from '../../src/eval/identity-rows.js';
import { labelProblem, NOT_A_FACE, REJECTED_FACE } from '../../src/recognize/labelled-chips.js';
import { medianSize } from '../../src/recognize/median.js';
import { personsOf } from '../../src/recognize/trainer.js';
import { first } from '../helpers/items.js';

test('labels.csv rows carry the nominal box; bad rows name the line', () => {
  const csv =
    'file,person,width,height,nominal_face_x,nominal_face_y,nominal_face_w,nominal_face_h\nA/a1.jpg,A,150,150,41,41,68,68\n';
  const row = first(parseLabelsCsv(csv, '/r', 'labels.csv'), 'labels.csv rows');
  assert.equal(row.person, 'A');
  assert.equal(row.path, '/r/A/a1.jpg');
  assert.deepEqual(row.nominal, { x: 41, y: 41, width: 68, height: 68 });
  assert.throws(() => parseLabelsCsv(`${csv}B/b.jpg,B,1,1,0,0,0,5\n`, '/r', 'labels.csv'), /labels.csv:3: needs/);
  assert.throws(() => parseLabelsCsv('file,person\nx,y\n', '/r', 'labels.csv'), /missing column\(s\) nominal_face_x/);
  assert.deepEqual(splitCsvLine('a,"b,c","d""e"'), ['a', 'b,c', 'd"e']);
});

test('split every 3rd image per person to test, in file order (the reference split)', () => {
  const rows = ['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3'].map((f) => ({ file: f, path: f, person: f.charAt(0) }));
  const { train, test } = splitEvery(rows, 3);
  assert.deepEqual(
    test.map((r) => r.file),
    ['A3', 'B3'],
  );
  assert.deepEqual(
    train.map((r) => r.file),
    ['A1', 'A2', 'A4', 'B1', 'B2'],
  );
});

test('identity scores: accuracy over trained people, rejection over absent ones', () => {
  const p = (person: string, expected: string, predicted: string) => ({
    file: `${person}.jpg`,
    person,
    expected,
    predicted,
  });
  const s = scoreIdentity(
    [
      p('A', 'A', 'A'),
      p('A', 'A', 'unknown'),
      p('B', 'B', 'A'),
      p('B', 'B', 'B'),
      p('C', 'unknown', 'unknown'),
      p('C', 'unknown', 'B'),
    ],
    ['A', 'B'],
  );
  assert.equal(s.accuracy, 0.5);
  assert.equal(s.knownCalledUnknown, 0.25);
  assert.equal(s.knownCalledWrongName, 0.25);
  assert.equal(s.unknownRejection, 0.5);
  assert.deepEqual(s.perPerson.A, { tests: 2, predicted: 2, precision: 0.5, recall: 0.5 });
  assert.deepEqual(s.perPerson.B, { tests: 2, predicted: 2, precision: 0.5, recall: 0.5 });
  assert.deepEqual(s.confusion.C, { unknown: 1, B: 1 });
});

test('median chip size is numpy median, truncated like int()', () => {
  const c = (width: number, height: number) => ({ width, height });
  assert.deepEqual(medianSize([c(60, 61), c(67, 70), c(68, 71), c(90, 99)]), { width: 67, height: 70 });
  assert.deepEqual(medianSize([c(10, 10), c(11, 13), c(12, 12)]), { width: 11, height: 12 });
  assert.throws(() => medianSize([]), /no chips/);
});

test('persons to train leave out the negative-only labels: not_a_face and rejected suggestions', () => {
  const chip = (label: string) => ({ label, file: label, width: 1, height: 1, data: new Float64Array(1) });
  const chips = [chip('Ann'), chip(NOT_A_FACE), chip(REJECTED_FACE), chip('Bo'), chip('Ann')];
  assert.deepEqual(personsOf(chips), ['Ann', 'Bo']);
  assert.throws(() => personsOf(chips, [REJECTED_FACE]), /no chips labelled/);
  assert.ok(labelProblem(REJECTED_FACE), 'the rejected label can never be a person folder');
});
