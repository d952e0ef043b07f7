import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GlobSet } from '../../src/daemon/watch/glob.js';
import { PathFilter } from '../../src/daemon/watch/path-filter.js';
import { NATIVE_IGNORE } from '../../src/files/ignore-rules.js';

const root = '/photos';

function filter(include: string[] = [], exclude: string[] = [], own?: (p: string) => boolean): PathFilter {
  return new PathFilter(GlobSet.compile(include), GlobSet.compile(exclude), own);
}

const wantsFile = (f: PathFilter, rel: string) => f.wantsFile(`${root}/${rel}`, rel);

test('photos are wanted, at any depth and in any case of extension', () => {
  const f = filter();
  for (const rel of ['a.jpg', 'b.JPEG', '2024/06/c.heic', 'd.png', 'e.webp', 'f.tif'])
    assert.ok(wantsFile(f, rel), rel);
});

test('hidden, system, temp, sidecar, own-output and non-image files are not', () => {
  const f = filter([], [], (p) => p.endsWith('/mine.jpg'));
  const ignored = [
    '.hidden.jpg',
    '.thumbnails/a.jpg',
    'x/.Trash-1000/a.jpg',
    '@eaDir/a.jpg/SYNOPHOTO_THUMB_M.jpg',
    '#recycle/a.jpg',
    '#snapshot/a.jpg',
    '@Recycle/a.jpg',
    'lost+found/a.jpg',
    '$RECYCLE.BIN/a.jpg',
    '$recycle.bin/a.jpg',
    'System Volume Information/a.jpg',
    'a.jpg.part',
    'a.tmp',
    'a.jpg.crdownload',
    'a.jpg_exiftool_tmp',
    '~$a.jpg',
    '.~lock.a.jpg#',
    '.IMG_1.jpg.Ab12Cd', // rsync's temp name
    'a.jpg.xmp',
    'a.xmp',
    'a.annotated.jpg',
    'a.chip.0.png',
    'notes.txt',
    'clip.mov',
    'mine.jpg',
  ];
  for (const rel of ignored) assert.ok(!wantsFile(f, rel), rel);
});

test('exclude removes matching photos and folders; include keeps only matching photos', () => {
  const ex = filter([], ['Backups', 'private/**', '*.png']);
  assert.ok(!wantsFile(ex, 'Backups/a.jpg'));
  assert.ok(!wantsFile(ex, 'x/Backups/a.jpg'));
  assert.ok(!wantsFile(ex, 'private/a.jpg'));
  assert.ok(!wantsFile(ex, 'b.png'));
  assert.ok(wantsFile(ex, 'keep/a.jpg'));
  assert.ok(!ex.wantsFolder('x/Backups'));
  assert.ok(ex.wantsFolder('keep'));

  const inc = filter(['2024/**']);
  assert.ok(wantsFile(inc, '2024/a.jpg'));
  assert.ok(!wantsFile(inc, '2023/a.jpg'));
  assert.ok(inc.wantsFolder('2023'), 'include does not prune folders: a file below may match');
});

test('a removal is reported for wanted photos and for names that could have been folders', () => {
  const f = filter([], ['Backups']);
  const removal = (rel: string) => f.wantsRemoval(`${root}/${rel}`, rel);
  assert.ok(removal('a.jpg'));
  assert.ok(removal('2024'), 'a deleted folder');
  assert.ok(!removal('Backups'));
  assert.ok(!removal('.hidden'));
  assert.ok(!removal('@eaDir'));
  assert.ok(!removal('a.jpg.part'));
  assert.ok(!removal('a.jpg.xmp'));
  assert.ok(!removal('a.jpg_exiftool_tmp'), "exiftool's temp file, renamed over the photo");
  assert.ok(!removal('Backups/a.jpg'));
});

test('the native ignore pattern matches paths with a hidden or system segment, in any case', () => {
  for (const rel of [
    '.git',
    'a/.thumbnails',
    'a/.thumbnails/x.jpg',
    '@eaDir',
    'x/@EADIR/y',
    '#recycle/a',
    '$RECYCLE.BIN',
    'lost+found',
  ]) {
    assert.ok(NATIVE_IGNORE.test(rel), rel);
  }
  for (const rel of ['a.jpg', '2024/a.jpg', 'my@eaDir/a.jpg', 'lostXfound', 'a/b.c/d.jpg']) {
    assert.ok(!NATIVE_IGNORE.test(rel), rel);
  }
  assert.equal(NATIVE_IGNORE.flags, '', '@parcel/watcher rejects flagged RegExps');
});
