import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../../src/config/schema.js';
import { sweepAngles } from '../../src/core/rotation.js';
import { localRunner } from '../../src/detect/local-runner.js';
import { photoDetection } from '../../src/detect/settings.js';
import { workerRunner } from '../../src/detect/worker-runner.js';
import { detectFile } from '../../src/engine/detector.js';
import { defaultCascadePath, loadCascade } from '../../src/vision/cascade/default-model.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const photo = join(sharedDir, 'data/detection/images/pic00076.jpg');
const detection = photoDetection(defaultConfig().detection);
const angles = sweepAngles(45);

test('worker threads give exactly the faces the calling thread gives', async () => {
  const local = localRunner(loadCascade(), angles);
  const workers = workerRunner(defaultCascadePath(), angles, 2);
  try {
    const a = await detectFile(photo, { detection, maxPixels: 50e6, runner: local });
    const b = await detectFile(photo, { detection, maxPixels: 50e6, runner: workers });
    assert.ok(a.faces.length > 0);
    assert.deepEqual(b.faces, a.faces);
  } finally {
    await workers.close();
  }
});

test('workers that cannot start give a clear error instead of respawning for ever', async () => {
  const bad = join(await tmpDir('facetag-cascade-'), 'broken.xml');
  await writeFile(bad, '<opencv_storage>not a cascade</opencv_storage>');
  const workers = workerRunner(bad, angles, 2);
  try {
    await assert.rejects(
      detectFile(photo, { detection, maxPixels: 50e6, runner: workers }),
      /detection worker|not a usable LBP cascade/,
    );
    // Give the pool time to give up, then a new run must fail fast with the pool's reason.
    await new Promise((r) => setTimeout(r, 1500));
    await assert.rejects(detectFile(photo, { detection, maxPixels: 50e6, runner: workers }), /keep failing/);
  } finally {
    await workers.close();
  }
});
