import assert from 'node:assert/strict';
import { test } from 'node:test';
import { personNameProblem } from '../../src/names/person-name.js';
import type { SidecarFace } from '../../src/sidecar/types.js';
import { selectFaces } from '../../src/sidecar/write.js';

const rect = { cx: 10, cy: 10, width: 5, height: 5, angle: 0 };
const f = (faceId: number, source: 'confirmed' | 'auto', value?: number, name = `P${faceId}`): SidecarFace => ({
  faceId,
  name,
  source,
  rect,
  ...(value === undefined ? {} : { value }),
});

test('confirmed faces always go in; auto faces only at or above the threshold', () => {
  const faces = [
    f(1, 'confirmed'),
    f(2, 'confirmed', -5),
    f(3, 'auto', 0.5),
    f(4, 'auto', 0.49),
    f(5, 'auto'),
    f(6, 'auto', 0.5000001),
  ];
  const { faces: chosen, skipped } = selectFaces(faces, { autoThreshold: 0.5 });
  assert.deepEqual(
    chosen.map((x) => x.faceId),
    [1, 2, 3, 6],
  );
  assert.deepEqual(
    skipped.map((s) => s.faceId),
    [4, 5],
  );
  assert.match(skipped[0]?.reason ?? '', /below the threshold/);
  assert.match(skipped[1]?.reason ?? '', /without a decision value/);
  // A threshold of -Infinity takes every auto face with a value; +Infinity none.
  assert.equal(selectFaces(faces, { autoThreshold: Number.NEGATIVE_INFINITY }).faces.length, 5);
  assert.equal(selectFaces(faces, { autoThreshold: Number.POSITIVE_INFINITY }).faces.length, 2);
  assert.throws(() => selectFaces(faces, { autoThreshold: Number.NaN }), /autoThreshold/);
});

test('names go in as the name rule takes them; a stored name it refuses is skipped with the reason', () => {
  const { faces, skipped } = selectFaces(
    [
      f(1, 'confirmed', undefined, 'AC/DC'),
      f(2, 'confirmed', undefined, 'Smith, John'),
      f(3, 'confirmed', undefined, 'a/b|c'),
      f(4, 'confirmed', undefined, 'not_a_face'),
    ],
    { autoThreshold: 0 },
  );
  assert.deepEqual(
    faces.map((x) => x.name),
    ['AC/DC', 'Smith, John', 'a/b|c'],
  );
  assert.deepEqual(
    skipped.map((s) => [s.faceId, s.kind]),
    [[4, 'name']],
  );
  assert.match(skipped[0]?.reason ?? '', /reserved/);
});

test('person names in the sidecar: separators are names; blanks and control characters are refused', () => {
  for (const ok of ['Alice Example', 'Zoë Ñandú 李', 'A|B', 'A/B', 'Smith, John', 'a\\b']) {
    assert.equal(personNameProblem(ok), undefined, ok);
  }
  for (const bad of ['', '  ', 'tab\there', 'x'.repeat(201)]) {
    assert.ok(personNameProblem(bad), `accepted ${JSON.stringify(bad)}`);
  }
});
