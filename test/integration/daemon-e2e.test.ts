/**
 * Issue 4 acceptance, "e2e test": the built daemon on a temporary photos folder with a fake
 * NOTIFY_SOCKET. It says READY=1, photos copied in (some slowly, in chunks, like an SMB import)
 * are each analysed exactly once with their faces stored, watchdog pings and STATUS= lines
 * arrive, and SIGTERM gives STOPPING=1 and exit code 0 within the stop deadline.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../src/store/db.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { queueStats } from '../../src/store/jobs.js';
import { photoByPath } from '../../src/store/photos.js';
import { logsOf, sleep, startDaemon, writeConfig } from '../helpers/daemon.js';
import { detectionImages } from '../helpers/detector.js';
import { at } from '../helpers/items.js';
import { type NotifySocket, startNotifySocket } from '../helpers/notify-socket.js';
import { tmpDir } from '../helpers/paths.js';

const SETTLE_MS = 500;
const STOP_DEADLINE_S = 10;
const WATCHDOG_MS = 1000;

let dir = '';
let notify: NotifySocket | undefined;

before(async () => {
  dir = await tmpDir('facetag-daemon-e2e-');
  notify = await startNotifySocket();
});
after(async () => {
  await notify?.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Writes `bytes` to `to` in `chunks` pieces with a pause after each but the last, as a slow copy
 * does: the file exists, half-written, for the whole time.
 */
async function writeSlowly(bytes: Buffer, to: string, chunks: number, pauseMs: number): Promise<void> {
  const file = await open(to, 'w');
  try {
    const size = Math.ceil(bytes.length / chunks);
    for (let i = 0; i < chunks; i++) {
      await file.write(bytes.subarray(i * size, (i + 1) * size));
      await file.sync();
      if (i < chunks - 1) await sleep(pauseMs);
    }
  } finally {
    await file.close();
  }
}

test('the daemon sends READY=1, analyses each copied photo once, pings the watchdog and stops on SIGTERM', async (t) => {
  assert.ok(notify);
  const photos = join(dir, 'photos');
  await mkdir(photos);
  const names = (await readdir(detectionImages)).filter((n) => n.endsWith('.jpg')).sort();
  // 12 photos spread over the set (sizes 8–170 kB).
  const chosen = names.filter((_, i) => i % 10 === 0).slice(0, 12);
  assert.equal(chosen.length, 12);
  const src = (name: string) => join(detectionImages, name);
  const [pre, fast, slow, interrupted] = [
    chosen.slice(0, 3),
    chosen.slice(3, 7),
    chosen.slice(7, 11),
    at(chosen, 11, 'chosen photos'),
  ];

  // Three photos are there before the start: READY's STATUS must count them in the queue.
  for (const name of pre) await copyFile(src(name), join(photos, name));
  const config = await writeConfig(dir, {
    // The daemon's mechanics, on the cascade: 25x faster, so the timing bounds below hold on 2 cores.
    engine: 'cascade',
    detection: { rotationStep: 90 },
    daemon: { settleMs: SETTLE_MS, retryBaseSeconds: 1, stopDeadlineSeconds: STOP_DEADLINE_S },
  });
  const daemon = startDaemon({
    photos: [photos],
    dataDir: join(dir, 'data'),
    config,
    env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: String(WATCHDOG_MS * 1000) },
  });
  try {
    const ready = await notify.waitFor((m) => m.fields.READY === '1', 20_000);
    assert.match(ready.fields.STATUS ?? '', /^queue 3 \(\d+ running\), \d+ photos\/h/);
    const started = performance.now();

    // Copied in while the first three are analysed, half of them into a folder made after the start:
    // fast copies, and chunked writes whose pauses (100 ms) are well below the settle time, so that
    // none may be announced half-written.
    await mkdir(join(photos, '2024'));
    const target = (name: string, i: number) => (i % 2 ? join(photos, '2024', name) : join(photos, name));
    await Promise.all([
      ...fast.map((name, i) => copyFile(src(name), target(name, i))),
      ...slow.map(async (name, i) => writeSlowly(await readFile(src(name)), target(name, i + 1), 4, 100)),
    ]);
    const isAnalysed = (l: { msg: string }) => l.msg === 'analysed';
    await daemon.waitForCount(isAnalysed, 11, 30_000, '11 analysed photos');
    assert.deepEqual(
      logsOf(daemon.lines, 'photo will be retried'),
      [],
      'no photo was announced before it was complete',
    );

    // One write stalls for longer than the settle time: the half file is announced, fails to decode
    // (truncated, a passing error), and is analysed once it is complete.
    const late = join(photos, interrupted);
    await writeSlowly(await readFile(src(interrupted)), late, 2, SETTLE_MS * 4);
    await daemon.waitForCount(isAnalysed, 12, 30_000, 'the interrupted photo analysed');
    const retried = logsOf(daemon.lines, 'photo will be retried', late);
    assert.ok(retried.length >= 1, 'the half-written photo was tried and put back');
    assert.ok(
      retried.every((l) => l.code === 'truncated' || l.code === 'changed-during-analysis'),
      JSON.stringify(retried),
    );
    t.diagnostic(`half-written photo put back ${retried.length}× (${retried.map((l) => l.code).join(', ')})`);
    // Anything that would analyse a photo twice has had time to happen.
    await sleep(SETTLE_MS * 3);

    const paths = [
      ...pre.map((n) => join(photos, n)),
      ...fast.map((n, i) => target(n, i)),
      ...slow.map((n, i) => target(n, i + 1)),
      late,
    ];
    const db = openDatabase(join(dir, 'data'));
    try {
      let faces = 0;
      for (const path of paths) {
        const analysed = logsOf(daemon.lines, 'analysed', path);
        assert.equal(analysed.length, 1, `${path} analysed once`);
        const row = photoByPath(db, path);
        assert.equal(row?.status, 'done', path);
        const stored = facesOfPhoto(db, row?.id ?? -1);
        assert.equal(stored.length, analysed[0]?.faces, `${path}: the faces logged are the faces stored`);
        faces += stored.length;
      }
      assert.ok(faces >= 12, `faces found in 12 photos: ${faces}`);
      assert.equal(db.prepare('SELECT count(*) FROM photos').pluck().get(), 12, 'one row per photo');
      assert.equal(queueStats(db, Date.now()).total, 0, 'queue empty');
      t.diagnostic(`12 photos, ${faces} faces, ${((performance.now() - started) / 1000).toFixed(1)} s after READY`);
    } finally {
      db.close();
    }
    assert.deepEqual(logsOf(daemon.lines, 'photo failed'), []);

    // The periodic STATUS= shows the drained queue (refreshed every 10 s).
    const status = await notify.waitFor(
      (m) => /^queue 0 \(0 running\).* 12 analysed/.test(m.fields.STATUS ?? ''),
      15_000,
    );
    assert.ok(status.at > ready.at);

    const pings = notify.messages.filter((m) => m.fields.WATCHDOG === '1');
    assert.ok(pings.length >= 2, `watchdog pings: ${pings.length}`);
    const gaps = pings.slice(1).map((p, i) => p.at - (pings[i]?.at ?? 0));
    // systemd restarts a unit that misses WatchdogSec; the pings come every WatchdogSec / 2.
    assert.ok(Math.max(...gaps) < WATCHDOG_MS, `largest gap between pings ${Math.round(Math.max(...gaps))} ms`);
    t.diagnostic(`${pings.length} watchdog pings, largest gap ${Math.round(Math.max(...gaps))} ms`);

    const exit = await daemon.stop('SIGTERM', STOP_DEADLINE_S * 1000 + 5000);
    assert.deepEqual([exit.code, exit.signal], [0, null], daemon.noise.join('\n'));
    assert.ok(exit.ms < STOP_DEADLINE_S * 1000, `stopped in ${Math.round(exit.ms)} ms`);
    await notify.waitFor((m) => m.fields.STOPPING === '1', 1000);
    assert.ok(logsOf(daemon.lines, 'stopped').length === 1);
    assert.deepEqual(
      daemon.lines.filter((l) => l.level === 'error'),
      [],
    );
  } finally {
    await daemon.kill();
  }
});
