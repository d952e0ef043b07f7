/** The photo's faces agree on which way up they are (src/neural/lone-turned.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropLoneTurned } from '../../src/neural/lone-turned.js';

const face = (name: string, strength: number, angles: number[], kept = angles[0] ?? 0) => ({
  name,
  strength,
  angles,
  rect: { angle: kept },
});

test('a doubtful face found once, turned a quarter or more from the surest face, is dropped', () => {
  const sure = face('sure', 0.97, [0, 45, 315]);
  const faces = [
    sure,
    face('upside-down texture', 0.6, [180]),
    face('sideways texture', 0.85, [270]),
    face('tilted neighbour', 0.6, [45]),
    face('found twice', 0.6, [180, 135], 180),
    face('clear at one angle', 0.92, [180]),
  ];
  assert.deepEqual(
    dropLoneTurned(faces).map((f) => f.name),
    ['sure', 'tilted neighbour', 'found twice', 'clear at one angle'],
  );
});

test('the surest face decides, angles compare round the circle, and without a sure face nothing is dropped', () => {
  // The photo is upside down: its surest face is kept at 180°, so a doubtful face at 180° stays.
  const turned = [
    face('sure, upside down', 0.95, [180, 135]),
    face('weaker sure', 0.91, [0, 315]),
    face('doubtful at 180', 0.6, [180]),
    face('doubtful at 0', 0.6, [0]),
  ];
  assert.deepEqual(
    dropLoneTurned(turned).map((f) => f.name),
    ['sure, upside down', 'weaker sure', 'doubtful at 180'],
  );
  // 315° is 45° from 0°, not 315°.
  assert.equal(dropLoneTurned([face('sure', 0.95, [0, 45]), face('at 315', 0.6, [315])]).length, 2);
  // No face is sure (one angle only, or weak): every face stays.
  const unsure = [face('strong but once', 0.99, [0]), face('twice but weak', 0.8, [0, 45]), face('odd', 0.55, [180])];
  assert.equal(dropLoneTurned(unsure).length, 3);
  // A lone face is never dropped.
  assert.equal(dropLoneTurned([face('alone', 0.51, [90])]).length, 1);
});
