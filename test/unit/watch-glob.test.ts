import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandBraces, GlobError, GlobSet } from '../../src/daemon/watch/glob.js';

function matches(patterns: string[], path: string): boolean {
  return GlobSet.compile(patterns).matches(path);
}

test('a pattern without a slash matches a file or folder name at any depth', () => {
  assert.ok(matches(['*.png'], 'a.png'));
  assert.ok(matches(['*.png'], '2024/06/a.png'));
  assert.ok(!matches(['*.png'], 'a.png.jpg'));
  assert.ok(matches(['Backups'], 'Backups/x.jpg'));
  assert.ok(matches(['Backups'], 'photos/Backups/2019/x.jpg'));
  assert.ok(!matches(['Backups'], 'MyBackups/x.jpg'));
});

test('a pattern with a slash is anchored at the root and covers everything under a matching folder', () => {
  assert.ok(matches(['2019/Backups'], '2019/Backups/x.jpg'));
  assert.ok(!matches(['2019/Backups'], 'old/2019/Backups/x.jpg'));
  assert.ok(matches(['/Scans'], 'Scans/a.jpg'));
  assert.ok(!matches(['/Scans'], 'x/Scans/a.jpg'), 'a leading slash anchors a single segment');
  assert.ok(matches(['./Scans/*.jpg'], 'Scans/a.jpg'));
  assert.ok(matches(['Scans/'], 'Scans/a.jpg'), 'a trailing slash is allowed');
});

test('** spans zero or more folders, * and ? stay within one', () => {
  assert.ok(matches(['a/**/b.jpg'], 'a/b.jpg'));
  assert.ok(matches(['a/**/b.jpg'], 'a/x/y/b.jpg'));
  assert.ok(matches(['**/tmp/*.jpg'], 'tmp/a.jpg'));
  assert.ok(matches(['**/tmp/*.jpg'], 'x/y/tmp/a.jpg'));
  assert.ok(matches(['private/**'], 'private/a/b.jpg'));
  assert.ok(!matches(['private/**'], 'public/private.jpg'));
  assert.ok(!matches(['a/*.jpg'], 'a/b/c.jpg'), '* does not cross a slash');
  assert.ok(matches(['IMG_????.jpg'], 'IMG_0001.jpg'));
  assert.ok(!matches(['IMG_????.jpg'], 'IMG_001.jpg'));
  assert.ok(matches(['**'], 'anything/at/all.jpg'));
});

test('matching ignores case: libraries mix IMG.JPG and img.jpg', () => {
  assert.ok(matches(['*.jpg'], 'IMG_1.JPG'));
  assert.ok(matches(['backups'], 'BACKUPS/a.jpg'));
});

test('classes, negated classes, braces and escapes', () => {
  assert.ok(matches(['[ab]*.jpg'], 'b1.jpg'));
  assert.ok(!matches(['[ab]*.jpg'], 'c1.jpg'));
  assert.ok(matches(['[!ab]*.jpg'], 'c1.jpg'));
  assert.ok(!matches(['[!ab]*.jpg'], 'a1.jpg'));
  assert.ok(matches(['x[0-9].jpg'], 'x5.jpg'));
  assert.ok(matches(['x[\\-].jpg'], 'x-.jpg'), 'an escaped dash is a literal dash');
  assert.ok(!matches(['x[\\-].jpg'], 'x,.jpg'));
  assert.ok(matches(['[]]x'], ']x'), 'a ] first in a class is literal');
  assert.ok(matches(['*.{jpg,jpeg}'], 'a.jpeg'));
  assert.ok(!matches(['*.{jpg,jpeg}'], 'a.png'));
  assert.ok(matches(['{2023,2024/summer}/*.jpg'], '2024/summer/a.jpg'));
  assert.ok(matches(['{2023,2024/summer}/*.jpg'], '2023/a.jpg'));
  assert.ok(matches(['a\\*b.jpg'], 'a*b.jpg'));
  assert.ok(!matches(['a\\*b.jpg'], 'axb.jpg'));
  assert.ok(matches(['{x}.jpg'], '{x}.jpg'), 'braces without a comma are literal, as in the shell');
  assert.ok(matches(['a+b (1).jpg'], 'a+b (1).jpg'), 'regex specials are literal');
  assert.ok(!matches(['a.jpg'], 'abjpg'));
});

test('brace expansion nests', () => {
  assert.deepEqual(expandBraces('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
  assert.deepEqual(expandBraces('none'), ['none']);
});

test('an empty set matches nothing', () => {
  const set = GlobSet.compile([]);
  assert.ok(set.isEmpty);
  assert.ok(!set.matches('a.jpg'));
});

test('malformed patterns are GlobErrors naming the pattern', () => {
  for (const bad of ['', 'a[b', 'a{b,c', 'a}b', 'a\\', '../x', 'a/./b', 'a//b', '/']) {
    assert.throws(
      () => GlobSet.compile([bad]),
      (err: unknown) => err instanceof GlobError && err.message.includes(JSON.stringify(bad)),
      bad,
    );
  }
  assert.throws(() => GlobSet.compile(['{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}']), /more than 64/);
});
