import { evaluateIdentity, type IdentityReport } from '../eval/identity.js';
import { readIdentityRows, splitEvery } from '../eval/identity-rows.js';
import { evaluateNeuralIdentity } from '../eval/neural-identity.js';
import { intFlag, numberFlag, parse, UsageError } from './args.js';
import { type DetectionFlagValues, detectionContext, detectionFlags, loadFlaggedConfig } from './detection-context.js';
import { createProgress } from './progress.js';
import { recognitionFlags, trainerOptions } from './recognition-context.js';
import { formatTable } from './table.js';

export const evalIdentityUsage = `facetag eval identity --train DIR (--test DIR | --split-every K) [--hold-out NAME,...]
    [--min-overlap 0.3] [--model svm|tree] [--jobs N] [--json] [--parity] [--engine cascade|neural]
    [detection flags as for detect]
  Trains on DIR's <Person>/<image> faces and names the test faces. --split-every 3 tests on every
  3rd image per person (the reference's split). --hold-out leaves persons out of training: their
  faces must come out unknown. --parity uses the seed's detection and recognition settings.
  --engine neural: SSD detection and face embeddings, SVMs trained on the embeddings (svm only).`;

/** The reference's identity runs: scale 1.1, step ratio 1, min 40 px, max 2000 px, 4 neighbours, no sweep. */
const SEED_IDENTITY_DETECTION = {
  'step-ratio': '1',
  'min-neighbours': '4',
  'rotation-step': '360',
  'min-size': '40',
  'max-size': '2000',
  'min-hit-density': '0',
} as const;

const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)}%`);

function summary(r: IdentityReport): string {
  const lines = [
    `identity: trained ${r.trained.length} people on ${r.trainImages} images (chips ${r.chipSize.join('x')}); tested ${r.testImages} images`,
    `  accuracy ${pct(r.accuracy)}  known called unknown ${pct(r.knownCalledUnknown)}  wrong name ${pct(r.knownCalledWrongName)}  unknown rejection ${pct(r.unknownRejection)}`,
    `  detection miss: train ${pct(r.detectionMiss.train)}, test ${pct(r.detectionMiss.test)}`,
    `  training ${r.trainSeconds.toFixed(2)} s (features ${r.featureSeconds.toFixed(2)} s); classify ${(1000 * r.classifySecondsPerImage).toFixed(1)} ms/image`,
  ];
  const table = formatTable(
    ['person', 'tests', 'predicted', 'precision', 'recall', 'cv score', 'best'],
    Object.entries(r.perPerson).map(([name, p]) => {
      const m = r.training.find((t) => t.name === name)?.model;
      return [
        name,
        p.tests,
        p.predicted,
        pct(p.precision),
        pct(p.recall),
        m ? m.cv.score.toFixed(3) : '-',
        m ? Object.values(m.cv.best).join(' ') : '-',
      ];
    }),
  );
  return `${lines.join('\n')}\n${table}`;
}

export async function evalIdentityCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...detectionFlags,
    ...recognitionFlags,
    train: { type: 'string' },
    test: { type: 'string' },
    'split-every': { type: 'string' },
    'hold-out': { type: 'string' },
    'min-overlap': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.train) throw new UsageError('--train is required');
  if (!values.test === !values['split-every']) throw new UsageError('give either --test DIR or --split-every K');
  const minOverlap = numberFlag('min-overlap', values['min-overlap'], 0, 1) ?? 0.3;
  const holdOut =
    values['hold-out']
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];

  const rows = await readIdentityRows(values.train);
  let split: { train: typeof rows; test: typeof rows };
  if (values.test) split = { train: rows, test: await readIdentityRows(values.test) };
  else split = splitEvery(rows, intFlag('split-every', values['split-every'], 2, 1000) ?? 3);
  const unknownHoldOut = holdOut.filter((n) => !rows.some((r) => r.person === n));
  if (unknownHoldOut.length) throw new UsageError(`--hold-out: no such person(s): ${unknownHoldOut.join(', ')}`);

  const flags: DetectionFlagValues = values.parity ? { ...SEED_IDENTITY_DETECTION, ...values } : values;
  const ctx = detectionContext(loadFlaggedConfig({ ...flags, model: values.model }), flags);
  const progress = createProgress({ label: 'eval identity', total: split.train.length + split.test.length });
  let report: IdentityReport;
  try {
    const neural = ctx.options.neural;
    if (neural) {
      const trainer = trainerOptions(ctx.config, values);
      if (trainer.model !== 'svm') throw new UsageError('--engine neural trains SVMs only; drop --model tree');
      report = await evaluateNeuralIdentity(
        split.train,
        split.test,
        { ...ctx.options, neural },
        {
          trainer,
          holdOut,
          minOverlap,
          thresholds: ctx.config.recognition.thresholds,
          onStep: (stage, file) => progress.tick(1, `${stage} ${file}`),
        },
      );
    } else
      report = await evaluateIdentity(split.train, split.test, {
        detector: ctx.options,
        trainer: trainerOptions(ctx.config, values),
        holdOut,
        minOverlap,
        thresholds: ctx.config.recognition.thresholds,
        dedupe: values.parity ? 'response' : ctx.config.recognition.dedupe,
        onStep: (stage, file) => progress.tick(1, `${stage} ${file}`),
      });
  } finally {
    await ctx.close();
  }
  progress.done();
  if (values.json) {
    const { training, ...rest } = report;
    const persons = training.map(({ model, ...p }) => ({ ...p, ...(model ? { cv: model.cv } : {}) }));
    process.stdout.write(
      `${JSON.stringify({ ...rest, training: persons, split: values.test ? { test: values.test } : { splitEvery: values['split-every'] } }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(summary(report));
  }
  return 0;
}
