import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { analysedLibrary } from '../helpers/analysed-library.js';
import { cliPath } from '../helpers/detector.js';

const execFileP = promisify(execFile);
let dir = '';

before(async () => {
  ({ dir } = await analysedLibrary('facetag-status-', { 'a.jpg': '2007_007763.jpg', 'empty.jpg': '' }));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('facetag status reports the queue, photo outcomes and the last errors', async () => {
  const { stdout } = await execFileP(process.execPath, [cliPath, 'status', '--data-dir', join(dir, 'data'), '--json']);
  const s = JSON.parse(stdout) as {
    queue: { total: number };
    photos: { done: number; failed: number; faces: number };
    lastErrors: { path: string; code: string }[];
  };
  assert.equal(s.queue.total, 0);
  assert.equal(s.photos.done, 1);
  assert.equal(s.photos.failed, 1);
  assert.ok(s.photos.faces >= 1);
  assert.deepEqual(
    s.lastErrors.map((e) => [e.path.endsWith('empty.jpg'), e.code]),
    [[true, 'empty']],
  );
  const text = await execFileP(process.execPath, [cliPath, 'status', '--data-dir', join(dir, 'data')]);
  assert.match(text.stdout, /photos: +1 done, 1 failed/);
  assert.match(text.stdout, /empty\.jpg +\[empty\]/);
});

test('facetag status without a database says so and exits 66', async () => {
  const r = await execFileP(process.execPath, [cliPath, 'status', '--data-dir', join(dir, 'nothing')]).catch(
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal('code' in r ? r.code : 0, 66);
  assert.match(r.stderr, /no database yet/);
});
