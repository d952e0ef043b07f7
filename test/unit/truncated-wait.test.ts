import assert from 'node:assert/strict';
import { test } from 'node:test';
import { truncatedWait } from '../../src/daemon/backfill.js';

const hour = 3600_000;
const day = 24 * hour;

test('a truncated file is looked at soon after a change, then further apart, then given up at the deadline', () => {
  const file = { mtimeMs: 0, ctimeMs: 0 };
  assert.equal(truncatedWait(file, 10_000, day), 30_000, 'just changed: 30 s');
  assert.equal(truncatedWait(file, 20 * 60_000, day), 10 * 60_000, 'quiet 20 min: half that');
  assert.equal(truncatedWait(file, 5 * hour, day), hour, 'never more than an hour apart');
  assert.equal(truncatedWait(file, day - 60_000, day), 60_000, 'one look at the deadline');
  assert.equal(truncatedWait(file, day, day), 0, 'unchanged for the whole time: a failure');
});

test('the last change is the later of mtime and ctime (a copy may set an old mtime)', () => {
  assert.equal(truncatedWait({ mtimeMs: 0, ctimeMs: 2 * day }, 2 * day + 10_000, day), 30_000);
  assert.equal(truncatedWait({ mtimeMs: 2 * day, ctimeMs: 0 }, 3 * day, day), 0);
  // A clock that went back (the file looks changed in the future): still waiting, briefly.
  assert.equal(truncatedWait({ mtimeMs: 5000, ctimeMs: 5000 }, 0, day), 30_000);
});
