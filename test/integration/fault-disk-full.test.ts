/**
 * Fault suite, a full disk (issue 15 §2): the daemon pauses rather than crashes, says why, keeps
 * answering, resumes by itself once it can write again, and loses nothing.
 * - Portable: the database filled to SQLite's `max_page_count`, under the real job runner.
 * - Real: the data folder on a small tmpfs filled to the last byte, under the real daemon (only
 *   where the test may mount one: root in a container or VM, as in CI).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { Analyser } from '../../src/daemon/backfill.js';
import { startJobRunner } from '../../src/daemon/job-runner.js';
import { reconcile } from '../../src/daemon/reconcile.js';
import { createStorageHealth } from '../../src/daemon/storage-health.js';
import { integrityProblems, openDatabase } from '../../src/store/db.js';
import { queueStats } from '../../src/store/jobs.js';
import { statusCounts } from '../../src/store/photos.js';
import { probeWrite } from '../../src/store/storage-probe.js';
import { startDaemon, until, writeConfig } from '../helpers/daemon.js';
import { cliPath } from '../helpers/detector.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';
import { recordingLogger } from '../helpers/recording-logger.js';

const execFileP = promisify(execFile);
let dir = '';
before(async () => {
  dir = await tmpDir('facetag-fault-disk-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the database filling up pauses the job runner; when it has room again, every photo is analysed once', async () => {
  const dataDir = join(dir, 'pages');
  const photos = join(dir, 'pages-photos');
  await mkdir(photos, { recursive: true });
  for (let i = 0; i < 8; i++) await writeFile(join(photos, `p${i}.jpg`), `bytes of photo ${i}`);
  const db = openDatabase(dataDir);
  const { log, lines } = recordingLogger();
  try {
    await reconcile({ db, roots: [photos], pipelineVersion: 1, now: Date.now });
    assert.equal(queueStats(db, Date.now()).total, 8);
    // Full: the database may not grow by a single page.
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages}`);

    // Each analysis stores chips that need fresh pages.
    const analysed = new Map<string, number>();
    const analyse: Analyser = async () => ({
      ok: true,
      width: 400,
      height: 300,
      orientation: 1,
      takenAt: null,
      modelVersion: null,
      faces: [{ rect: { cx: 50, cy: 50, width: 40, height: 40, angle: 0 }, strength: 3, chip: randomBytes(20_000) }],
    });
    const health = createStorageHealth({ log, now: Date.now, probe: () => probeWrite(db) });
    const runner = startJobRunner({
      ctx: { db, pipelineVersion: 1, analyse, now: Date.now },
      concurrency: 2,
      log,
      health,
      idlePollMs: 50,
      onResult: (r) => {
        if (r.kind === 'analysed') analysed.set(r.path, (analysed.get(r.path) ?? 0) + 1);
      },
    });
    try {
      await until(() => health.paused(), 10_000, 'a pause');
      assert.equal(health.paused()?.code, 'SQLITE_FULL');
      // Nothing lost and nothing given up: every photo waits in the queue, none failed.
      const counts = statusCounts(db);
      assert.equal(counts.failed, 0);
      assert.equal(counts.done + queueStats(db, Date.now()).total, 8);
      assert.deepEqual(
        db.prepare('SELECT DISTINCT attempts FROM jobs').pluck().all(),
        [0],
        'a pause is not a failed attempt',
      );

      db.pragma('max_page_count = 1073741823');
      await until(() => (statusCounts(db).done === 8 ? true : undefined), 30_000, 'every photo analysed');
      assert.equal(health.paused(), undefined);
      assert.deepEqual([...analysed.values()], Array<number>(8).fill(1), 'each photo analysed once');
      assert.equal(lines.filter((l) => l.msg === 'paused: cannot write').length, 1);
      assert.equal(lines.filter((l) => l.msg === 'resumed: writes work again').length, 1);
      assert.deepEqual(integrityProblems(db), []);
    } finally {
      await runner.stop();
    }
  } finally {
    db.close();
  }
});

/** A tmpfs of `mb` megabytes at `at`, or why there cannot be one here. */
async function mountTmpfs(at: string, mb: number): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  return execFileP('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0700`, 'tmpfs', at]).then(
    () => undefined,
    (err: Error) => `cannot mount a tmpfs here: ${err.message}`,
  );
}

/** Writes until the file system is full; returns the filler's path. */
async function fill(folder: string): Promise<string> {
  const filler = join(folder, 'filler');
  const { open } = await import('node:fs/promises');
  const fh = await open(filler, 'w');
  try {
    for (let chunk = 1 << 20; chunk >= 512; ) {
      try {
        await fh.write(Buffer.alloc(chunk));
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOSPC') throw err;
        chunk >>= 1;
      }
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
  return filler;
}

test('a real full disk under the daemon: paused and said so (log, /readyz, status), API reads answer, resumed with nothing lost', async (t) => {
  const dataDir = join(dir, 'tmpfs');
  await mkdir(dataDir);
  const why = await mountTmpfs(dataDir, 24);
  if (why) {
    t.skip(why);
    return;
  }
  const photos = join(dir, 'tmpfs-photos');
  await mkdir(photos);
  const source = join(sharedDir, 'data', 'library', 'photos', '2019', '01');
  const files = (await readdir(source)).sort().slice(0, 6);
  for (const f of files.slice(0, 2)) await copyFile(join(source, f), join(photos, f));
  const config = await writeConfig(dir, { engine: 'cascade', daemon: { settleMs: 200 } });
  const daemon = startDaemon({ photos: [photos], dataDir, config });
  try {
    const http = await daemon.waitForLog((l) => l.msg === 'http listening', 20_000, 'http listening');
    const url = String(http.url);
    await daemon.waitForLog((l) => l.msg === 'ready', 60_000, 'ready');
    await daemon.waitForCount((l) => l.msg === 'analysed', 2, 60_000, 'the first photos');

    const filler = await fill(dataDir);
    for (const f of files.slice(2)) await copyFile(join(source, f), join(photos, f));
    await daemon.waitForLog((l) => l.msg === 'paused: cannot write', 60_000, 'a pause');
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503);
    assert.match(JSON.stringify(await ready.json()), /paused since .*full.*resumes by itself/);
    assert.equal((await fetch(`${url}/api/persons`)).status, 200, 'reads still answer');
    const status = await execFileP(process.execPath, [cliPath, 'status', '--data-dir', dataDir, '--config', config]);
    assert.match(status.stdout, /daemon: +running, paused since .*full/);

    await unlink(filler);
    await daemon.waitForLog((l) => l.msg === 'resumed: writes work again', 90_000, 'the resume');
    await daemon.waitForCount((l) => l.msg === 'analysed', files.length, 120_000, 'every photo analysed');
    for (const f of files) {
      assert.equal(
        daemon.lines.filter((l) => l.msg === 'analysed' && l.path === join(photos, f)).length,
        1,
        `${f} analysed once`,
      );
    }
    assert.equal(daemon.lines.filter((l) => l.level === 'fatal' || l.msg.startsWith('unexpected')).length, 0);
    const exit = await daemon.stop();
    assert.equal(exit.code, 0);
    const db = openDatabase(dataDir);
    try {
      assert.deepEqual(integrityProblems(db), []);
      assert.equal(statusCounts(db).done, files.length);
    } finally {
      db.close();
    }
  } finally {
    await daemon.stop().catch(() => undefined);
    await execFileP('umount', [dataDir]).catch(() => undefined);
  }
});
