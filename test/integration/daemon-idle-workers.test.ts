/**
 * An idle daemon ends its detection worker threads (daemon.releaseWorkersAfterSeconds) and starts
 * them again for the next photo, which is then analysed as before.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../src/store/db.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { photoByPath } from '../../src/store/photos.js';
import { sleep, startDaemon, writeConfig } from '../helpers/daemon.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const images = join(sharedDir, 'data/detection/images');
let dir = '';

before(async () => {
  dir = await tmpDir('facetag-idle-workers-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function threads(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]);
}

test('worker threads end after the idle time and come back for the next photo', async () => {
  const photos = join(dir, 'photos');
  const dataDir = join(dir, 'data');
  await mkdir(photos, { recursive: true });
  await copyFile(join(images, 'pic00605.jpg'), join(photos, 'first.jpg'));
  const config = await writeConfig(dir, {
    detection: { rotationStep: 90, workers: 2 },
    daemon: { settleMs: 200, releaseWorkersAfterSeconds: 1 },
  });
  const daemon = startDaemon({ photos: [photos], dataDir, config });
  try {
    await daemon.waitForLog((l) => l.msg === 'analysed' && String(l.path).endsWith('first.jpg'), 30_000, 'first');
    const busy = await threads(daemon.pid);
    await sleep(2500);
    const idle = await threads(daemon.pid);
    assert.ok(idle <= busy - 2, `threads ${busy} while working, ${idle} after 2.5 s idle: the two workers ended`);

    await copyFile(join(images, 'pic00076.jpg'), join(photos, 'second.jpg'));
    await daemon.waitForLog((l) => l.msg === 'analysed' && String(l.path).endsWith('second.jpg'), 30_000, 'second');
    assert.ok((await threads(daemon.pid)) >= idle + 2, 'workers started again');
  } finally {
    await daemon.stop();
  }
  const db = openDatabase(dataDir);
  try {
    for (const name of ['first.jpg', 'second.jpg']) {
      const row = photoByPath(db, join(photos, name));
      assert.equal(row?.status, 'done', name);
      assert.ok(facesOfPhoto(db, row?.id ?? -1).length > 0, `${name}: faces found`);
    }
  } finally {
    db.close();
  }
});
