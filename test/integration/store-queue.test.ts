import assert from 'node:assert/strict';
import { mkdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Analyser, type AnalysisOutcome, drainJobs, type JobResult } from '../../src/daemon/backfill.js';
import { reconcile } from '../../src/daemon/reconcile.js';
import { hashBytes } from '../../src/files/content-hash.js';
import { recordAnalysis } from '../../src/store/analysis.js';
import { type Db, integrityProblems, openDatabase } from '../../src/store/db.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import {
  claimJobs,
  completeJob,
  enqueueJob,
  jobByKey,
  LeaseLostError,
  queueStats,
  releaseLeases,
  retryJob,
} from '../../src/store/jobs.js';
import { photoByPath, retryUnreadableUnder } from '../../src/store/photos.js';
import { take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

let dir = '';
let n = 0;
before(async () => {
  dir = await tmpDir('facetag-store-queue-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh store for each test: queue behaviour is easiest to read from an empty queue. */
function freshDb(): { db: Db; dataDir: string } {
  const dataDir = join(dir, `db-${++n}`);
  return { db: openDatabase(dataDir), dataDir };
}

const LEASE = 60_000;

test('enqueueing the same path and kind again keeps one job; another kind is another job', () => {
  const { db } = freshDb();
  try {
    enqueueJob(db, 'analyse', '/p/a.jpg', 1000);
    enqueueJob(db, 'analyse', '/p/a.jpg', 2000);
    enqueueJob(db, 'analyse', '/p/a.jpg', 500, { delayMs: 100 });
    enqueueJob(db, 'classify', '/p/a.jpg', 1000);
    assert.equal(queueStats(db, 5000).total, 2);
    assert.equal(jobByKey(db, 'analyse', '/p/a.jpg')?.available_at, 600, 'due at the earliest time asked');
  } finally {
    db.close();
  }
});

test('claims are bounded, oldest due first, and a claimed job is not handed out twice', () => {
  const { db } = freshDb();
  try {
    for (let i = 0; i < 10; i++) enqueueJob(db, 'analyse', `/p/${i}.jpg`, 1000 + i);
    const first = claimJobs(db, { limit: 3, leaseMs: LEASE, now: 5000 });
    assert.deepEqual(
      first.map((j) => j.key),
      ['/p/0.jpg', '/p/1.jpg', '/p/2.jpg'],
    );
    const second = claimJobs(db, { limit: 3, leaseMs: LEASE, now: 5000 });
    assert.deepEqual(
      second.map((j) => j.key),
      ['/p/3.jpg', '/p/4.jpg', '/p/5.jpg'],
    );
    assert.deepEqual(queueStats(db, 5000), { total: 10, due: 4, running: 6, backingOff: 0 });
  } finally {
    db.close();
  }
});

test("a crashed worker's job comes back after its lease, and the old worker can no longer complete it", () => {
  const { db } = freshDb();
  try {
    enqueueJob(db, 'analyse', '/p/a.jpg', 0);
    const [stale] = take(claimJobs(db, { limit: 1, leaseMs: LEASE, now: 1000 }), 1, 'claimed jobs');
    assert.deepEqual(claimJobs(db, { limit: 1, leaseMs: LEASE, now: 1000 + LEASE - 1 }), []);
    const [again] = take(claimJobs(db, { limit: 1, leaseMs: LEASE, now: 1000 + LEASE }), 1, 'claimed jobs');
    assert.equal(again.id, stale.id);
    assert.equal(again.attempts, 1, 'the abandoned run counts as a failed attempt');
    assert.throws(() => completeJob(db, stale, 1000 + LEASE), LeaseLostError);
    completeJob(db, again, 1000 + LEASE);
    assert.equal(queueStats(db, 0).total, 0);
  } finally {
    db.close();
  }
});

test('kill -9 after claiming: the reopened store releases the job at startup, once', () => {
  const { db, dataDir } = freshDb();
  enqueueJob(db, 'analyse', '/p/a.jpg', 0);
  enqueueJob(db, 'analyse', '/p/b.jpg', 0);
  assert.equal(claimJobs(db, { limit: 2, leaseMs: LEASE, now: 1000 }).length, 2);
  // No completion, no clean shutdown: the connection just goes away.
  db.close();
  const reopened = openDatabase(dataDir);
  try {
    assert.deepEqual(claimJobs(reopened, { limit: 5, leaseMs: LEASE, now: 2000 }), [], 'still leased');
    assert.equal(releaseLeases(reopened, 2000), 2);
    const back = claimJobs(reopened, { limit: 5, leaseMs: LEASE, now: 2000 });
    assert.deepEqual(
      back.map((j) => [j.key, j.attempts]),
      [
        ['/p/a.jpg', 1],
        ['/p/b.jpg', 1],
      ],
    );
    assert.equal(queueStats(reopened, 2000).total, 2, 'no duplicates');
    assert.deepEqual(integrityProblems(reopened), []);
  } finally {
    reopened.close();
  }
});

test('transient failures back off exponentially; a change while running re-runs the job once', () => {
  const { db } = freshDb();
  try {
    const policy = { baseMs: 1000, maxMs: 60_000 };
    enqueueJob(db, 'analyse', '/p/a.jpg', 0);
    const [j1] = take(claimJobs(db, { limit: 1, leaseMs: LEASE, now: 0 }), 1, 'claimed jobs');
    assert.deepEqual(retryJob(db, j1, 'EIO', 0, policy), { attempts: 1, dueAt: 1000 });
    assert.deepEqual(claimJobs(db, { limit: 1, leaseMs: LEASE, now: 999 }), []);
    assert.deepEqual(queueStats(db, 999), { total: 1, due: 0, running: 0, backingOff: 1 });
    const [j2] = take(claimJobs(db, { limit: 1, leaseMs: LEASE, now: 1000 }), 1, 'claimed jobs');
    assert.deepEqual(retryJob(db, j2, 'EIO', 1000, policy), { attempts: 2, dueAt: 3000 });
    assert.equal(jobByKey(db, 'analyse', '/p/a.jpg')?.last_error, 'EIO');

    const [j3] = take(claimJobs(db, { limit: 1, leaseMs: LEASE, now: 3000 }), 1, 'claimed jobs');
    enqueueJob(db, 'analyse', '/p/a.jpg', 3500);
    completeJob(db, j3, 4000);
    const rerun = jobByKey(db, 'analyse', '/p/a.jpg');
    assert.deepEqual([rerun?.claimed_at, rerun?.available_at, rerun?.attempts], [null, 4000, 0]);
    const [j4] = take(claimJobs(db, { limit: 1, leaseMs: LEASE, now: 4000 }), 1, 'claimed jobs');
    completeJob(db, j4, 4100);
    assert.equal(jobByKey(db, 'analyse', '/p/a.jpg'), undefined);
  } finally {
    db.close();
  }
});

/** A photos folder with files whose analysis the test scripts. */
async function library(names: string[]): Promise<{ photos: string; paths: string[] }> {
  const photos = join(dir, `photos-${++n}`);
  await mkdir(photos, { recursive: true });
  const paths = names.map((name) => join(photos, name));
  for (const path of paths) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `bytes of ${path}`);
  }
  return { photos, paths };
}

const ok = (faces: number): AnalysisOutcome => ({
  ok: true,
  width: 400,
  height: 300,
  orientation: 1,
  takenAt: null,
  modelVersion: null,
  faces: Array.from({ length: faces }, (_, i) => ({
    rect: { cx: 50 + 100 * i, cy: 50, width: 40, height: 40, angle: 0 },
    strength: 3,
    support: 3,
  })),
});

async function run(db: Db, photos: string, analyse: Analyser, now: number): Promise<JobResult[]> {
  const results: JobResult[] = [];
  await reconcile({ db, roots: [photos], pipelineVersion: 1, now: () => now });
  await drainJobs({ db, pipelineVersion: 1, analyse, now: () => now }, (r) => results.push(r));
  return results;
}

test('a permanent failure is recorded with its code and not retried until the file changes', async () => {
  const { db } = freshDb();
  const { photos, paths } = await library(['bad.jpg']);
  const [bad] = take(paths, 1, 'library paths');
  let calls = 0;
  const analyse: Analyser = async () => {
    calls++;
    return { ok: false, code: 'corrupt', message: `${bad}: corrupt image data`, transient: false };
  };
  try {
    const first = await run(db, photos, analyse, 10_000);
    assert.deepEqual(
      first.map((r) => r.kind),
      ['failed'],
    );
    const row = photoByPath(db, bad);
    assert.deepEqual([row?.status, row?.error_code], ['failed', 'corrupt']);
    assert.equal(queueStats(db, 10_000).total, 0);

    assert.deepEqual(await run(db, photos, analyse, 20_000), [], 'unchanged: not even queued');
    // Touched, same bytes: queued by stat, settled by hash, not decoded.
    const t = new Date(30_000_000);
    await utimes(bad, t, t);
    assert.deepEqual(
      (await run(db, photos, analyse, 30_000)).map((r) => r.kind),
      ['failed-before'],
    );
    assert.equal(calls, 1);
    // New bytes: tried again.
    await writeFile(bad, 'the copy has finished now');
    assert.deepEqual(
      (await run(db, photos, analyse, 40_000)).map((r) => r.kind),
      ['failed'],
    );
    assert.equal(calls, 2);
  } finally {
    db.close();
  }
});

test('a transient analysis error leaves the photo pending and retries after the backoff', async () => {
  const { db } = freshDb();
  const { photos, paths } = await library(['nas.jpg']);
  const [nas] = take(paths, 1, 'library paths');
  let fail = true;
  const analyse: Analyser = async () =>
    fail ? { ok: false, code: 'EIO', message: 'share went away', transient: true } : ok(1);
  try {
    assert.deepEqual(
      (await run(db, photos, analyse, 0)).map((r) => r.kind),
      ['retry'],
    );
    assert.equal(photoByPath(db, nas)?.status, 'pending');
    assert.deepEqual(
      (await run(db, photos, analyse, 1000)).map((r) => r.kind),
      [],
      'not due yet',
    );
    fail = false;
    assert.deepEqual(
      (await run(db, photos, analyse, 30_000)).map((r) => r.kind),
      ['analysed'],
    );
    assert.equal(photoByPath(db, nas)?.status, 'done');
  } finally {
    db.close();
  }
});

test('a truncated file is looked at while it may be arriving, then fails as truncated, and is retried when it changes', async () => {
  const { db } = freshDb();
  const { photos, paths } = await library(['half.jpg']);
  const [half] = take(paths, 1, 'library paths');
  let complete = false;
  const analyse: Analyser = async () =>
    complete ? ok(1) : { ok: false, code: 'truncated', message: `${half}: truncated image`, transient: true };
  // The rule reads the file's real mtime and ctime, so the fake clock starts at its last change.
  const { ctimeMs, mtimeMs } = await stat(half);
  const t0 = Math.ceil(Math.max(ctimeMs, mtimeMs));
  const hour = 3600_000;
  const ctx = (t: number) => ({
    db,
    pipelineVersion: 1,
    analyse,
    now: () => t,
    maxAttempts: 3,
    truncatedAfterMs: 24 * hour,
  });
  try {
    await reconcile({ db, roots: [photos], pipelineVersion: 1, now: () => t0 });
    const results: JobResult[] = [];
    // A day of drains every 10 minutes: more looks than maxAttempts, yet no 'gave-up'.
    for (let t = t0; t < t0 + 24 * hour; t += 600_000) await drainJobs(ctx(t), (r) => results.push(r));
    assert.ok(results.length > 3, `${results.length} looks`);
    assert.ok(
      results.every((r) => r.kind === 'retry' && r.code === 'truncated'),
      JSON.stringify(results),
    );
    assert.equal(photoByPath(db, half)?.status, 'pending');
    assert.match(jobByKey(db, 'analyse', half)?.last_error ?? '', /still being written/);

    const after: JobResult[] = [];
    await drainJobs(ctx(t0 + 25 * hour), (r) => after.push(r));
    assert.deepEqual(
      after.map((r) => r.kind),
      ['failed'],
    );
    const row = photoByPath(db, half);
    assert.deepEqual([row?.status, row?.error_code], ['failed', 'truncated']);
    assert.match(row?.error_message ?? '', /unchanged for 24 h/);
    assert.equal(queueStats(db, t0 + 26 * hour).total, 0, 'not looked at again while unchanged');

    // The rest of the copy arrives: changed, tried again, analysed.
    await writeFile(half, 'the whole photo now');
    complete = true;
    const t1 = t0 + 30 * hour;
    assert.deepEqual(
      (await run(db, photos, analyse, t1)).map((r) => r.kind),
      ['analysed'],
    );
  } finally {
    db.close();
  }
});

test('a folder made readable again: its unreadable photos and backing-off jobs are tried now, others are not', async () => {
  const { db } = freshDb();
  const { photos, paths } = await library(['trip/a.jpg', 'trip/b.jpg', 'tripod/c.jpg', 'd.jpg']);
  const [a, b, c, d] = take(paths, 4, 'library paths');
  const analyse: Analyser = async (path) => ({
    ok: false,
    code: 'unreadable',
    message: `${path}: EACCES`,
    transient: false,
  });
  try {
    await run(db, photos, analyse, 1000);
    // b waits out a backoff instead (its folder refused a stat); d failed for another reason.
    db.prepare("UPDATE photos SET status = 'pending', error_code = NULL WHERE path = ?").run(b);
    enqueueJob(db, 'analyse', b, 1000, { delayMs: 3600_000 });
    db.prepare("UPDATE photos SET error_code = 'corrupt' WHERE path = ?").run(d);

    assert.equal(retryUnreadableUnder(db, join(photos, 'trip'), 2000), 2);
    assert.deepEqual(
      claimJobs(db, { limit: 10, leaseMs: LEASE, now: 2000 })
        .map((j) => j.key)
        .sort(),
      [a, b],
      'not c (tripod is another folder) nor d',
    );
    assert.equal(photoByPath(db, a)?.status, 'pending');
    assert.deepEqual([photoByPath(db, c)?.status, photoByPath(db, d)?.status], ['failed', 'failed']);
  } finally {
    db.close();
  }
});

test('a job that keeps failing is given up as a permanent failure', async () => {
  const { db } = freshDb();
  const { photos, paths } = await library(['flaky.jpg']);
  const [flaky] = take(paths, 1, 'library paths');
  const analyse: Analyser = async () => ({ ok: false, code: 'EIO', message: 'again', transient: true });
  try {
    await reconcile({ db, roots: [photos], pipelineVersion: 1, now: () => 0 });
    const results: JobResult[] = [];
    for (let t = 0; t < 24 * 3600_000; t += 600_000) {
      await drainJobs(
        { db, pipelineVersion: 1, analyse, now: () => t, maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 1000 } },
        (r) => results.push(r),
      );
    }
    assert.deepEqual(
      results.map((r) => r.kind),
      ['retry', 'retry', 'retry', 'failed'],
    );
    assert.equal(photoByPath(db, flaky)?.error_code, 'gave-up');
  } finally {
    db.close();
  }
});

test('recording an analysis twice (a crash between two runs of one job) never duplicates faces', async () => {
  const { db } = freshDb();
  const { photos, paths } = await library(['twice.jpg']);
  const [twice] = take(paths, 1, 'library paths');
  try {
    await run(db, photos, async () => ok(3), 0);
    const photo = photoByPath(db, twice);
    const faces = facesOfPhoto(db, photo?.id ?? -1);
    assert.equal(faces.length, 3);
    // The same result again, as a re-run of the job would record it.
    const outcome = ok(3);
    if (!outcome.ok) throw new Error('unreachable');
    const { width, height, orientation, takenAt, modelVersion } = outcome;
    const record = {
      path: twice,
      size: photo?.size ?? 0,
      mtimeMs: photo?.mtime_ms ?? 0,
      hash: hashBytes(Buffer.from(`bytes of ${twice}`)),
      pipelineVersion: 1,
      ...{ width, height, orientation, takenAt, modelVersion },
      faces: outcome.faces,
    };
    const report = recordAnalysis(db, null, record, 5000);
    assert.deepEqual([report.inserted, report.updated, report.deleted], [0, 3, 0]);
    assert.deepEqual(
      facesOfPhoto(db, photo?.id ?? -1).map((f) => f.id),
      faces.map((f) => f.id),
    );

    // A worker whose lease was taken over writes nothing at all.
    enqueueJob(db, 'analyse', twice, 6000);
    const [stale] = take(claimJobs(db, { limit: 1, leaseMs: 10, now: 6000 }), 1, 'claimed jobs');
    claimJobs(db, { limit: 1, leaseMs: LEASE, now: 7000 });
    assert.throws(() => recordAnalysis(db, stale, { ...record, faces: [] }, 7000), LeaseLostError);
    assert.equal(facesOfPhoto(db, photo?.id ?? -1).length, 3, 'rolled back');
    assert.deepEqual(integrityProblems(db), []);
  } finally {
    db.close();
  }
});
