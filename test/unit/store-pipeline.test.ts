import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/store/db.js';
import { currentPipeline, libraryEngine } from '../../src/store/pipeline.js';
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

test('a new library starts on its engine without a switch; one analysed before engines were recorded was the cascade', async () => {
  const dir = await tmpDir('facetag-pipeline-');
  try {
    const fresh = openDatabase(join(dir, 'fresh'));
    assert.equal(libraryEngine(fresh), undefined, 'nothing analysed yet');
    assert.deepEqual(currentPipeline(fresh, 1, 'neural'), { version: 1 }, 'no re-analysis of an empty library');
    assert.equal(libraryEngine(fresh), 'neural');
    fresh.close();

    const old = openDatabase(join(dir, 'old'));
    old
      .prepare(
        `INSERT INTO contents (hash, width, height, orientation, pipeline_version, analysed_at, created_at)
         VALUES (?, 10, 10, 1, 1, 0, 0)`,
      )
      .run('ab'.repeat(32));
    assert.equal(libraryEngine(old), 'cascade');
    old.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
