import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupUnknownFaces, limitFaces, type UnknownFaceRow } from '../../src/cluster/unknown-groups.js';

const face = (id: number, cluster: number | null, strength = 950): UnknownFaceRow => ({
  id,
  photo_id: id * 10,
  cluster_id: cluster,
  strength,
});

test('clusters come biggest first, then the faces seen once, then the likely non-faces last', () => {
  const groups = groupUnknownFaces([
    face(1, 7),
    face(2, 7),
    face(3, 8),
    face(4, 8),
    face(5, 8),
    face(6, 9), // alone in its cluster: seen once
    face(7, null), // not placed yet: seen once for now
    face(8, 10, 600), // alone and weak: probably not a face
    face(9, 7, 600), // weak but alike to others: stays in its cluster
  ]);
  assert.deepEqual(
    groups.map((g) => [g.kind, g.clusterId, g.faces.map((f) => f.id)]),
    [
      ['cluster', 7, [1, 2, 9]],
      ['cluster', 8, [3, 4, 5]],
      ['once', null, [7, 6]],
      ['unlikely', null, [8]],
    ],
  );
});

test('no unknown faces, no groups; a limit cuts the list in order and says so', () => {
  assert.deepEqual(groupUnknownFaces([]), []);
  const groups = groupUnknownFaces([face(1, 1), face(2, 1), face(3, 2), face(4, 2), face(5, null)]);
  assert.deepEqual(limitFaces(groups, 10), { groups, truncated: false });
  const cut = limitFaces(groups, 3);
  assert.equal(cut.truncated, true);
  assert.deepEqual(
    cut.groups.map((g) => g.faces.map((f) => f.id)),
    [[1, 2], [3]],
  );
  assert.equal(limitFaces(groups, 4).truncated, true, 'the seen-once group is left out');
});
