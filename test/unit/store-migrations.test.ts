import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { backoffDelay } from '../../src/store/jobs.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { workNeeded } from '../../src/store/photos.js';
import { at } from '../helpers/items.js';

// Released migrations are append-only: databases in the field were built from exactly this text.
const RELEASED: readonly string[] = [
  '70cc36cc90c26624dc1a3fa10c33ff695d0535d65f41eb2de988a62b490c1ea0',
  'dcef027c9f8bed645d4a9be02c22cf3b0e8ef3f5e48d2b94165c7646fa5f3d5e',
  'e58cb95f9b2842f7f04c74994089ad544bf5dc4bd28e47202f2e0e9850ac46f5',
  '27b1476ad3d25f56610d607aba4c287554a20197b7e2f7f8eed33d30c48ff488',
  '6c4c8706f20b5c896226a4eb9c3c23faddee0cf4fb33f2539588c7e0b7d432d3',
  '0d5acbac2ce090a7d798deaff057f33e6e1f4a9256a4b08cdfe76e9612a6efd9',
];

test('released migrations are unchanged', () => {
  RELEASED.forEach((sha, i) => {
    assert.equal(
      createHash('sha256')
        .update(at(MIGRATIONS, i, 'migrations'))
        .digest('hex'),
      sha,
      `migration v${i + 1} was edited`,
    );
  });
});

test('stat decides: same stamp and done means no work; new, changed, removed, pending and outdated do', () => {
  const done = { id: 1, size: 10, mtimeMs: 1000, status: 'done' as const, pipelineVersion: 1, unreadableSince: null };
  const stamp = { size: 10, mtimeMs: 1000 };
  assert.equal(workNeeded(done, stamp, 1), undefined);
  assert.equal(workNeeded(undefined, stamp, 1), 'new');
  assert.equal(workNeeded(done, { size: 11, mtimeMs: 1000 }, 1), 'changed');
  assert.equal(workNeeded(done, { size: 10, mtimeMs: 1001 }, 1), 'changed');
  assert.equal(workNeeded({ ...done, status: 'removed' }, stamp, 1), 'reappeared');
  assert.equal(workNeeded({ ...done, status: 'pending' }, stamp, 1), 'pending');
  // Still pending after another change: its job re-stats the file; its backoff is not reset.
  assert.equal(workNeeded({ ...done, status: 'pending' }, { size: 99, mtimeMs: 1000 }, 1), 'pending');
  assert.equal(workNeeded(done, stamp, 2), 'outdated');
  // A permanent failure is settled until the file (or the pipeline) changes.
  assert.equal(workNeeded({ ...done, status: 'failed' }, stamp, 1), undefined);
  assert.equal(workNeeded({ ...done, status: 'failed' }, { size: 12, mtimeMs: 1000 }, 1), 'changed');
  // … and an unreadable one until its ctime moves past the failure (a chmod or chown).
  const unreadable = { ...done, status: 'failed' as const, unreadableSince: 5000 };
  assert.equal(workNeeded(unreadable, { ...stamp, ctimeMs: 2999 }, 1), undefined);
  assert.equal(workNeeded(unreadable, { ...stamp, ctimeMs: 5001 }, 1), 'touched');
  // The kernel's ctime clock may trail the failure's by a tick: a ctime just before it counts.
  assert.equal(workNeeded(unreadable, { ...stamp, ctimeMs: 4990 }, 1), 'touched');
  assert.equal(workNeeded({ ...done, status: 'failed' }, { ...stamp, ctimeMs: 5001 }, 1), undefined, 'corrupt');
});

test('backoff doubles from the base and stops at the cap', () => {
  const policy = { baseMs: 1000, maxMs: 10_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 60].map((a) => backoffDelay(a, policy)),
    [1000, 2000, 4000, 8000, 10_000, 10_000],
  );
});
