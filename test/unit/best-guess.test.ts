import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestGuess, GUESS_FLOOR, groupByGuess } from '../../src/web/best-guess.js';

test('the best guess is the highest decision value inside the margin; none when all are firmly negative', () => {
  assert.deepEqual(bestGuess({ Ann: -0.4, Bob: -0.2, Cy: -3 }), { person: 'Bob', value: -0.2 });
  assert.equal(bestGuess({ Ann: -1.5, Bob: -2 }), undefined);
  assert.deepEqual(bestGuess({ Ann: GUESS_FLOOR }), { person: 'Ann', value: GUESS_FLOOR });
  assert.equal(bestGuess({ Ann: Number.NaN }), undefined);
  assert.equal(bestGuess({}), undefined);
});

test('guess groups: biggest first, surest first inside, unguessed faces left out', () => {
  const groups = groupByGuess([
    { person: 'Bob', value: -0.5 },
    undefined,
    { person: 'Ann', value: -0.9 },
    { person: 'Bob', value: -0.1 },
    { person: 'Ann', value: -0.2 },
    { person: 'Cy', value: 0 },
    { person: 'Ann', value: -0.6 },
  ]);
  assert.deepEqual(groups, [
    { person: 'Ann', members: [4, 6, 2] },
    { person: 'Bob', members: [3, 0] },
    { person: 'Cy', members: [5] },
  ]);
});
