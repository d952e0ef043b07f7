import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  centredFace,
  type Group,
  groupPurities,
  meanOf,
  memberSpreads,
  type PhotoFaces,
  parseTruth,
  truthOfFaces,
} from '../../src/eval/cluster-quality.js';

const face = (id: number, cx: number, cy: number, width: number) => ({ id, box: { cx, cy, width } });
const photo = (rel: string, faces: PhotoFaces['faces'], width = 100, height = 100): PhotoFaces => ({
  rel,
  width,
  height,
  faces,
});

test('truth.csv: paths relative to the photos folder, a role per person', () => {
  const truth = parseTruth(
    'file,person,role,lfw_file\nphotos/2019/01/IMG_0001.jpg,Ann,family,Ann_0001.jpg\n' +
      'photos/2019/02/IMG_0002.jpg,Cy,stranger,Cy_0001.jpg\n',
  );
  assert.deepEqual(
    [...truth.personOf],
    [
      ['2019/01/IMG_0001.jpg', 'Ann'],
      ['2019/02/IMG_0002.jpg', 'Cy'],
    ],
  );
  assert.deepEqual(
    [...truth.roleOf],
    [
      ['Ann', 'family'],
      ['Cy', 'stranger'],
    ],
  );
  assert.throws(() => parseTruth('file,person\nphotos/a.jpg,Ann\n'), /role/);
});

test('the centred face: nearest the centre, within a quarter of the side, at least a fifth of it wide', () => {
  // 100 × 100: within 25 px of (50, 50), at least 20 px wide.
  const faces = [face(1, 50, 50, 10), face(2, 60, 50, 30), face(3, 45, 50, 20), face(4, 80, 80, 40)];
  assert.equal(centredFace(photo('a.jpg', faces)), 3); // 1 is too small, 4 is 42 px off
  assert.equal(centredFace(photo('a.jpg', [face(5, 75, 50, 20)])), 5); // exactly on the limit
  assert.equal(centredFace(photo('a.jpg', [face(6, 50, 60, 30), face(7, 50, 40, 30)])), 6); // a tie: the first
  // 200 × 100: the shorter side counts, the centre is (100, 50).
  assert.equal(centredFace(photo('b.jpg', [face(8, 126, 50, 30)], 200, 100)), undefined);
  assert.equal(centredFace(photo('b.jpg', [face(9, 124, 50, 30)], 200, 100)), 9);
  assert.equal(centredFace({ rel: 'c.jpg', width: null, height: null, faces: [face(10, 50, 50, 30)] }), undefined);
});

test('faces get the truth of the photo whose centred face they are', () => {
  const personOf = new Map([
    ['a.jpg', 'Ann'],
    ['b.jpg', 'Bob'],
  ]);
  const photos = [
    photo('a.jpg', [face(1, 10, 10, 30), face(2, 50, 50, 30)]), // 1: a background face, no truth
    photo('b.jpg', [face(3, 50, 50, 5)]), // too small: Bob's face was not found
    photo('c.jpg', [face(4, 50, 50, 30)]), // no truth row
  ];
  assert.deepEqual([...truthOfFaces(photos, personOf)], [[2, 'Ann']]);
});

// Ann (family): faces 1-10; Bob (family): 11-14; Cy (stranger): 15; Dee (family): none detected.
// 20-23 have no truth. Face 8 is in no group (say it was named elsewhere).
const personOf = new Map<number, string>([
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((id) => [id, 'Ann'] as const),
  ...[11, 12, 13, 14].map((id) => [id, 'Bob'] as const),
  [15, 'Cy'],
]);
const roleOf = new Map([
  ['Ann', 'family'],
  ['Bob', 'family'],
  ['Cy', 'stranger'],
  ['Dee', 'family'],
]);
const groups: Group[] = [
  { faceIds: [12, 13], gathered: false }, // 0: Bob 2
  { faceIds: [1, 2, 3, 4, 5, 11, 20], gathered: false }, // 1: Ann 5, Bob 1, one without truth
  { faceIds: [6, 7, 15], gathered: false }, // 2: Ann 2, Cy 1
  { faceIds: [9, 10, 14, 22], gathered: true }, // 3: seen once: Ann, Ann, Bob, no truth
  { faceIds: [21, 23], gathered: false }, // 4: no truth at all
];

test('purity of the biggest clusters: the majority share of the faces with a truth', () => {
  const purity = groupPurities(groups, personOf, roleOf);
  assert.deepEqual(purity, [
    { index: 1, size: 7, known: 6, majority: 'Ann', role: 'family', purity: 5 / 6 },
    { index: 2, size: 3, known: 3, majority: 'Ann', role: 'family', purity: 2 / 3 },
    { index: 0, size: 2, known: 2, majority: 'Bob', role: 'family', purity: 1 },
    { index: 4, size: 2, known: 0, majority: null, role: null, purity: null },
  ]);
  // (5/6 + 4/6 + 6/6) / 3; the cluster without truth is left out.
  const mean = meanOf(purity.map((p) => p.purity));
  assert.ok(mean !== null && Math.abs(mean - 5 / 6) < 1e-12);
  assert.deepEqual(
    groupPurities(groups, personOf, roleOf, 2).map((p) => p.index),
    [1, 2],
  );
  // On a tie the person met first is the majority.
  assert.deepEqual(groupPurities([{ faceIds: [11, 1], gathered: false }], personOf, roleOf)[0], {
    index: 0,
    size: 2,
    known: 2,
    majority: 'Bob',
    role: 'family',
    purity: 0.5,
  });
});

test('groups needed per person: biggest share first, a gathered face a group of its own', () => {
  assert.deepEqual(memberSpreads(groups, personOf, ['Ann', 'Bob', 'Dee']), [
    // 90 % of 10 = 9 faces: 5 + 2 + 1 + 1 (face 8 is in no group).
    { person: 'Ann', detected: 10, grouped: 9, clustered: 7, biggestShare: 0.5, groupsNeeded: 4 },
    // 90 % of 4 = 3.6, so 4 faces: 2 + 1 + 1.
    { person: 'Bob', detected: 4, grouped: 4, clustered: 3, biggestShare: 0.5, groupsNeeded: 3 },
    { person: 'Dee', detected: 0, grouped: 0, clustered: 0, biggestShare: 0, groupsNeeded: 0 },
  ]);
  const needed = (share: number) => memberSpreads(groups, personOf, ['Ann', 'Bob'], share).map((m) => m.groupsNeeded);
  assert.deepEqual(needed(1), [null, 3]); // Ann's face 8 is in no group
  assert.deepEqual(needed(0.5), [1, 1]);
  assert.deepEqual(needed(0.7), [2, 2]); // Ann 7 of 10: 5 + 2; Bob 3 of 4 (2.8): 2 + 1
});

test('the mean skips what is not known', () => {
  assert.equal(meanOf([4, 3, 0]), 7 / 3);
  assert.equal(meanOf([null, 3]), 3);
  assert.equal(meanOf([null]), null);
  assert.equal(meanOf([]), null);
});
