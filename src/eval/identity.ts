/**
 * `facetag eval identity`: the reference's identity evaluation. Detect the labelled face in
 * every image (the detection that overlaps the nominal box best, else the nominal box itself,
 * counted as a miss), train on the train images' chips, then name the test faces with the full
 * pipeline and score the names.
 */
import { performance } from 'node:perf_hooks';
import type { DetectorOptions } from '../engine/detector.js';
import { decodeForDetection, detectDecoded } from '../engine/detector.js';
import { type DedupeRule, recogniseDecoded } from '../pipeline/recognise.js';
import { greyChip } from '../recognize/face-chip.js';
import type { LabelledChip } from '../recognize/labelled-chips.js';
import { type Recognition, Recognizer, UNKNOWN } from '../recognize/recognizer.js';
import { type TrainerOptions, type TrainingReport, trainFromChips } from '../recognize/trainer.js';
import type { DecodedImage } from '../vision/decode.js';
import { type AxisBox, boundingBox, boxRect, iou, type RotatedRect, scaleRect } from '../vision/geometry.js';
import { type IdentityPrediction, type IdentityScores, scoreIdentity } from './identity-metrics.js';
import type { IdentityRow } from './identity-rows.js';

export interface IdentityEvalOptions {
  readonly detector: DetectorOptions;
  readonly trainer: Omit<TrainerOptions, 'names'>;
  /** Persons left out of training: their test faces must come out unknown. */
  readonly holdOut?: readonly string[];
  /** A detection must overlap the nominal box by this IoU to count (the reference: 0.3). */
  readonly minOverlap?: number;
  readonly onStep?: (stage: 'chip' | 'classify', file: string) => void;
  readonly thresholds?: Readonly<Record<string, number>>;
  readonly dedupe?: DedupeRule;
}

export interface IdentityReport extends IdentityScores {
  readonly trainImages: number;
  readonly testImages: number;
  readonly trained: readonly string[];
  readonly heldOut: readonly string[];
  readonly chipSize: readonly [number, number];
  readonly detectionMiss: { readonly train: number; readonly test: number };
  readonly trainSeconds: number;
  readonly featureSeconds: number;
  readonly classifySecondsPerImage: number;
  readonly training: TrainingReport['persons'];
  readonly predictions: readonly (IdentityPrediction & { score: number | null; detected: boolean })[];
}

/** The whole image when a row has no nominal box. Shared with the neural evaluation, as below. */
const wholeImage = (image: DecodedImage): AxisBox => ({
  x: 0,
  y: 0,
  width: image.fullWidth,
  height: image.fullHeight,
});

/** The nominal box in detection pixels, as the face when nothing was detected there. */
const nominalRect = (image: DecodedImage, nominal: AxisBox): RotatedRect =>
  scaleRect(boxRect(nominal), image.width / image.fullWidth);

/** The candidate overlapping `nominal` best, if any reaches `minOverlap`. */
function bestOverlap<T extends { rect: RotatedRect }>(
  faces: readonly T[],
  nominal: AxisBox,
  minOverlap: number,
): T | undefined {
  let best: T | undefined;
  let bestIou = 0;
  for (const f of faces) {
    const v = iou(boundingBox(f.rect), nominal);
    if (v > bestIou) {
      best = f;
      bestIou = v;
    }
  }
  return bestIou >= minOverlap ? best : undefined;
}

function decodeRow(row: IdentityRow, detector: DetectorOptions): Promise<DecodedImage> {
  return decodeForDetection(row.path, detector);
}

/**
 * Each training image with its face: the detection overlapping the nominal box best, else the
 * nominal box itself (`detected` false: a miss). Both evaluations learn from these.
 */
export async function* trainingFaces(
  rows: readonly IdentityRow[],
  detector: DetectorOptions,
  minOverlap: number,
): AsyncGenerator<{ row: IdentityRow; image: DecodedImage; rect: RotatedRect; detected: boolean }> {
  for (const row of rows) {
    const image = await decodeRow(row, detector);
    const nominal = row.nominal ?? wholeImage(image);
    const { faces } = await detectDecoded(image, detector);
    const face = bestOverlap(faces, nominal, minOverlap);
    yield { row, image, rect: face?.hit.rect ?? nominalRect(image, nominal), detected: face !== undefined };
  }
}

/**
 * Name each test image's face with the full pipeline (the detection overlapping the nominal box
 * best); when none does, `onMiss` names the nominal box. Timed from after the decode.
 */
export async function nameTestFaces(
  test: readonly IdentityRow[],
  detector: DetectorOptions,
  recognizer: Recognizer,
  trained: readonly string[],
  options: {
    readonly minOverlap: number;
    readonly dedupe?: DedupeRule;
    readonly onStep?: IdentityEvalOptions['onStep'];
    readonly onMiss: (image: DecodedImage, rect: RotatedRect) => Recognition | Promise<Recognition>;
  },
): Promise<{ predictions: IdentityReport['predictions'][number][]; testMiss: number; classifyMs: number }> {
  let testMiss = 0;
  let classifyMs = 0;
  const predictions: IdentityReport['predictions'][number][] = [];
  for (const row of test) {
    const image = await decodeRow(row, detector);
    const t = performance.now();
    const result = await recogniseDecoded(image, detector, recognizer, options.dedupe);
    const nominal = row.nominal ?? wholeImage(image);
    const face = bestOverlap(result.faces, nominal, options.minOverlap);
    let recognition = face?.recognition;
    if (!recognition) {
      testMiss++;
      recognition = await options.onMiss(image, nominalRect(image, nominal));
    }
    classifyMs += performance.now() - t;
    predictions.push({
      file: row.file,
      person: row.person,
      expected: trained.includes(row.person) ? row.person : UNKNOWN,
      predicted: recognition.name,
      score: recognition.value,
      detected: face !== undefined,
    });
    options.onStep?.('classify', row.file);
  }
  return { predictions, testMiss, classifyMs };
}

export async function evaluateIdentity(
  train: readonly IdentityRow[],
  test: readonly IdentityRow[],
  options: IdentityEvalOptions,
): Promise<IdentityReport> {
  const minOverlap = options.minOverlap ?? 0.3;
  const holdOut = new Set(options.holdOut ?? []);
  const trainRows = train.filter((r) => !holdOut.has(r.person));

  // 1. chip the training images
  let trainMiss = 0;
  const chips: LabelledChip[] = [];
  for await (const { row, image, rect, detected } of trainingFaces(trainRows, options.detector, minOverlap)) {
    if (!detected) trainMiss++;
    chips.push({ label: row.person, file: row.path, ...greyChip(image, rect, options.trainer.padding) });
    options.onStep?.('chip', row.file);
  }

  // 2. train one model per person
  const report = await trainFromChips(chips, options.trainer);
  const models = report.persons.flatMap((p) => (p.model ? [p.model] : []));
  const recognizer = new Recognizer(models, options.thresholds);
  const trained = models.map((m) => m.name);

  // 3. name the test faces with the full pipeline
  const { predictions, testMiss, classifyMs } = await nameTestFaces(test, options.detector, recognizer, trained, {
    minOverlap,
    ...(options.dedupe ? { dedupe: options.dedupe } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    onMiss: (image, rect) => recognizer.recognize((padding) => greyChip(image, rect, padding)),
  });

  return identityReport({
    predictions,
    trained,
    holdOut,
    trainImages: trainRows.length,
    testImages: test.length,
    trainMiss,
    testMiss,
    chipSize: [report.spec.chipWidth, report.spec.chipHeight],
    featureSeconds: report.seconds.features,
    trainSeconds: report.seconds.train,
    classifyMs,
    training: report.persons,
  });
}

/** What both evaluations (HOG here, embeddings in src/eval/neural-identity.ts) report. */
export function identityReport(parts: {
  readonly predictions: IdentityReport['predictions'];
  readonly trained: readonly string[];
  readonly holdOut: ReadonlySet<string>;
  readonly trainImages: number;
  readonly testImages: number;
  readonly trainMiss: number;
  readonly testMiss: number;
  readonly chipSize: readonly [number, number];
  readonly featureSeconds: number;
  readonly trainSeconds: number;
  readonly classifyMs: number;
  readonly training: IdentityReport['training'];
}): IdentityReport {
  const { trainImages, testImages } = parts;
  return {
    ...scoreIdentity(parts.predictions, parts.trained, UNKNOWN),
    trainImages,
    testImages,
    trained: [...parts.trained],
    heldOut: [...parts.holdOut],
    chipSize: [...parts.chipSize],
    detectionMiss: {
      train: trainImages ? parts.trainMiss / trainImages : 0,
      test: testImages ? parts.testMiss / testImages : 0,
    },
    trainSeconds: parts.featureSeconds + parts.trainSeconds,
    featureSeconds: parts.featureSeconds,
    classifySecondsPerImage: testImages ? parts.classifyMs / 1000 / testImages : 0,
    training: parts.training,
    predictions: parts.predictions,
  };
}
