import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, open, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createWatcher, type PhotoWatcher } from '../../src/daemon/watch/create-watcher.js';
import { countInotifyWatches } from '../../src/daemon/watch/inotify-watches.js';
import type { BackendEvent, BackendSubscription, WatchBackend } from '../../src/daemon/watch/watch-backend.js';
import type { WatchEvent, WatchLog } from '../../src/daemon/watch/watch-event.js';
import type { WatcherOptions } from '../../src/daemon/watch/watcher-options.js';
import { tmpDir } from '../helpers/paths.js';

const TIMEOUT = { timeout: 30_000 };

/** Everything a watcher said, with the time it said it. */
class Recorder {
  readonly events: { at: number; event: WatchEvent }[] = [];
  readonly logs: WatchLog[] = [];
  readonly onEvent = (event: WatchEvent): void => {
    this.events.push({ at: performance.now(), event });
  };
  readonly log = (entry: WatchLog): void => {
    this.logs.push(entry);
  };

  of(kind: WatchEvent['kind'], path?: string): WatchEvent[] {
    return this.events
      .map((e) => e.event)
      .filter((e) => e.kind === kind && (path === undefined || ('path' in e && e.path === path)));
  }

  /** Paths of upserts, sorted. */
  upserts(): string[] {
    return this.of('upsert')
      .map((e) => ('path' in e ? e.path : ''))
      .sort();
  }

  async waitFor(what: string, predicate: () => boolean, timeoutMs = 8000): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > end) {
        assert.fail(`timed out waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => e.event))}`);
      }
      await sleep(20);
    }
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(): Promise<string> {
  const dir = await tmpDir('facetag-watch-');
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(roots: string[], rec: Recorder, extra: Partial<WatcherOptions> = {}): Promise<PhotoWatcher> {
  const watcher = await createWatcher({ roots, settleMs: 300, onEvent: rec.onEvent, log: rec.log, ...extra });
  cleanups.push(() => watcher.close());
  return watcher;
}

async function put(path: string, content = 'not really a jpeg'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

test('a file written slowly is announced once, only after its last chunk has settled', TIMEOUT, async () => {
  const root = await tempDir();
  const rec = new Recorder();
  await start([root], rec, { settleMs: 500 });
  const path = join(root, 'slow.jpg');
  const chunk = Buffer.alloc(64 * 1024, 1);
  const file = await open(path, 'w');
  try {
    // 7 chunks, 250 ms apart: 1.5 s of writing, each pause half the settle time.
    for (let i = 0; i < 7; i++) {
      if (i > 0) await sleep(250);
      assert.deepEqual(rec.of('upsert', path), [], `announced before chunk ${i + 1} of 7 was written`);
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
  const lastWrite = performance.now();
  await rec.waitFor('the upsert', () => rec.of('upsert', path).length > 0);
  const [first] = rec.events.filter((e) => e.event.kind === 'upsert');
  assert.ok(
    first && first.at - lastWrite >= 450,
    `announced ${first?.at ? first.at - lastWrite : '?'} ms after the last write`,
  );
  const st = await stat(path);
  assert.deepEqual(rec.of('upsert', path)[0], {
    kind: 'upsert',
    path,
    root,
    size: 7 * chunk.length,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
  });
  await sleep(1500);
  assert.equal(rec.of('upsert', path).length, 1, 'announced exactly once');
});

test('a rename is a remove of the old path and an upsert of the new one; a delete is a remove', TIMEOUT, async () => {
  const root = await tempDir();
  const rec = new Recorder();
  await start([root], rec);
  const a = join(root, 'album', 'a.jpg');
  const b = join(root, 'album', 'b.jpg');
  await mkdir(join(root, 'album'));
  await put(a);
  await rec.waitFor('upsert a', () => rec.of('upsert', a).length === 1);
  await rename(a, b);
  await rec.waitFor(
    'remove a and upsert b',
    () => rec.of('remove', a).length === 1 && rec.of('upsert', b).length === 1,
  );
  await rm(b);
  await rec.waitFor('remove b', () => rec.of('remove', b).length === 1);
  assert.deepEqual(rec.upserts(), [a, b]);
  assert.deepEqual(
    rec.of('remove').map((e) => ('path' in e ? e.path : '')),
    [a, b],
  );
});

test('a folder moved in announces its files, and files added later to its sub-folders too', TIMEOUT, async () => {
  const root = await tempDir();
  const outside = await tempDir();
  const rec = new Recorder();
  await start([root], rec);
  const album = join(outside, 'Holiday');
  for (const rel of ['x.jpg', 'Day 1/y.jpg', 'Day 1/Beach/z.heic', '.hidden/h.jpg', 'notes.txt']) {
    await put(join(album, rel));
  }
  await rename(album, join(root, 'Holiday'));
  const inRoot = (rel: string) => join(root, 'Holiday', rel);
  await rec.waitFor('the three photos', () => rec.upserts().length === 3);
  assert.deepEqual(rec.upserts(), [inRoot('Day 1/Beach/z.heic'), inRoot('Day 1/y.jpg'), inRoot('x.jpg')]);
  // @parcel/watcher gives the moved-in sub-folders no watch; the watcher re-subscribes the root.
  await rec.waitFor('the re-subscription', () => rec.of('rescan').length === 1);
  assert.deepEqual(rec.of('rescan'), [
    {
      kind: 'rescan',
      root,
      reason: 'resubscribed',
      detail: `new folder ${join(root, 'Holiday')} came with sub-folders`,
    },
  ]);
  await put(inRoot('Day 1/Beach/later.jpg'));
  await rec.waitFor('the later photo', () => rec.of('upsert', inRoot('Day 1/Beach/later.jpg')).length === 1);
});

test('hidden, system, temp, sidecar, own and non-image files are ignored', TIMEOUT, async () => {
  const root = await tempDir();
  await put(join(root, '@eaDir', 'old.jpg', 'SYNOPHOTO_THUMB_M.jpg'));
  const rec = new Recorder();
  await start([root], rec, { isOwnFile: (p) => p.endsWith('/mine.jpg') });
  const ignored = [
    '.hidden.jpg',
    '.thumbnails/a.jpg',
    '@eaDir/old.jpg/SYNOPHOTO_THUMB_XL.jpg',
    '@eaDir/new.jpg/SYNOPHOTO_THUMB_M.jpg',
    '#recycle/a.jpg',
    '.Trash-1000/files/a.jpg',
    'lost+found/a.jpg',
    '$RECYCLE.BIN/a.jpg',
    'a.jpg.part',
    'b.tmp',
    'c.jpg.crdownload',
    '~$d.jpg',
    '.~e.jpg',
    'g.jpg.xmp',
    'g.annotated.jpg',
    'g.chip.0.png',
    'notes.txt',
    'clip.mov',
    'mine.jpg',
  ];
  for (const rel of ignored) await put(join(root, rel));
  // rsync: a hidden temp name, renamed into place when complete.
  await put(join(root, '.synced.jpg.Xy12Ab'));
  await rename(join(root, '.synced.jpg.Xy12Ab'), join(root, 'synced.jpg'));
  await put(join(root, 'last.jpg'));
  await rec.waitFor('last.jpg', () => rec.of('upsert', join(root, 'last.jpg')).length === 1);
  await sleep(600);
  assert.deepEqual(rec.upserts(), [join(root, 'last.jpg'), join(root, 'synced.jpg')]);
  assert.deepEqual(rec.of('remove'), [], 'the rsync temp name is not reported removed');
});

test('exclude and include patterns apply', TIMEOUT, async () => {
  const root = await tempDir();
  const rec = new Recorder();
  await start([root], rec, { include: ['*.jpg', '*.png'], exclude: ['Backups', 'private/**', '*.png'] });
  for (const rel of ['Backups/a.jpg', 'x/Backups/b.jpg', 'private/c.jpg', 'private/deeper/c2.jpg', 'd.png', 'e.heic']) {
    await put(join(root, rel));
  }
  await put(join(root, 'keep', 'f.JPG'));
  await rec.waitFor('keep/f.JPG', () => rec.upserts().length > 0);
  await sleep(600);
  assert.deepEqual(rec.upserts(), [join(root, 'keep', 'f.JPG')]);
});

test('one inotify watch per watched folder, none under hidden or system folders', TIMEOUT, async (t) => {
  const before = await countInotifyWatches();
  if (before === undefined) {
    t.skip('no /proc/self/fdinfo');
    return;
  }
  const root = await tempDir();
  for (const rel of ['2024/a.jpg', '2024/06/b.jpg', '2025/c.jpg']) await put(join(root, rel));
  for (let i = 0; i < 5; i++) await put(join(root, '2024', '@eaDir', `${i}.jpg`, 'SYNOPHOTO_THUMB_M.jpg'));
  for (const rel of ['.thumbnails/large/x.png', '#recycle/old/y.jpg', 'lost+found/z']) await put(join(root, rel));
  const watcher = await start([root], new Recorder());
  // root, 2024, 2024/06, 2025
  assert.equal((await countInotifyWatches()) ?? 0, (before ?? 0) + 4);
  await watcher.close();
  assert.equal(await countInotifyWatches(), before, 'close() removes the watches');
});

test(
  'beyond maxPending waiting files the excess is dropped and the root rescanned once they settle',
  TIMEOUT,
  async () => {
    const root = await tempDir();
    const rec = new Recorder();
    await start([root], rec, { maxPending: 3 });
    for (let i = 0; i < 8; i++) await put(join(root, `burst-${i}.jpg`));
    await rec.waitFor('the overflow rescan', () => rec.of('rescan').length === 1);
    assert.deepEqual(rec.of('rescan')[0], {
      kind: 'rescan',
      root,
      reason: 'overflow',
      detail: 'more than 3 files changed at once',
    });
    assert.equal(rec.upserts().length, 3, 'the three that fitted were announced, before the rescan');
    assert.deepEqual(
      rec.logs.filter((l) => l.level === 'warn').map((l) => l.event),
      ['watch.overflow'],
    );
  },
);

test('a symlinked root reports paths under the configured root', TIMEOUT, async () => {
  const real = await tempDir();
  const parent = await tempDir();
  const link = join(parent, 'Pictures');
  await symlink(real, link);
  const rec = new Recorder();
  await start([link], rec);
  await put(join(real, 'a.jpg'));
  await rec.waitFor('the upsert', () => rec.upserts().length === 1);
  assert.deepEqual(rec.upserts(), [join(link, 'a.jpg')]);
});

/** A backend that fails `failures` times with the inotify limit error, then watches nothing. */
function failingBackend(failures = Number.POSITIVE_INFINITY) {
  const calls = { subscribe: 0, unsubscribe: 0 };
  let breakIt: ((error: Error) => void) | undefined;
  const backend: WatchBackend = {
    name: 'fake',
    async subscribe(dir: string, _onEvents: (e: readonly BackendEvent[]) => void, onError: (e: Error) => void) {
      calls.subscribe++;
      if (calls.subscribe <= failures) {
        throw new Error(`inotify_add_watch on '${dir}/sub' failed: No space left on device`);
      }
      breakIt = onError;
      const sub: BackendSubscription = {
        async unsubscribe() {
          calls.unsubscribe++;
        },
      };
      return sub;
    },
  };
  return { backend, calls, breakIt: (e: Error) => breakIt?.(e) };
}

test(
  'when subscribing fails the root is polled: one log line, rescans on an interval, quiet retries',
  TIMEOUT,
  async () => {
    const root = await tempDir();
    const rec = new Recorder();
    const fake = failingBackend();
    const watcher = await start([root], rec, { backend: fake.backend, pollIntervalMs: 100 });
    assert.equal(watcher.status().roots[0]?.mode, 'polling');
    await sleep(1000);
    const loud = rec.logs.filter((l) => l.level === 'warn' || l.level === 'error');
    assert.equal(loud.length, 1, JSON.stringify(rec.logs));
    assert.equal(loud[0]?.event, 'watch.fallback');
    assert.match(loud[0]?.msg ?? '', /ENOSPC.*max_user_watches/);
    const rescans = rec.of('rescan');
    assert.equal(rescans[0]?.kind === 'rescan' && rescans[0].reason, 'watch-failed');
    const polls = rescans.filter((e) => e.kind === 'rescan' && e.reason === 'poll');
    assert.ok(polls.length >= 5 && polls.length <= 11, `${polls.length} poll rescans in 1 s at 100 ms`);
    // Retries back off (100, 200, 400, 800 ms): far fewer subscribe attempts than polls.
    assert.ok(fake.calls.subscribe >= 3 && fake.calls.subscribe <= 5, `${fake.calls.subscribe} subscribe attempts`);
  },
);

test('a subscription that breaks falls back to polling, and watching resumes once it can', TIMEOUT, async () => {
  const root = await tempDir();
  const rec = new Recorder();
  const fake = failingBackend(0);
  const watcher = await start([root], rec, { backend: fake.backend, pollIntervalMs: 100 });
  assert.equal(watcher.status().roots[0]?.mode, 'watching');
  fake.breakIt(new Error('Error reading from inotify: Input/output error'));
  await rec.waitFor('the fallback', () => watcher.status().roots[0]?.mode === 'polling');
  assert.equal(fake.calls.unsubscribe, 1);
  await rec.waitFor('recovery', () => watcher.status().roots[0]?.mode === 'watching', 3000);
  assert.deepEqual(
    rec.logs.filter((l) => l.level !== 'debug').map((l) => l.event),
    ['watch.started', 'watch.fallback', 'watch.recovered'],
  );
  const reasons = rec.of('rescan').map((e) => (e.kind === 'rescan' ? e.reason : ''));
  assert.equal(reasons[0], 'watch-failed');
  assert.equal(reasons.at(-1), 'resubscribed');
});

test('a root that does not exist yet is polled without rescans until it appears, then watched', TIMEOUT, async () => {
  const parent = await tempDir();
  const root = join(parent, 'nas');
  const rec = new Recorder();
  const watcher = await start([root], rec, { pollIntervalMs: 100 });
  assert.equal(watcher.status().roots[0]?.mode, 'polling');
  assert.match(watcher.status().roots[0]?.reason ?? '', /^ENOENT/);
  await sleep(350);
  assert.deepEqual(
    rec.of('rescan').map((e) => (e.kind === 'rescan' ? e.reason : '')),
    ['watch-failed'],
    'no poll rescans of a missing root',
  );
  await mkdir(root);
  await rec.waitFor('watching', () => watcher.status().roots[0]?.mode === 'watching');
  await put(join(root, 'a.jpg'));
  await rec.waitFor('the upsert', () => rec.upserts().length === 1);
});

test('after close() nothing is reported, and a process that used a watcher exits on its own', TIMEOUT, async () => {
  const root = await tempDir();
  const rec = new Recorder();
  const watcher = await start([root], rec);
  await put(join(root, 'a.jpg'));
  await watcher.close();
  await watcher.close(); // idempotent
  await put(join(root, 'b.jpg'));
  await sleep(700);
  assert.deepEqual(rec.events, []);

  // A child that watches (native and polling), sees an event, closes, and must then exit by
  // itself: any handle left open (timer, subscription) keeps it alive and fails this test.
  const moduleUrl = new URL('../../src/daemon/watch/create-watcher.js', import.meta.url).href;
  const script = `
    import { createWatcher } from ${JSON.stringify(moduleUrl)};
    import { writeFile } from 'node:fs/promises';
    const root = ${JSON.stringify(root)};
    let seen;
    const got = new Promise((r) => { seen = r; });
    const w = await createWatcher({ roots: [root], settleMs: 50, onEvent: (e) => e.kind === 'upsert' && seen(), log: () => {} });
    const failing = { name: 'fail', subscribe: async () => { throw new Error('No space left on device'); } };
    const p = await createWatcher({ roots: [root], pollIntervalMs: 50, backend: failing, onEvent: () => {}, log: () => {} });
    await writeFile(root + '/child.jpg', 'x');
    await got;
    await Promise.all([w.close(), p.close()]);
    console.log('closed');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running 10 s after start');
    }, 10_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c ?? -1);
    });
  });
  assert.equal(code, 0, out);
  assert.equal(out.trim(), 'closed');
});
