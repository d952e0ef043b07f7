/**
 * `facetag train --library`: the models come from the faces named in the database (what the web
 * page and `facetag label` write), trained here when no daemon answers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { loadPersonModels } from '../../src/recognize/person-model.js';
import { openDatabase } from '../../src/store/db.js';
import { latestModels } from '../../src/store/models.js';
import { analysedLibrary } from '../helpers/analysed-library.js';
import { cliPath } from '../helpers/detector.js';
import { take } from '../helpers/items.js';

const execFileP = promisify(execFile);
let dir = '';
let dataDir = '';
let config = '';
let faceIds: number[] = [];

const cli = (...args: string[]) =>
  execFileP(process.execPath, [cliPath, ...args, '--data-dir', dataDir, '--config', config]);

before(async () => {
  ({ dir, dataDir } = await analysedLibrary('facetag-train-library-', {
    'a.jpg': '2007_007763.jpg',
    'b.jpg': '2008_001322.jpg',
    'c.jpg': 'pic00072.jpg',
    'd.jpg': 'pic00076.jpg',
    'e.jpg': 'pic00079.jpg',
    'f.jpg': 'pic03263.jpg',
  }));
  // No daemon to ask: port 0 is "any free port", so there is no address to find one at.
  config = join(dir, 'train-config.json');
  await writeFile(config, JSON.stringify({ http: { port: 0 } }));
  const db = openDatabase(dataDir);
  faceIds = db.prepare('SELECT id FROM faces ORDER BY id').pluck().all() as number[];
  db.close();
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('facetag train --library trains from the labels in the database and records the models', async () => {
  assert.ok(faceIds.length >= 6, `need six faces, found ${faceIds.length}`);
  const alice = faceIds.slice(0, 3);
  const others = faceIds.slice(3);
  await cli('label', ...alice.map(String), '--name', 'Alice');
  await cli('label', ...others.map(String), '--not-a-face');

  const { stdout } = await cli('train', '--library');
  assert.match(stdout, new RegExp(`^Alice\\s+3\\s+${others.length}\\s`, 'm'));
  const [model] = take(await loadPersonModels(join(dataDir, 'models')), 1, 'person models');
  assert.equal(model.name, 'Alice');
  assert.deepEqual([model.training.positives, model.training.negatives], [3, others.length]);
  const db = openDatabase(dataDir);
  try {
    assert.deepEqual(
      latestModels(db).map((m) => [m.person, m.version]),
      [['Alice', 1]],
    );
  } finally {
    db.close();
  }
});

test('facetag train --library refuses the folder-training flags, naming them', async () => {
  const err = await cli('train', '--library', '--labels', dir).then(
    () => assert.fail('should fail'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(err.code, 64, 'a usage error (EX_USAGE)');
  assert.match(err.stderr, /--labels does not apply/);
});
