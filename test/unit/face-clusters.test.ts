import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaceClusters, keepIds } from '../../src/cluster/face-clusters.js';

/** Points on a line: distances are plain differences, easy to check by hand. */
const at = (x: number) => [x, 0];

function clusters(maxDistance = 0.5) {
  let next = 1;
  return new FaceClusters(2, { maxDistance }, () => next++);
}

const sorted = (c: FaceClusters) =>
  [...c.clusters().values()].map((m) => [...m].sort((a, b) => a - b)).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));

test('a face joins the cluster nearest on average, within the limit, or starts its own', () => {
  const c = clusters();
  assert.deepEqual(c.add(1, at(0)), { faceId: 1, clusterId: 1, merged: [] });
  assert.equal(c.add(2, at(0.4)).clusterId, 1, 'mean distance 0.4');
  // Mean distance to {0, 0.4} is 0.8 from 1.0: too far on average, though 0.6 from the nearest.
  assert.equal(c.add(3, at(1.0)).clusterId, 2);
  assert.equal(c.add(4, at(5)).clusterId, 3);
  assert.deepEqual(sorted(c), [[1, 2], [3], [4]]);
});

test('a face that brings two clusters within reach merges them; the bigger keeps its id', () => {
  const c = clusters();
  c.add(1, at(0));
  c.add(2, at(0.1));
  c.add(3, at(0.2));
  c.add(4, at(0.8)); // mean 0.7 from {0, 0.1, 0.2}: its own cluster (2)
  assert.equal(c.clusterOf(4), 2);
  // 0.6: mean 0.5 to cluster 1 (0.6, 0.5, 0.4) and 0.2 to cluster 2: joins 2; then 1 and 2 are
  // 0.5 apart on average ({0,0.1,0.2} to {0.8,0.6}: (0.8+0.7+0.6+0.6+0.5+0.4)/6 = 0.6): no merge.
  const p = c.add(5, at(0.6));
  assert.deepEqual(p, { faceId: 5, clusterId: 2, merged: [] });
  // 0.4 joins cluster 1 (mean 0.3); {0,0.1,0.2,0.4} to {0.8,0.6} averages 0.525: still apart.
  assert.equal(c.add(6, at(0.4)).clusterId, 1);
  // 0.5 joins cluster 2 (mean 0.2) and brings the average between them to 0.5: merged into 1 (bigger).
  const merge = c.add(7, at(0.5));
  assert.deepEqual(merge, { faceId: 7, clusterId: 1, merged: [2] });
  assert.deepEqual(sorted(c), [[1, 2, 3, 4, 5, 6, 7]]);
});

test('a face taken out of a cluster starts its own and never joins the old one again', () => {
  const c = clusters();
  c.add(1, at(0));
  c.add(2, at(0.1));
  const fresh = c.takeOut(2);
  assert.equal(fresh, 2);
  assert.deepEqual(sorted(c), [[1], [2]]);
  // Its cluster and the old one never merge while it is in it.
  c.add(3, at(0.05));
  assert.notEqual(c.clusterOf(3), undefined);
  assert.notEqual(c.clusterOf(2), c.clusterOf(1));
  // Excluded before it is added (as loaded from the store): it starts elsewhere.
  c.exclude(9, c.clusterOf(1) ?? -1);
  assert.notEqual(c.add(9, at(0.02)).clusterId, c.clusterOf(1));
});

test('removing faces keeps the others where they were and their vectors right', () => {
  const c = clusters();
  for (const [id, x] of [
    [1, 0],
    [2, 0.1],
    [3, 3],
    [4, 3.1],
  ] as const) {
    c.add(id, at(x));
  }
  c.remove(1);
  c.remove(42);
  assert.equal(c.size, 3);
  assert.deepEqual(sorted(c), [[2], [3, 4]]);
  // The slot of face 4 moved into the hole: a face near 3.05 still finds them.
  assert.equal(c.add(5, at(3.05)).clusterId, c.clusterOf(3));
  assert.throws(() => c.add(5, at(0)), /clustered already/);
  assert.throws(() => c.add(6, [1, 2, 3]), /3 values, clusters hold 2/);
});

test('ids of a fresh clustering follow the old ones by majority, biggest group first', () => {
  const old = new Map([
    [1, 10],
    [2, 10],
    [3, 10],
    [4, 20],
    [5, 20],
  ]);
  let next = 100;
  const ids = keepIds(
    old,
    [
      [4, 5, 6],
      [1, 2],
      [3, 7, 8, 9],
    ],
    () => next++,
  );
  // [3,7,8,9] is biggest and has one vote for 10: it keeps 10; [4,5,6] keeps 20; [1,2] lost 10: new.
  assert.deepEqual(
    [...ids].sort((a, b) => a[0] - b[0]),
    [
      [1, 100],
      [2, 100],
      [3, 10],
      [4, 20],
      [5, 20],
      [6, 20],
      [7, 10],
      [8, 10],
      [9, 10],
    ],
  );
});
