/**
 * The job runner's idle sleep, on a fake clock: with nothing due it looks at the queue again every
 * idlePollMs (so a job queued without a wake-up, or one whose backoff ends, is found no later than
 * that), a wake-up cuts the sleep short, and stopping cancels it.
 */
import assert from 'node:assert/strict';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AnalysisOutcome } from '../../src/daemon/backfill.js';
import { startJobRunner } from '../../src/daemon/job-runner.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { queueStats } from '../../src/store/jobs.js';
import { notePhoto } from '../../src/store/photos.js';
import { fakeTimers, settle } from '../helpers/fake-timers.js';
import { tmpDir } from '../helpers/paths.js';
import { recordingLogger } from '../helpers/recording-logger.js';

let dir = '';
let db: Db;
before(async () => {
  dir = await tmpDir('facetag-job-runner-');
  db = openDatabase(join(dir, 'data'));
});
after(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Wait for real I/O (reading the file to hash it) until `done`; the fake clock does not move. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 10_000; !done(); await settle()) {
    if (Date.now() > end) assert.fail(`${what}: not within 10 s`);
  }
}

test('idle, the runner looks again every idlePollMs on its clock; a wake-up comes at once; stop cancels the sleep', async () => {
  const timers = fakeTimers();
  const analysed: string[] = [];
  const analyse = async (path: string): Promise<AnalysisOutcome> => {
    analysed.push(path);
    return { ok: true, width: 10, height: 10, orientation: 1, takenAt: null, modelVersion: null, faces: [] };
  };
  const queue = async (name: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, `not really a photo: ${name}`);
    const s = await stat(path);
    notePhoto(db, { path, size: s.size, mtimeMs: Math.trunc(s.mtimeMs), ctimeMs: s.ctimeMs }, 1, timers.now());
    return path;
  };
  const runner = startJobRunner({
    ctx: { db, pipelineVersion: 1, analyse, now: timers.now },
    concurrency: 2,
    log: recordingLogger().log,
    idlePollMs: 5_000,
    timers,
  });
  try {
    await settle();
    assert.equal(timers.pending(), 1, 'nothing due: one sleep');

    // Queued behind the runner's back (no wake-up): found when the sleep ends, not before.
    const quiet = await queue('quiet.jpg');
    timers.advance(4_999);
    await settle();
    assert.deepEqual(queueStats(db, timers.now()), { ...queueStats(db, timers.now()), due: 1, running: 0 });
    assert.deepEqual(analysed, []);
    timers.advance(1);
    await until(() => analysed.length === 1, 'the quiet job');
    assert.deepEqual(analysed, [quiet]);

    // The watcher's wake-up: analysed without any time passing.
    const woken = await queue('woken.jpg');
    runner.wake();
    await until(() => analysed.length === 2, 'the woken job');
    assert.deepEqual(analysed, [quiet, woken]);
  } finally {
    await runner.stop();
  }
  assert.equal(timers.pending(), 0, 'stopping cancels the sleep');
});
