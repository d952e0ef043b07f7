import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FileStat, SettleQueue } from '../../src/daemon/watch/settle-queue.js';

/** A file system of stats the test edits, and a clock it moves by hand. */
function fakes() {
  const files = new Map<string, FileStat>();
  const clock = { ms: 0 };
  const stat = async (path: string): Promise<FileStat> => {
    const s = files.get(path);
    if (!s) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return s;
  };
  const file = (size: number, mtimeMs = 1, ino = 7, ctimeMs = mtimeMs): FileStat => ({
    size,
    mtimeMs,
    ctimeMs,
    ino,
    isFile: true,
    isDirectory: false,
  });
  return { files, clock, stat, file };
}

function queue(f: ReturnType<typeof fakes>, extra: { maxPending?: number; maxWaitMs?: number } = {}) {
  return new SettleQueue({
    settleMs: 1000,
    maxWaitMs: extra.maxWaitMs ?? 60_000,
    maxPending: extra.maxPending ?? 100,
    now: () => f.clock.ms,
    stat: f.stat,
  });
}

test('announces a file only after its size and mtime held still for settleMs', async () => {
  const f = fakes();
  const q = queue(f);
  f.files.set('/r/a.jpg', f.file(10));
  q.touch('/r/a.jpg', '/r');
  assert.equal((await q.check()).settled.length, 0, 'first look only records the stat');
  f.clock.ms = 999;
  assert.equal((await q.check()).settled.length, 0, 'not yet settleMs since the first look');
  f.clock.ms = 1000;
  const out = await q.check();
  assert.deepEqual(out.settled, [{ path: '/r/a.jpg', root: '/r', size: 10, mtimeMs: 1, ctimeMs: 1, forced: false }]);
  assert.equal(q.size, 0);
});

test('a growing file or a new event restarts the wait', async () => {
  const f = fakes();
  const q = queue(f);
  f.files.set('/r/a.jpg', f.file(10));
  q.touch('/r/a.jpg', '/r');
  await q.check();
  f.clock.ms = 900;
  f.files.set('/r/a.jpg', f.file(20, 2));
  assert.equal((await q.check()).settled.length, 0);
  f.clock.ms = 1800;
  assert.equal((await q.check()).settled.length, 0, 'only 900 ms since it grew');
  q.touch('/r/a.jpg', '/r'); // an event with no visible change (same size, same mtime)
  f.clock.ms = 1950;
  assert.equal((await q.check()).settled.length, 0, 'the event restarted the wait');
  f.clock.ms = 2900;
  assert.equal((await q.check()).settled.length, 0, 'still < settleMs since the event was seen');
  f.clock.ms = 2950;
  assert.equal((await q.check()).settled.length, 1);
});

test('a file that never stops changing is announced after maxWaitMs, marked forced', async () => {
  const f = fakes();
  const q = queue(f, { maxWaitMs: 5000 });
  q.touch('/r/log.jpg', '/r');
  let settled: { forced: boolean }[] = [];
  for (let t = 0; t <= 6000 && settled.length === 0; t += 500) {
    f.clock.ms = t;
    f.files.set('/r/log.jpg', f.file(t + 1, t));
    settled = (await q.check()).settled;
  }
  assert.equal(f.clock.ms, 5000);
  assert.deepEqual(
    settled.map((s) => s.forced),
    [true],
  );
});

test('the queue is bounded: touch refuses new paths when full but accepts known ones', () => {
  const f = fakes();
  const q = queue(f, { maxPending: 2 });
  assert.ok(q.touch('/r/1.jpg', '/r'));
  assert.ok(q.touch('/r/2.jpg', '/r'));
  assert.ok(!q.touch('/r/3.jpg', '/r'));
  assert.ok(q.touch('/r/1.jpg', '/r'));
  assert.equal(q.size, 2);
  assert.equal(q.pendingFor('/r'), 2);
  assert.equal(q.pendingFor('/other'), 0);
});

test('a vanished file is dropped quietly; a folder is handed back; other stat errors are reported', async () => {
  const f = fakes();
  const q = queue(f);
  q.touch('/r/gone.jpg', '/r');
  f.files.set('/r/Trip.jpg', { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 1, isFile: false, isDirectory: true });
  q.touch('/r/Trip.jpg', '/r');
  const denied = new SettleQueue({
    settleMs: 1,
    maxWaitMs: 10,
    maxPending: 10,
    now: () => 0,
    stat: async () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    },
  });
  denied.touch('/r/x.jpg', '/r');
  const out = await q.check();
  assert.deepEqual(out.settled, []);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.folders, [{ path: '/r/Trip.jpg', root: '/r' }]);
  assert.equal(q.size, 0);
  const bad = await denied.check();
  assert.equal(bad.errors.length, 1);
  assert.equal(denied.size, 0);
});

test('an unchanged file is not announced twice; after forget, or a chmod, it is', async () => {
  const f = fakes();
  const q = queue(f);
  f.files.set('/r/a.jpg', f.file(10));
  const settle = async (): Promise<number> => {
    q.touch('/r/a.jpg', '/r');
    await q.check();
    f.clock.ms += 1000;
    return (await q.check()).settled.length;
  };
  assert.equal(await settle(), 1);
  assert.equal(await settle(), 0, 'a repeated event: same size, mtime, inode and ctime');
  f.files.set('/r/a.jpg', f.file(10, 1, 7, 2));
  assert.equal(await settle(), 1, 'a chmod moves only ctime: a photo that failed unreadable may read now');
  q.forget('/r/a.jpg');
  assert.equal(await settle(), 1, 'deleted and put back');
  f.files.set('/r/a.jpg', f.file(10, 1, 8));
  assert.equal(await settle(), 1, 'replaced by another file of the same size and mtime');
});

test('forget during a stat in flight wins over the stat', async () => {
  const f = fakes();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const q = new SettleQueue({
    settleMs: 0,
    maxWaitMs: 0,
    maxPending: 10,
    now: () => 0,
    stat: async (p) => {
      await gate;
      return f.stat(p);
    },
  });
  f.files.set('/r/a.jpg', f.file(1));
  q.touch('/r/a.jpg', '/r');
  const pending = q.check();
  q.forget('/r/a.jpg');
  release();
  assert.deepEqual((await pending).settled, []);
});
