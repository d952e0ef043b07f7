/** The engine switch on the command line: models refuse the other engine's features, clearly. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { seededRandom } from '../../src/eval/match.js';
import { trainFromEmbeddings } from '../../src/neural/embedding-trainer.js';
import { embeddingSpec } from '../../src/recognize/features.js';
import { savePersonModel } from '../../src/recognize/person-model.js';
import { cliPath } from '../helpers/detector.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);
const photo = join(sharedDir, 'data/detection/images/pic00072.jpg');
let dir = '';

/** Exit code, stdout and stderr of a facetag run that may fail. */
async function facetag(args: string[]) {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [cliPath, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

before(async () => {
  dir = await tmpDir('facetag-engine-cli-');
  const random = seededRandom(3);
  const rows = ['Ann', 'Bob'].flatMap((label) => {
    const c = Float64Array.from({ length: 128 }, () => random());
    return Array.from({ length: 6 }, () => ({ label, embedding: c.map((v) => v + random() * 0.05) }));
  });
  const report = await trainFromEmbeddings(rows, embeddingSpec(0.5), {
    folds: 3,
    svm: { kernels: ['linear'], C: [1], classWeight: 'balanced', scoring: 'accuracy' },
    jobs: 1,
    maxDistance: 0.6,
    neighbours: 1,
  });
  for (const p of report.persons) if (p.model) await savePersonModel(join(dir, 'models'), p.model);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('classify with the cascade refuses models trained on embeddings, naming the file and the fix', async () => {
  const r = await facetag(['classify', photo, '--models', join(dir, 'models'), '--engine', 'cascade']);
  assert.equal(r.code, 66, r.stderr);
  assert.match(r.stderr, /Ann\.model\.json/);
  assert.match(r.stderr, /trained on embedding features/);
  assert.match(r.stderr, /--engine neural/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace for a user mistake');
});

test('--engine takes cascade or neural only; --parity is the cascade only', async () => {
  const bad = await facetag(['detect', photo, '--engine', 'dlib']);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /--engine: must be neural or cascade \(got "dlib"\)/);
  const parity = await facetag(['detect', photo, '--engine', 'neural', '--parity']);
  assert.equal(parity.code, 64);
  assert.match(parity.stderr, /--parity/);
});

test('run refuses a config with parity and the neural engine, and starts nothing', async () => {
  const config = join(dir, 'parity-neural.json');
  await writeFile(config, JSON.stringify({ engine: 'neural', detection: { parity: true } }));
  const photos = join(dir, 'photos-parity');
  await mkdir(photos, { recursive: true });
  const r = await facetag([
    'run',
    '--once',
    '--photos',
    photos,
    '--config',
    config,
    '--data-dir',
    join(dir, 'data-parity'),
  ]);
  assert.equal(r.code, 66);
  assert.match(r.stderr, /"detection\.parity" reproduces the seed's cascade; it cannot be used with the neural engine/);
  assert.doesNotMatch(r.stdout, /one backfill pass/, 'nothing started');
});
