import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { readSeedDataset } from '../../src/dataset/hdf5.js';
import { labelChipFile, readLabelledChips } from '../../src/recognize/labelled-chips.js';
import { loadPersonModels, parsePersonModel } from '../../src/recognize/person-model.js';
import { Recognizer, UNKNOWN } from '../../src/recognize/recognizer.js';
import { cliPath } from '../helpers/detector.js';
import { first, take } from '../helpers/items.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);
const identity = join(sharedDir, 'data/identity');
const PEOPLE = ['George_W_Bush', 'Serena_Williams', 'Tony_Blair'];
const PER_PERSON = 9;

let dir = '';
let labels = '';
let models = '';
const photos: Record<string, string[]> = {};

/** Labelled chips the way a user makes them: the face cut out of each photo, in <labels>/<person>/. */
before(async () => {
  dir = await tmpDir('facetag-recog-');
  labels = join(dir, 'labels');
  models = join(dir, 'models');
  for (const person of PEOPLE) {
    const files = (await readdir(join(identity, person))).sort().slice(0, PER_PERSON);
    photos[person] = files.map((f) => join(identity, person, f));
    await mkdir(join(labels, person), { recursive: true });
    for (const f of files) {
      // LFW's nominal face box (labels.csv): [41, 41, 68, 68] in every 150 x 150 frame.
      await sharp(join(identity, person, f))
        .extract({ left: 41, top: 41, width: 68, height: 68 })
        .png()
        .toFile(join(labels, person, f.replace('.jpg', '.png')));
    }
  }
  await mkdir(join(labels, 'not_a_face'));
  await sharp({ create: { width: 60, height: 60, channels: 3, background: '#808080' } })
    .png()
    .toFile(join(labels, 'not_a_face/grey.png'));
  await sharp({ create: { width: 60, height: 60, channels: 3, background: '#202020' } })
    .png()
    .toFile(join(labels, 'not_a_face/dark.png'));
  await sharp({ create: { width: 60, height: 60, channels: 3, background: '#e0e0e0' } })
    .png()
    .toFile(join(labels, 'not_a_face/light.png'));
  await writeFile(join(labels, 'Tony_Blair/broken.png'), 'not a png');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('facetag train writes one valid model per person and a table; a broken chip is named and skipped', async () => {
  const { stdout, stderr } = await execFileP(process.execPath, [
    cliPath,
    'train',
    '--labels',
    labels,
    '--out',
    models,
    '--jobs',
    '2',
  ]);
  assert.match(stderr, /broken\.png/);
  for (const person of PEOPLE)
    assert.match(stdout, new RegExp(`^${person}\\s+${PER_PERSON}\\s+${3 * PER_PERSON + 3 - PER_PERSON}\\s`, 'm'));
  assert.doesNotMatch(stdout, /not_a_face\s/);
  const loaded = await loadPersonModels(models);
  assert.deepEqual(
    loaded.map((m) => m.name),
    PEOPLE,
  );
  for (const m of loaded) {
    assert.equal(m.training.positives, PER_PERSON);
    assert.ok(m.cv.score > 0.5 && m.cv.score <= 1, `cv score ${m.cv.score}`);
    assert.match(m.training.datasetHash, /^[0-9a-f]{64}$/);
  }
});

test('the models name their own training faces, and a grey square is unknown', async () => {
  const recognizer = new Recognizer(await loadPersonModels(models));
  const chips = await readLabelledChips(labels);
  let right = 0;
  let faces = 0;
  for (const chip of chips) {
    const r = recognizer.recognize(() => chip);
    assert.deepEqual(Object.keys(r.decisions).sort(), PEOPLE);
    if (chip.label === 'not_a_face') assert.equal(r.name, UNKNOWN, chip.file);
    else {
      faces++;
      if (r.name === chip.label) right++;
    }
  }
  assert.ok(right / faces >= 0.9, `${right}/${faces} training faces named`);
});

test('facetag classify names faces in photos and prints decision values', async () => {
  const { stdout } = await execFileP(process.execPath, [
    cliPath,
    'classify',
    first(photos.Serena_Williams ?? [], 'photos of Serena_Williams'),
    '--models',
    models,
    '--json',
    '--rotation-step',
    '360',
    '--workers',
    '1',
  ]);
  const [result] = take(
    JSON.parse(stdout) as {
      faces: { label: string; score: number | null; decisions: Record<string, number> }[];
    }[],
    1,
    'classified photos',
  );
  assert.ok(result.faces.length >= 1);
  for (const f of result.faces) {
    assert.deepEqual(Object.keys(f.decisions).sort(), PEOPLE);
    if (f.label === UNKNOWN) assert.equal(f.score, null);
    else assert.equal(f.score, Math.max(...Object.values(f.decisions)));
  }
});

test('a model whose features this code does not compute is refused with the reason', async () => {
  const file = join(models, 'Tony_Blair.model.json');
  const json = JSON.parse(await readFile(file, 'utf8')) as { features: { version: number } };
  json.features.version = 99;
  assert.throws(() => parsePersonModel(JSON.stringify(json), file), /features are version 99.*retrain/);
  assert.throws(
    () => parsePersonModel('{"format":"facetag.person-model"}', file),
    /Tony_Blair.model.json: not a facetag model/,
  );
  assert.throws(() => parsePersonModel('nope', file), /not JSON/);
});

test('facetag dataset export writes the seed layout at the median chip size', async () => {
  const out = join(dir, 'dataset.h5');
  await execFileP(process.execPath, [cliPath, 'dataset', 'export', out, '--labels', labels]);
  const ds = await readSeedDataset(out);
  assert.equal(ds.labels.length, 3 * PER_PERSON + 3);
  assert.deepEqual([ds.width, ds.height], [68, 68]);
  assert.equal(ds.labels[0], 'George_W_Bush');
  assert.equal(ds.labels.at(-1), 'not_a_face');
});

test('labelling a face moves a chip within the labels folder, copies one from outside', async () => {
  const outside = join(dir, 'loose.png');
  await sharp({ create: { width: 30, height: 30, channels: 3, background: '#123456' } })
    .png()
    .toFile(outside);
  const copied = await labelChipFile(labels, outside, 'Ann');
  assert.equal(copied, join(labels, 'Ann/loose.png'));
  await readFile(outside);
  const moved = await labelChipFile(labels, copied, 'not_a_face');
  assert.equal(moved, join(labels, 'not_a_face/loose.png'));
  await assert.rejects(readFile(copied), /ENOENT/);
  await assert.rejects(labelChipFile(labels, moved, '../escape'), /bad label/);
});
