import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seededRandom } from '../../src/eval/match.js';
import { type LabelledEmbedding, trainFromEmbeddings } from '../../src/neural/embedding-trainer.js';
import { unseen } from '../../src/neural/ssd-hits.js';
import { chipFeatures, embeddingSpec, FeatureMismatchError, SEED_HOG } from '../../src/recognize/features.js';
import {
  loadPersonModels,
  ModelFileError,
  parsePersonModel,
  savePersonModel,
} from '../../src/recognize/person-model.js';
import { nearGallery, Recognizer, UNKNOWN } from '../../src/recognize/recognizer.js';
import { trainFromChips } from '../../src/recognize/trainer.js';

const SVM = {
  kernels: ['linear', 'rbf'] as const,
  C: [1, 10],
  classWeight: 'balanced' as const,
  scoring: 'accuracy' as const,
};

/** Three people as tight clusters around random directions in 128-d, plus one stranger. */
function embeddings(seed: number) {
  const random = seededRandom(seed);
  const centre = () => Float64Array.from({ length: 128 }, () => random() - 0.5);
  const near = (c: Float64Array) => Float64Array.from(c, (v) => v + (random() - 0.5) * 0.1);
  const people = { Ann: centre(), Bob: centre(), Cy: centre() };
  const rows: LabelledEmbedding[] = Object.entries(people).flatMap(([label, c]) =>
    Array.from({ length: 8 }, () => ({ label, embedding: near(c) })),
  );
  return { rows, people, near, stranger: centre() };
}

const noChip = () => {
  throw new Error('an embedding model must not ask for a chip');
};

async function hogModels() {
  const random = seededRandom(7);
  const chip = (base: number) => ({
    width: 32,
    height: 32,
    data: Float64Array.from({ length: 32 * 32 }, (_, i) => ((i % 32) * base + random() * 0.2) % 1),
  });
  const chips = ['Ann', 'Bob'].flatMap((label, k) =>
    Array.from({ length: 6 }, (_, i) => ({ label, file: `${label}${i}.png`, ...chip(0.03 + 0.05 * k) })),
  );
  const report = await trainFromChips(chips, {
    hog: SEED_HOG,
    padding: 0,
    model: 'svm',
    folds: 3,
    svm: { ...SVM, kernels: [...SVM.kernels] },
    tree: { maxDepths: [10], criteria: ['gini'] },
    jobs: 1,
  });
  return report.persons.flatMap((p) => (p.model ? [p.model] : []));
}

test('SVMs trained on embeddings name their people and call a stranger unknown', async () => {
  const { rows, people, near, stranger } = embeddings(1);
  const report = await trainFromEmbeddings(rows, embeddingSpec(0.5), {
    folds: 3,
    svm: { ...SVM, kernels: [...SVM.kernels] },
    jobs: 1,
    maxDistance: 0,
    neighbours: 1,
  });
  const models = report.persons.flatMap((p) => (p.model ? [p.model] : []));
  assert.deepEqual(
    models.map((m) => [m.name, m.features.kind]),
    [
      ['Ann', 'embedding'],
      ['Bob', 'embedding'],
      ['Cy', 'embedding'],
    ],
  );
  const recognizer = new Recognizer(models);
  for (const [name, c] of Object.entries(people)) assert.equal(recognizer.recognize(noChip, near(c)).name, name);
  assert.equal(recognizer.recognize(noChip, stranger).name, UNKNOWN);
});

test('the gallery check keeps a stranger unknown even where the SVM says yes', async () => {
  const { rows, people, near } = embeddings(4);
  const train = (maxDistance: number) =>
    trainFromEmbeddings(rows, embeddingSpec(0.5), {
      folds: 3,
      svm: { ...SVM, kernels: ['linear'] },
      jobs: 1,
      maxDistance,
      neighbours: 1,
    }).then((r) => new Recognizer(r.persons.flatMap((p) => (p.model ? [p.model] : []))));
  const [svmOnly, gated] = await Promise.all([train(0), train(0.6)]);
  // Far out along Ann's own direction: a linear SVM scores it even higher than Ann's faces.
  const stranger = people.Ann.map((v) => 3 * v);
  assert.equal(svmOnly.recognize(noChip, stranger).name, 'Ann');
  const r = gated.recognize(noChip, stranger);
  assert.equal(r.name, UNKNOWN);
  assert.ok((r.decisions.Ann ?? 0) > 0, 'the decision value is still reported');
  assert.equal(gated.recognize(noChip, near(people.Ann)).name, 'Ann');
});

test('a model trained on embeddings refuses HOG faces, and one trained on HOG refuses the neural engine', async () => {
  const { rows } = embeddings(2);
  const dir = await mkdtemp(join(tmpdir(), 'facetag-neural-models-'));
  try {
    const report = await trainFromEmbeddings(rows, embeddingSpec(0.5), {
      folds: 3,
      svm: { ...SVM, kernels: ['linear'] },
      jobs: 1,
      maxDistance: 0.6,
      neighbours: 1,
    });
    const model = report.persons[0]?.model;
    assert.ok(model);
    await savePersonModel(dir, model);
    // Saved and read back: the kind survives, and the loader checks it against the engine.
    assert.equal((await loadPersonModels(dir, 'embedding'))[0]?.features.kind, 'embedding');
    await assert.rejects(loadPersonModels(dir, 'hog'), (err: unknown) => {
      assert.ok(err instanceof ModelFileError);
      assert.match(err.message, /Ann\.model\.json/);
      assert.match(err.message, /trained on embedding features/);
      assert.match(err.message, /--engine neural/);
      return true;
    });
    // A face with only a chip (the cascade engine) is refused by the embedding model.
    const grey = { width: 80, height: 80, data: new Float64Array(6400) };
    assert.throws(() => new Recognizer([model]).recognize(() => grey), FeatureMismatchError);
    assert.throws(() => chipFeatures(grey, embeddingSpec(0.5)), FeatureMismatchError);

    const hog = await hogModels();
    assert.ok(hog.length > 0);
    assert.throws(() => new Recognizer(hog).assertFeatures('embedding'), /trained on hog features.*--engine cascade/);
    assert.doesNotThrow(() => new Recognizer(hog).assertFeatures('hog'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('model files written before the feature kind existed load as HOG', async () => {
  const [model] = await hogModels();
  assert.ok(model);
  const json = JSON.parse(JSON.stringify(model)) as { features: Record<string, unknown> };
  delete json.features.kind;
  const parsed = parsePersonModel(JSON.stringify(json), 'old.model.json');
  assert.equal(parsed.features.kind, 'hog');
  // And an unknown kind is refused, naming the file.
  json.features.kind = 'pixels';
  assert.throws(() => parsePersonModel(JSON.stringify(json), 'odd.model.json'), /odd\.model\.json/);
});

test('the gallery compares the mean distance to the nearest few: one look-alike alone is not enough', () => {
  const at = (...v: number[]) => Float64Array.from(v);
  const gallery = {
    maxDistance: 0.5,
    neighbours: 3,
    embeddings: [
      [0, 0],
      [0.2, 0],
      [0.3, 0],
      [5, 5],
    ],
  };
  // Distances 0.1, 0.1, 0.2 (mean 0.133): accepted.
  assert.equal(nearGallery(at(0.1, 0), gallery), true);
  // One embedding at 0.05, the next two at 0.85 and 0.95: the mean 0.62 is too far.
  assert.equal(
    nearGallery(at(1.15, 0), {
      ...gallery,
      embeddings: [
        [1.1, 0],
        [0.3, 0],
        [0.2, 0],
        [5, 5],
      ],
    }),
    false,
  );
  // ...where the nearest alone would have accepted it.
  assert.equal(
    nearGallery(at(1.15, 0), {
      ...gallery,
      neighbours: 1,
      embeddings: [
        [1.1, 0],
        [0.3, 0],
      ],
    }),
    true,
  );
  // A gallery smaller than k uses what it has.
  assert.equal(nearGallery(at(0, 0.4), { ...gallery, embeddings: [[0, 0]] }), true);
  assert.equal(nearGallery(at(0, 0.6), { ...gallery, embeddings: [[0, 0]] }), false);
});

test('the margin pass only adds faces no other pass found', () => {
  const hit = (cx: number, cy: number, angle: number) => ({
    rect: { cx, cy, width: 40, height: 40, angle },
    strength: 0.9,
    density: 0,
  });
  // Found upside down at 180 by its own pass: the upright margin pass's view of it is dropped.
  const found = [hit(100, 100, 180)];
  assert.deepEqual(unseen([hit(102, 98, 0), hit(300, 300, 0)], found), [hit(300, 300, 0)]);
  assert.deepEqual(unseen([hit(102, 98, 0)], []), [hit(102, 98, 0)]);
});
