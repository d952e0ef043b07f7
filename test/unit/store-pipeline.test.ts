import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/store/db.js';
import { currentPipeline } from '../../src/store/pipeline.js';
import { tmpDir } from '../helpers/paths.js';

test('the pipeline version grows with every switch of engine, either way, and not otherwise', async () => {
  const dir = await tmpDir('facetag-pipeline-');
  try {
    const db = openDatabase(join(dir, 'data'));
    // A library from before engines were recorded was analysed by the cascade: nothing to redo.
    assert.deepEqual(currentPipeline(db, 1, 'cascade'), { version: 1 });
    assert.deepEqual(currentPipeline(db, 1, 'cascade'), { version: 1 });
    assert.deepEqual(currentPipeline(db, 1, 'neural'), { version: 2, switchedFrom: 'cascade' });
    assert.deepEqual(currentPipeline(db, 1, 'neural'), { version: 2 });
    assert.deepEqual(currentPipeline(db, 1, 'cascade'), { version: 3, switchedFrom: 'neural' });
    // A new code version adds to the generation: still above everything recorded before.
    assert.deepEqual(currentPipeline(db, 2, 'cascade'), { version: 4 });
    db.close();
    const again = openDatabase(join(dir, 'data'));
    assert.deepEqual(currentPipeline(again, 2, 'cascade'), { version: 4 }, 'kept across restarts');
    again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
