/**
 * `facetag eval identity --engine neural`: the same evaluation as eval/identity.ts (same split,
 * same face choice: the detection overlapping the nominal box best, else the nominal box as a
 * "detection miss"; same scores and report), with the neural engine's detector and embeddings,
 * and SVMs trained on the embeddings.
 */
import { performance } from 'node:perf_hooks';
import type { DetectorOptions } from '../engine/detector.js';
import {
  type EmbeddingTrainerOptions,
  type LabelledEmbedding,
  trainFromEmbeddings,
} from '../neural/embedding-trainer.js';
import { embedFaces, type NeuralEngine, neuralFeatureSpec } from '../neural/neural-engine.js';
import { Recognizer, UNKNOWN } from '../recognize/recognizer.js';
import {
  type IdentityEvalOptions,
  type IdentityReport,
  identityReport,
  nameTestFaces,
  trainingFaces,
} from './identity.js';
import type { IdentityRow } from './identity-rows.js';

/** face-api's face_recognition net looks at 150×150 aligned crops. */
const DESCRIPTOR_INPUT = 150;

export interface NeuralIdentityOptions extends Omit<IdentityEvalOptions, 'trainer' | 'dedupe' | 'detector'> {
  readonly trainer: Omit<EmbeddingTrainerOptions, 'maxDistance' | 'neighbours'>;
}

export async function evaluateNeuralIdentity(
  train: readonly IdentityRow[],
  test: readonly IdentityRow[],
  detector: DetectorOptions & { readonly neural: NeuralEngine },
  options: NeuralIdentityOptions,
): Promise<IdentityReport> {
  const engine = detector.neural;
  const minOverlap = options.minOverlap ?? 0.3;
  const holdOut = new Set(options.holdOut ?? []);
  const trainRows = train.filter((r) => !holdOut.has(r.person));

  // 1. embed the training faces
  let trainMiss = 0;
  const t = performance.now();
  const rows: LabelledEmbedding[] = [];
  for await (const { row, image, rect, detected } of trainingFaces(trainRows, detector, minOverlap)) {
    if (!detected) trainMiss++;
    const [embedding] = await embedFaces(engine, image, [{ rect }]);
    // No landmarks, no features: the image cannot teach anything (counted as a miss too).
    if (embedding) rows.push({ label: row.person, embedding });
    else if (detected) trainMiss++;
    options.onStep?.('chip', row.file);
  }
  const featureSeconds = (performance.now() - t) / 1000;

  // 2. one model per person
  const report = await trainFromEmbeddings(rows, neuralFeatureSpec(engine), {
    ...options.trainer,
    maxDistance: engine.settings.maxDistance,
    neighbours: engine.settings.galleryNeighbours,
  });
  const models = report.persons.flatMap((p) => (p.model ? [p.model] : []));
  const recognizer = new Recognizer(models, options.thresholds);
  const trained = models.map((m) => m.name);

  // 3. name the test faces with the full pipeline
  const { predictions, testMiss, classifyMs } = await nameTestFaces(test, detector, recognizer, trained, {
    minOverlap,
    ...(options.onStep ? { onStep: options.onStep } : {}),
    onMiss: async (image, rect) => {
      const [embedding] = await embedFaces(engine, image, [{ rect }]);
      return embedding
        ? recognizer.recognize(() => {
            throw new Error('embedding models need no chip');
          }, embedding)
        : { name: UNKNOWN, value: null, decisions: {} };
    },
  });

  return identityReport({
    predictions,
    trained,
    holdOut,
    trainImages: trainRows.length,
    testImages: test.length,
    trainMiss,
    testMiss,
    chipSize: [DESCRIPTOR_INPUT, DESCRIPTOR_INPUT],
    featureSeconds,
    trainSeconds: report.seconds.train,
    classifyMs,
    training: report.persons,
  });
}
