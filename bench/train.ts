/**
 * Training and classification benchmark: prints figures and ratios, never passes or fails.
 *
 *   npm run bench:train -- [--runs N] [--skip-reference]
 *
 * 1. Chips: the reference's identity split of shared/data/identity (every 3rd image per person is a
 *    test image), each face detected with the seed's settings, scaled to the median size and written
 *    as the seed's dataset.h5 by facetag's own exporter, so both sides train on identical pixels.
 * 2. Training, the seed's full grid (linear/rbf × C 1..10 step 0.5, 3-fold CV, refit), for all 8
 *    people: facetag with 1 and with 2 worker threads, and the reference's train.py (one process,
 *    OMP_NUM_THREADS=1). Medians over --runs.
 * 3. Classification of the test photos, no rotation sweep, seed settings: facetag classify vs the
 *    reference's classify.py, seconds per photo (the reference's from its own log, model load excluded).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectionContext, loadFlaggedConfig } from '../src/cli/detection-context.js';
import { readSeedDataset, writeSeedDataset } from '../src/dataset/hdf5.js';
import { detectDecoded } from '../src/engine/detector.js';
import { readIdentityRows, splitEvery } from '../src/eval/identity-rows.js';
import { recogniseFile } from '../src/pipeline/recognise.js';
import { greyChip } from '../src/recognize/face-chip.js';
import { scaleChip } from '../src/recognize/features.js';
import type { LabelledChip } from '../src/recognize/labelled-chips.js';
import { medianSize } from '../src/recognize/median.js';
import { Recognizer } from '../src/recognize/recognizer.js';
import { toUbyte } from '../src/recognize/resize.js';
import { trainFromChips } from '../src/recognize/trainer.js';
import { trainerOptionsOf } from '../src/recognize/trainer-options.js';
import { decodeImage } from '../src/vision/decode.js';
import { boundingBox, boxRect, iou } from '../src/vision/geometry.js';
import { fmtRatio, median, PYTHON, ratio, repoRoot, say, table } from './common.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, 'skip-reference': { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number.parseInt(values.runs, 10) || 3);
const shared = process.env.FACETAG_SHARED ?? join(repoRoot(), '../shared');
const identity = join(shared, 'data/identity');
const reference = join(shared, 'reference');
const work = mkdtempSync(join(tmpdir(), 'facetag-bench-train-'));

/** The reference's identity runs: step ratio 1, min 40 px, 4 neighbours, parity scan, no sweep. */
const SEED_FLAGS = {
  parity: true,
  'step-ratio': '1',
  'min-neighbours': '4',
  'rotation-step': '360',
  'min-size': '40',
  'max-size': '2000',
  workers: '1',
};

async function seedChips(): Promise<{ chips: LabelledChip[]; testFiles: string[] }> {
  const { train, test } = splitEvery(await readIdentityRows(identity), 3);
  const ctx = detectionContext(loadFlaggedConfig(SEED_FLAGS), SEED_FLAGS);
  const chips: LabelledChip[] = [];
  try {
    for (const row of train) {
      const image = await decodeImage(row.path, { maxPixels: 1e8 });
      const nominal = row.nominal ?? { x: 0, y: 0, width: image.width, height: image.height };
      const { faces } = await detectDecoded(image, ctx.options);
      let best = boxRect(nominal);
      let bestIou = 0.3;
      for (const f of faces) {
        const v = iou(boundingBox(f.rect), nominal);
        if (v >= bestIou) [best, bestIou] = [f.rect, v];
      }
      chips.push({ label: row.person, file: row.path, ...greyChip(image, best, 0) });
    }
  } finally {
    await ctx.close();
  }
  return { chips, testFiles: test.map((r) => r.path) };
}

/** train.py's own timing: the sum over its per-person metadata of HOG + grid-search seconds. */
function gridSeconds(models: string): number {
  return readdirSync(models)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.svm.json'))
    .reduce((s, f) => {
      const meta = JSON.parse(readFileSync(join(models, f), 'utf8')) as {
        seconds: { features: number; grid_search: number };
      };
      return s + meta.seconds.features + meta.seconds.grid_search;
    }, 0);
}

function seconds(run: () => number): number[] {
  return Array.from({ length: runs }, run);
}

async function main(): Promise<void> {
  say(`bench:train — ${runs} run(s), ${availableParallelism()} CPUs, data ${identity}`);
  const { chips, testFiles } = await seedChips();
  const size = medianSize(chips);
  const h5 = join(work, 'dataset.h5');
  await writeSeedDataset(
    h5,
    chips.map((c) => {
      const s = scaleChip(c, { chipWidth: size.width, chipHeight: size.height });
      return { label: c.label, width: s.width, height: s.height, pixels: toUbyte(s.data) };
    }),
  );
  // Train on exactly what the reference reads: the dataset's uint8 pixels, as img_as_float does.
  const ds = await readSeedDataset(h5);
  const dataset: LabelledChip[] = ds.images.map((px, i) => {
    const label = ds.labels[i];
    if (label === undefined) throw new Error(`${h5}: image ${i} has no label`);
    return {
      label,
      file: `${h5}#${i}`,
      width: ds.width,
      height: ds.height,
      data: Float64Array.from(px, (v) => v / 255),
    };
  });
  say(
    `${dataset.length} training chips of ${ds.width}x${ds.height}, ${new Set(ds.labels).size} people, ${testFiles.length} test photos`,
  );

  const ctx = detectionContext(loadFlaggedConfig(SEED_FLAGS), SEED_FLAGS);
  const seedOptions = trainerOptionsOf(ctx.config.recognition, { parity: true });
  const ours: Record<string, number[]> = {};
  let recognizer: Recognizer | undefined;
  for (const jobs of [1, 2]) {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const report = await trainFromChips(dataset, { ...seedOptions, jobs });
      times.push((performance.now() - t) / 1000);
      recognizer = new Recognizer(report.persons.flatMap((p) => (p.model ? [p.model] : [])));
    }
    ours[`facetag, ${jobs} thread${jobs > 1 ? 's' : ''}`] = times;
  }
  const defaults = trainerOptionsOf(ctx.config.recognition);
  {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      await trainFromChips(dataset, { ...defaults, jobs: 2 });
      times.push((performance.now() - t) / 1000);
    }
    ours['facetag defaults (80x80, 9/10/2, balanced), 2 threads'] = times;
  }

  // Classification with the seed's settings, no sweep.
  if (!recognizer) throw new Error('no models trained');
  const classify: number[] = [];
  for (const file of testFiles)
    classify.push((await recogniseFile(file, ctx.options, recognizer, 'response')).wallMs / 1000);
  await ctx.close();

  let refTrain: number[] = [];
  const refInner: number[] = [];
  let refClassify: number | undefined;
  const available =
    !values['skip-reference'] && spawnSync(PYTHON, ['-c', 'import skimage, sklearn, h5py']).status === 0;
  if (available) {
    const env = { ...process.env, OMP_NUM_THREADS: '1' };
    const models = join(work, 'ref-models');
    refTrain = seconds(() => {
      rmSync(models, { recursive: true, force: true });
      const t = performance.now();
      const r = spawnSync(PYTHON, [join(reference, 'train.py'), h5, models, '--all'], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`train.py failed: ${r.stderr}`);
      refInner.push(gridSeconds(models));
      return (performance.now() - t) / 1000;
    });
    const inputs = join(work, 'test');
    mkdirSync(inputs);
    for (const f of testFiles) spawnSync('cp', [f, inputs]);
    const r = spawnSync(
      PYTHON,
      [
        join(reference, 'classify.py'),
        models,
        inputs,
        '--output',
        join(work, 'ref.json'),
        '--rotation-step',
        '360',
        '--step-ratio',
        '1',
        '--min-size',
        '40',
      ],
      { env, encoding: 'utf8' },
    );
    // classify.py logs "N images, M faces, S s/image (...)", timed after its models are loaded.
    const m = /([\d.]+) s\/image/.exec(r.stderr);
    if (r.status === 0 && m) refClassify = Number(m[1]);
    else
      say(`classify.py timing not found in its log (exit ${r.status}): ${r.stderr.split('\n').slice(-3).join(' | ')}`);
  } else say('reference skipped (no /usr/bin/python3 with skimage, sklearn and h5py, or --skip-reference)');

  const refMedian = refTrain.length ? median(refTrain) : undefined;
  const rows = Object.entries(ours).map(([name, t]) => [
    name,
    median(t).toFixed(2),
    fmtRatio(ratio(refMedian, median(t))),
  ]);
  if (refMedian !== undefined) {
    rows.push(['reference train.py (process wall, incl. Python start-up)', refMedian.toFixed(2), '1.0x']);
    const inner = median(refInner);
    rows.push(["reference train.py's own HOG + grid-search seconds", inner.toFixed(2), '-']);
    for (const [name, t] of Object.entries(ours))
      rows.push([`  ${name} vs that`, '', fmtRatio(ratio(inner, median(t)))]);
  }
  say();
  say('Training the full grid for every person (median wall seconds; ratio = reference / facetag)');
  say(table(['', 'seconds', 'speed-up'], rows));
  say();
  say('Classification, seed settings, no sweep (seconds per photo; decode + detect + name)');
  const ourClassify = median(classify);
  say(
    table(
      ['', 's/photo', 'speed-up'],
      [
        ['facetag', ourClassify.toFixed(4), fmtRatio(ratio(refClassify, ourClassify))],
        ...(refClassify !== undefined ? [['reference classify.py', refClassify.toFixed(4), '1.0x']] : []),
      ],
    ),
  );
  rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  rmSync(work, { recursive: true, force: true });
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
