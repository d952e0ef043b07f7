/**
 * Fault suite, permission flips (issue 15 §5): a photo that could not be read, and a folder that
 * could not be listed, are noticed when their permissions change back (inotify attribute events:
 * a chmod moves only ctime) and analysed, without a restart or a reconcile.
 *
 * Permissions mean nothing to root, so when the runner is root (CI is) the daemon runs as root
 * without the capabilities that override them (setpriv drops CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH from its bounding set): a mode-000 file is then unreadable to it too.
 */
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { logsOf, startDaemon, writeConfig } from '../helpers/daemon.js';
import { DROP_DAC_OVERRIDE, modesBind } from '../helpers/modes-bind.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

/** Root overrides permissions: then the daemon runs without the capabilities that let it. */
const WRAP = modesBind() ? undefined : [...DROP_DAC_OVERRIDE];

let dir = '';
before(async () => {
  dir = await tmpDir('facetag-permissions-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const photo = (name: string) => join(sharedDir, 'data/library/photos/2019/01', name);

test('a photo and a folder made readable again are analysed without a restart', async () => {
  const photos = join(dir, 'photos');
  const trip = join(photos, 'trip');
  const outside = join(dir, 'outside');
  await mkdir(trip, { recursive: true });
  await mkdir(outside);
  await copyFile(photo('IMG_0003.jpg'), join(photos, 'first.jpg'));
  await copyFile(photo('IMG_0005.jpg'), join(trip, 'inside.jpg'));
  await copyFile(photo('IMG_0004.jpg'), join(outside, 'locked.jpg'));
  const config = await writeConfig(dir, { engine: 'cascade', daemon: { settleMs: 200 } });

  const daemon = startDaemon({
    photos: [photos],
    dataDir: join(dir, 'data'),
    config,
    ...(WRAP ? { wrap: WRAP } : {}),
  });
  const analysed = (path: string, what: string) =>
    daemon.waitForLog((l) => l.msg === 'analysed' && l.path === path, 30_000, what);
  try {
    await daemon.waitForCount((l) => l.msg === 'analysed', 2, 60_000, 'the first two photos');

    // A photo nobody may read arrives: recorded as failed (unreadable), and the daemon goes on.
    const locked = join(photos, 'locked.jpg');
    await chmod(join(outside, 'locked.jpg'), 0o000);
    await rename(join(outside, 'locked.jpg'), locked);
    const failed = await daemon.waitForLog(
      (l) => l.msg === 'photo failed' && l.path === locked,
      30_000,
      'the unreadable photo failed',
    );
    assert.equal(failed.code, 'unreadable');
    // Its owner fixes the mode: noticed from the attribute event alone (size and mtime unchanged).
    await chmod(locked, 0o644);
    await analysed(locked, 'the photo once readable');

    // The folder is locked, and a photo lands in it: the watcher sees the event but cannot stat it.
    await chmod(trip, 0o000);
    const added = join(trip, 'added.jpg');
    await copyFile(photo('IMG_0006.jpg'), added);
    await daemon.waitForLog((l) => l.event === 'watch.stat-failed' && l.path === added, 30_000, 'the stat refused');
    // Unlocked: the attribute event on the folder has it walked, and the new photo is analysed.
    await chmod(trip, 0o755);
    await analysed(added, 'the photo in the unlocked folder');

    // Each photo analysed exactly once; the failure is not repeated.
    for (const path of [join(photos, 'first.jpg'), join(trip, 'inside.jpg'), locked, added]) {
      assert.equal(logsOf(daemon.lines, 'analysed', path).length, 1, path);
    }
    assert.equal(logsOf(daemon.lines, 'photo failed', locked).length, 1);
  } finally {
    const exit = await daemon.stop();
    assert.equal(exit.code, 0, daemon.noise.join('\n'));
  }
});
