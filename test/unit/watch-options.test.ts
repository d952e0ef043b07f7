import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { networkFsName } from '../../src/daemon/watch/network-fs.js';
import { describeWatchFailure } from '../../src/daemon/watch/watch-failure.js';
import { resolveWatcherOptions, type WatcherOptions } from '../../src/daemon/watch/watcher-options.js';

const base: WatcherOptions = { roots: ['/photos'], onEvent: () => {}, log: () => {} };

test('defaults: 2 s settle, 10 min max wait, 10k pending, 5 min poll', () => {
  const o = resolveWatcherOptions(base);
  assert.equal(o.settleMs, 2000);
  assert.equal(o.maxWaitMs, 600_000);
  assert.equal(o.maxPending, 10_000);
  assert.equal(o.pollIntervalMs, 300_000);
  assert.ok(o.include.isEmpty && o.exclude.isEmpty);
});

test('roots are resolved, de-duplicated, and a root inside another is dropped and reported', () => {
  const o = resolveWatcherOptions({ ...base, roots: ['/p/a', '/p/a/b', '/p/ab', 'rel', '/p/a/'] });
  assert.deepEqual(o.roots, ['/p/a', '/p/ab', resolve('rel')].sort());
  assert.deepEqual(o.nestedRoots, [{ root: '/p/a/b', within: '/p/a' }]);
});

test('invalid options are rejected with the option named', () => {
  const bad: [Partial<Record<keyof WatcherOptions, unknown>>, RegExp][] = [
    [{ roots: [] }, /roots/],
    [{ roots: [''] }, /roots/],
    [{ roots: '/photos' }, /roots/],
    [{ onEvent: undefined }, /onEvent/],
    [{ log: 'console' }, /log/],
    [{ settleMs: -1 }, /settleMs/],
    [{ settleMs: 1.5 }, /settleMs/],
    [{ settleMs: Number.NaN }, /settleMs/],
    [{ settleMs: 5000, maxWaitMs: 4000 }, /maxWaitMs/],
    [{ maxPending: 0 }, /maxPending/],
    [{ pollIntervalMs: 1 }, /pollIntervalMs/],
    [{ include: '*.jpg' }, /include/],
    [{ exclude: ['a[b'] }, /exclude: glob "a\[b"/],
    [{ isOwnFile: true }, /isOwnFile/],
    [{ backend: {} }, /backend/],
  ];
  for (const [patch, message] of bad) {
    assert.throws(() => resolveWatcherOptions({ ...base, ...patch } as WatcherOptions), message, JSON.stringify(patch));
  }
});

test("the native watcher's errors map to errno codes with an operator hint", () => {
  const enospc = describeWatchFailure(new Error("inotify_add_watch on '/p/x' failed: No space left on device"));
  assert.equal(enospc.code, 'ENOSPC');
  assert.match(enospc.hint, /max_user_watches/);
  assert.equal(describeWatchFailure(new Error('Unable to initialize inotify: Too many open files')).code, 'EMFILE');
  assert.equal(describeWatchFailure(new Error('Bad file descriptor')).code, 'ENOENT');
  assert.equal(describeWatchFailure(Object.assign(new Error('x'), { code: 'EACCES' })).code, 'EACCES');
  assert.equal(describeWatchFailure('weird').code, 'EWATCH');
});

test('network filesystems are recognised by their statfs magic, local ones are not', () => {
  assert.equal(networkFsName(0xff534d42), 'cifs');
  assert.equal(networkFsName(0xff534d42 | 0), 'cifs', 'a sign-extended magic');
  assert.equal(networkFsName(0x6969), 'nfs');
  assert.equal(networkFsName(0xef53), undefined, 'ext4');
  assert.equal(networkFsName(0x65735546), undefined, 'FUSE is also used for local disks');
});
