import assert from 'node:assert/strict';
import { chmod, mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ReconcileReport, reconcile } from '../../src/daemon/reconcile.js';
import { type Hasher, hashFile } from '../../src/files/content-hash.js';
import { recordAnalysis } from '../../src/store/analysis.js';
import { type Db, integrityProblems, openDatabase } from '../../src/store/db.js';
import { jobByKey, queueStats } from '../../src/store/jobs.js';
import { counts, photoByPath } from '../../src/store/photos.js';
import { modesBind, rerunWhereModesBind } from '../helpers/modes-bind.js';
import { tmpDir } from '../helpers/paths.js';

let dir = '';
let n = 0;
before(async () => {
  dir = await tmpDir('facetag-reconcile-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Fixture {
  readonly db: Db;
  readonly photos: string;
  readonly hashed: string[];
  /** Reconcile at time t with a counting hasher. */
  readonly pass: (t: number, roots?: string[]) => Promise<ReconcileReport>;
  /** Record the file as analysed, the way a finished job would. */
  readonly analysed: (path: string) => Promise<void>;
  readonly file: (name: string, text?: string) => Promise<string>;
}

async function fixture(): Promise<Fixture> {
  const base = join(dir, `case-${++n}`);
  const photos = join(base, 'photos');
  await mkdir(photos, { recursive: true });
  const db = openDatabase(join(base, 'data'));
  const hashed: string[] = [];
  const hasher: Hasher = (path) => {
    hashed.push(path);
    return hashFile(path);
  };
  return {
    db,
    photos,
    hashed,
    pass: (t, roots = [photos]) => {
      hashed.length = 0;
      return reconcile({ db, roots, pipelineVersion: 1, now: () => t, hasher });
    },
    analysed: async (path) => {
      const s = await import('node:fs/promises').then((fs) => fs.stat(path));
      recordAnalysis(
        db,
        null,
        {
          path,
          size: s.size,
          mtimeMs: Math.trunc(s.mtimeMs),
          hash: await hashFile(path),
          pipelineVersion: 1,
          modelVersion: null,
          width: 10,
          height: 10,
          orientation: 1,
          takenAt: null,
          faces: [{ rect: { cx: 5, cy: 5, width: 4, height: 4, angle: 0 }, strength: 1, support: 1 }],
        },
        0,
      );
    },
    file: async (name, text = name) => {
      const path = join(photos, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
      return path;
    },
  };
}

test('reconcile queues new and changed files, marks vanished ones removed, follows a move, and hashes only the move', async () => {
  const f = await fixture();
  try {
    const a = await f.file('a.jpg');
    const b = await f.file('sub/b.jpg');
    const c = await f.file('sub/deeper/c.png');
    await f.file('notes.txt');
    await f.file('.thumbnails/t.jpg');
    const first = await f.pass(1000);
    assert.deepEqual([first.seen, first.unchanged, first.queued.new], [3, 0, 3]);
    assert.equal(queueStats(f.db, 1000).total, 3);
    for (const p of [a, b, c]) await f.analysed(p);
    // Jobs were completed by the "worker" out of band; clear them as the worker would have.
    f.db.prepare('DELETE FROM jobs').run();

    const unchanged = await f.pass(2000);
    assert.deepEqual([unchanged.unchanged, unchanged.removed, unchanged.moved], [3, 0, 0]);
    assert.deepEqual(unchanged.queued, { new: 0, reappeared: 0, changed: 0, touched: 0, pending: 0, outdated: 0 });
    assert.deepEqual(f.hashed, [], 'stat matched: nothing read');
    assert.equal(queueStats(f.db, 2000).total, 0);

    const changed = await f.file('sub/b.jpg', 'new bytes for b');
    const added = await f.file('d.jpg');
    await rm(a);
    const movedTo = join(f.photos, 'sub/c-renamed.png');
    await rename(c, movedTo);
    const r = await f.pass(3000);
    assert.deepEqual(
      { ...r.queued, moved: r.moved, removed: r.removed, unchanged: r.unchanged },
      { new: 1, reappeared: 0, changed: 1, touched: 0, pending: 0, outdated: 0, moved: 1, removed: 1, unchanged: 0 },
    );
    assert.deepEqual(f.hashed, [movedTo], 'only the move candidate was hashed');
    assert.equal(photoByPath(f.db, a)?.status, 'removed');
    assert.equal(photoByPath(f.db, changed)?.status, 'pending');
    assert.equal(photoByPath(f.db, added)?.status, 'pending');
    assert.equal(photoByPath(f.db, c), undefined);
    assert.equal(photoByPath(f.db, movedTo)?.status, 'done');
    assert.ok(jobByKey(f.db, 'analyse', changed) && jobByKey(f.db, 'analyse', added));
    assert.equal(jobByKey(f.db, 'analyse', movedTo), undefined, 'a proven move needs no job');

    // Pending files are re-checked without piling up jobs; a removed file that comes back is queued.
    await writeFile(a, 'a.jpg');
    const again = await f.pass(4000);
    assert.deepEqual([again.queued.pending, again.queued.reappeared], [2, 1]);
    assert.equal(queueStats(f.db, 4000).total, 3);
    assert.deepEqual(integrityProblems(f.db), []);
  } finally {
    f.db.close();
  }
});

test('a same-size, same-mtime new file with other bytes is not taken for a move', async () => {
  const f = await fixture();
  try {
    const a = await f.file('a.jpg', 'AAAA');
    await f.pass(1000);
    await f.analysed(a);
    f.db.prepare('DELETE FROM jobs').run();
    const t = new Date(1_600_000_000_000);
    await utimes(a, t, t);
    await f.analysed(a);
    await rm(a);
    const impostor = await f.file('b.jpg', 'BBBB');
    await utimes(impostor, t, t);
    const r = await f.pass(2000);
    assert.deepEqual([r.moved, r.removed, r.queued.new, f.hashed.length], [0, 1, 1, 1]);
    assert.equal(photoByPath(f.db, a)?.status, 'removed');
  } finally {
    f.db.close();
  }
});

test('an unreadable or suddenly empty root marks nothing removed', async () => {
  const f = await fixture();
  try {
    for (const name of ['x.jpg', 'y.jpg']) await f.analysed(await f.file(name));
    const mountPoint = join(dir, `mount-${n}`);
    await rename(f.photos, mountPoint);
    const missing = await f.pass(1000);
    assert.deepEqual(
      missing.skippedRoots.map((s) => s.reason),
      ['unreadable'],
    );
    assert.equal(missing.removed, 0);

    await mkdir(f.photos); // the share's mount point, with nothing mounted on it
    const empty = await f.pass(2000);
    assert.deepEqual(
      empty.skippedRoots.map((s) => s.reason),
      ['empty'],
    );
    assert.equal(empty.removed, 0);
    assert.equal(counts(f.db).photos, 2);
  } finally {
    f.db.close();
  }
});

test('an unreadable subfolder keeps its photos', async (t) => {
  if (!modesBind()) return rerunWhereModesBind(import.meta.url, t.name);
  const f = await fixture();
  try {
    await f.analysed(await f.file('open/o.jpg'));
    await f.analysed(await f.file('locked/l.jpg'));
    await chmod(join(f.photos, 'locked'), 0o000);
    const r = await f.pass(1000);
    await chmod(join(f.photos, 'locked'), 0o755);
    assert.equal(r.removed, 0);
    assert.equal(r.problems.length, 1);
  } finally {
    f.db.close();
  }
});

test('an aborted pass marks nothing removed', async () => {
  const f = await fixture();
  try {
    for (let i = 0; i < 20; i++) await f.analysed(await f.file(`p${i}.jpg`));
    await rm(join(f.photos, 'p0.jpg'));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      reconcile({
        db: f.db,
        roots: [f.photos],
        pipelineVersion: 1,
        now: () => 1,
        batchSize: 4,
        signal: controller.signal,
      }),
      { name: 'AbortError' },
    );
    assert.equal(photoByPath(f.db, join(f.photos, 'p0.jpg'))?.status, 'done');
  } finally {
    f.db.close();
  }
});

test('a newer pipeline queues every photo it has not processed', async () => {
  const f = await fixture();
  try {
    await f.analysed(await f.file('old.jpg'));
    const r = await reconcile({ db: f.db, roots: [f.photos], pipelineVersion: 2, now: () => 1 });
    assert.equal(r.queued.outdated, 1);
  } finally {
    f.db.close();
  }
});
