import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundsIou, boundsOf, matchFaces } from '../../src/store/face-match.js';

const box = (cx: number, cy: number, size = 100, angle = 0) => ({ cx, cy, width: size, height: size, angle });

test('the bounds of a box turned by 45° are √2 times as wide', () => {
  const b = boundsOf(box(0, 0, 100, 45));
  assert.ok(Math.abs(b.x1 - b.x0 - 100 * Math.SQRT2) < 1e-9);
  assert.ok(Math.abs(b.y1 - b.y0 - 100 * Math.SQRT2) < 1e-9);
});

test('IoU of identical boxes is 1, of disjoint boxes 0, of half-shifted boxes 1/3', () => {
  assert.equal(boundsIou(box(50, 50), box(50, 50)), 1);
  assert.equal(boundsIou(box(50, 50), box(500, 50)), 0);
  assert.ok(Math.abs(boundsIou(box(50, 50), box(100, 50)) - 1 / 3) < 1e-12);
});

test('a labelled face wins its best match over an auto face overlapping the same detection', () => {
  const existing = [
    { ...box(100, 100), labelled: false },
    { ...box(110, 100), labelled: true },
  ];
  // The new detection overlaps the auto face best, but the labelled one well enough.
  const pairs = matchFaces(existing, [box(102, 100)]);
  assert.deepEqual(pairs, [[1, 0]]);
});

test('pairs are one-to-one, best overlap first, and below 0.5 nothing matches', () => {
  const existing = [
    { ...box(100, 100), labelled: false },
    { ...box(300, 100), labelled: false },
  ];
  const pairs = matchFaces(existing, [box(305, 100), box(104, 100), box(700, 700)]);
  assert.deepEqual(
    pairs.sort((a, b) => a[0] - b[0]),
    [
      [0, 1],
      [1, 0],
    ],
  );
  assert.deepEqual(matchFaces([{ ...box(100, 100), labelled: true }], [box(160, 100)]), []);
});
