/**
 * Issue 4 acceptance, "crash test": kill -9 the built daemon at seeded random points of its
 * backfill, at least five times, restarting it each time. At the end every photo was processed
 * exactly once: one done row per file, no job left, the faces of each photo exactly those of a
 * clean run (so none duplicated, none lost), and SQLite's integrity check is ok.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seededRandom } from '../../src/eval/match.js';
import { type Db, integrityProblems, openDatabase } from '../../src/store/db.js';
import { queueStats } from '../../src/store/jobs.js';
import { type Daemon, type LogLine, logsOf, sleep, startDaemon, until, writeConfig } from '../helpers/daemon.js';
import { detectionImages } from '../helpers/detector.js';
import { tmpDir } from '../helpers/paths.js';

const SEED = 20261128;
const PHOTOS = 16;
const KILLS = 5;

let dir = '';
let photos = '';
let config = '';

before(async () => {
  dir = await tmpDir('facetag-daemon-crash-');
  photos = join(dir, 'photos');
  await mkdir(join(photos, 'sub'), { recursive: true });
  const names = (await readdir(detectionImages)).filter((n) => n.endsWith('.jpg')).sort();
  const chosen = names.filter((_, i) => i % 7 === 3).slice(0, PHOTOS);
  assert.equal(chosen.length, PHOTOS);
  for (const [i, name] of chosen.entries()) {
    await copyFile(join(detectionImages, name), join(photos, i % 3 ? name : join('sub', name)));
  }
  // The full sweep: with the WebAssembly kernel a quarter-turn sweep finished before enough kills landed.
  config = await writeConfig(dir, { engine: 'cascade', detection: { rotationStep: 15 }, daemon: { settleMs: 300 } });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const count = (db: Db, sql: string): number => Number(db.prepare(sql).pluck().get());

/** Each content's faces as sorted box strings, by content hash. */
function facesByHash(db: Db): Map<string, string[]> {
  const rows = db
    .prepare(
      `SELECT c.hash, f.cx, f.cy, f.width, f.height, f.angle FROM contents c JOIN faces f ON f.content_id = c.id
       ORDER BY c.hash`,
    )
    .all() as { hash: string; cx: number; cy: number; width: number; height: number; angle: number }[];
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const box = [r.cx, r.cy, r.width, r.height, r.angle].map((v) => v.toFixed(3)).join(',');
    out.set(r.hash, [...(out.get(r.hash) ?? []), box].sort());
  }
  return out;
}

/** Runs the daemon until every photo is done and the queue is empty, then stops it with SIGTERM. */
async function runToCompletion(dataDir: string): Promise<Daemon> {
  const daemon = startDaemon({ photos: [photos], dataDir, config });
  try {
    await daemon.waitForLog((l) => l.msg === 'ready', 20_000, 'ready');
    const db = openDatabase(dataDir);
    try {
      await until(
        () =>
          queueStats(db, Date.now()).total === 0 &&
          count(db, "SELECT count(*) FROM photos WHERE status = 'done'") === PHOTOS
            ? true
            : undefined,
        40_000,
        'every photo done',
        200,
      );
    } finally {
      db.close();
    }
    const exit = await daemon.stop();
    assert.deepEqual([exit.code, exit.signal], [0, null], daemon.noise.join('\n'));
    return daemon;
  } finally {
    await daemon.kill();
  }
}

test('kill -9 at random points of the backfill: every photo processed exactly once, no duplicate faces', async (t) => {
  const reference = join(dir, 'reference');
  await runToCompletion(reference);
  const refDb = openDatabase(reference);
  const expected = facesByHash(refDb);
  refDb.close();
  assert.ok([...expected.values()].flat().length >= PHOTOS, 'the clean run found faces');

  const dataDir = join(dir, 'data');
  const rand = seededRandom(SEED);
  const all: LogLine[] = [];
  let kills = 0;
  let interrupted = 0;
  for (let run = 1; kills < KILLS; run++) {
    assert.ok(run <= 20, `only ${kills} of 20 kills landed while work was left`);
    const daemon = startDaemon({ photos: [photos], dataDir, config });
    // Every third kill lands in start-up (DB open, models, reconcile, READY); the rest during analysis.
    const early = run % 3 === 1;
    const delay = Math.round(rand() * (early ? 300 : 1200));
    await daemon.waitForLog((l) => l.msg === (early ? 'starting' : 'ready'), 20_000, 'start-up');
    await sleep(delay);
    const reconciled = logsOf(daemon.lines, 'reconciled').length > 0;
    const exit = await daemon.kill();
    assert.equal(exit.signal, 'SIGKILL', `run ${run} was still running when killed`);
    all.push(...daemon.lines);

    const db = openDatabase(dataDir);
    const left = count(db, 'SELECT count(*) FROM jobs');
    const claimed = count(db, 'SELECT count(*) FROM jobs WHERE claimed_at IS NOT NULL');
    const done = count(db, "SELECT count(*) FROM photos WHERE status = 'done'");
    db.close();
    // It counts when the backfill had begun and was not over.
    const counts = reconciled && left > 0;
    if (counts) kills++;
    interrupted += claimed;
    t.diagnostic(
      `run ${run}: killed ${delay} ms after ${early ? "'starting'" : 'READY'}, ${done}/${PHOTOS} done, ` +
        `${left} jobs left (${claimed} mid-analysis)${counts ? '' : ', not counted'}`,
    );
  }
  assert.ok(interrupted > 0, 'at least one kill landed in the middle of an analysis');

  const last = await runToCompletion(dataDir);
  all.push(...last.lines);

  const db = openDatabase(dataDir);
  try {
    assert.deepEqual(integrityProblems(db), []);
    assert.equal(count(db, 'SELECT count(*) FROM jobs'), 0, 'no jobs left');
    assert.equal(count(db, 'SELECT count(*) FROM photos'), PHOTOS, 'one row per file');
    assert.equal(count(db, "SELECT count(*) FROM photos WHERE status = 'done'"), PHOTOS);
    assert.equal(count(db, 'SELECT count(DISTINCT content_id) FROM photos'), PHOTOS, 'one content per file');
    assert.equal(count(db, 'SELECT count(*) FROM contents'), PHOTOS, 'no orphan contents');
    assert.equal(count(db, 'SELECT count(*) FROM contents WHERE analysed_at IS NULL OR error_code IS NOT NULL'), 0);
    // The same faces as the clean run, content by content: nothing duplicated or lost.
    assert.deepEqual(facesByHash(db), expected);
  } finally {
    db.close();
  }
  // A result is logged only after its transaction committed, and a committed job is gone.
  const analysed = logsOf(all, 'analysed');
  const perPath = new Map<string, number>();
  for (const l of analysed) perPath.set(String(l.path), (perPath.get(String(l.path)) ?? 0) + 1);
  assert.deepEqual(
    [...perPath].filter(([, n]) => n > 1),
    [],
    'no photo analysed twice',
  );
  assert.deepEqual(logsOf(all, 'photo failed'), []);
  t.diagnostic(
    `${kills} kills during backfill, ${interrupted} analyses interrupted, ${analysed.length} analysed lines`,
  );
});
