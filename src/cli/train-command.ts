import { join } from 'node:path';
import { savePersonModel } from '../recognize/person-model.js';
import { personsOf, type TrainingReport, trainFromChips } from '../recognize/trainer.js';
import { InputError, parse, UsageError } from './args.js';
import { loadFlaggedConfig } from './detection-context.js';
import { createProgress } from './progress.js';
import { readChipsForCommand } from './read-chips.js';
import { modelsDir, recognitionFlags, trainerOptions } from './recognition-context.js';
import { formatTable } from './table.js';
import { trainLibraryCommand } from './train-library.js';

export const trainUsage = `facetag train [--labels DIR] [--model svm|tree] [--jobs N] [--out DIR] [--only NAME,...] [--parity] [--config FILE]
facetag train --library [--engine cascade|neural] [--data-dir DIR] [--config FILE]
  Trains one model per person from labelled chips in DIR/<person>/*.png (not_a_face: negatives only).
  Default DIR: <dataDir>/labels; default --out: <dataDir>/models. --parity uses the seed's settings.
  --library trains from the faces named in the daemon's database (web page, API, facetag label)
  plus <dataDir>/labels, as the daemon does; a running daemon is asked to do it (and reloads).
  --engine neural trains on the faces' stored embeddings (the library analysed with that engine).`;

function reportTable(report: { readonly persons: TrainingReport['persons'] }): string {
  return formatTable(
    ['person', 'positives', 'negatives', 'best', 'cv score', 'seconds'],
    report.persons.map((p) => {
      const m = p.model;
      const best = m
        ? Object.entries(m.cv.best)
            .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
            .join(' ')
        : `skipped: ${p.skipped}`;
      return [
        p.name,
        p.positives,
        p.negatives,
        best,
        m ? m.cv.score.toFixed(3) : '-',
        m ? m.training.seconds.toFixed(2) : '-',
      ];
    }),
  );
}

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...recognitionFlags,
    labels: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    parity: { type: 'boolean' },
    config: { type: 'string' },
    library: { type: 'boolean' },
    'data-dir': { type: 'string' },
    engine: { type: 'string' },
  });
  const flagged = loadFlaggedConfig({ ...values, engine: values.engine, model: values.model });
  // Chip folders are the seed's way, and only the cascade's HOG can learn from grey chips: unless a
  // person chose the neural engine, training from folders is the cascade's.
  const config = values.library || flagged.engineChosen ? flagged : { ...flagged, engine: 'cascade' as const };
  if (!values.library && config.engine === 'neural') {
    throw new UsageError(
      "the neural engine learns from the library's faces (their stored embeddings), not from chip folders: use facetag train --library --engine neural",
    );
  }
  if (values.library) {
    for (const flag of ['labels', 'out', 'only', 'parity', 'model'] as const) {
      if (values[flag] !== undefined)
        throw new UsageError(`--library trains what the daemon trains; --${flag} does not apply`);
    }
    const outcome = await trainLibraryCommand(config, values);
    if (outcome.via === 'daemon') return outcome.code;
    if (!outcome.report) return 1;
    process.stdout.write(reportTable(outcome.report));
    process.stdout.write(`models in ${join(config.dataDir, 'models')}\n`);
    return outcome.report.persons.some((p) => p.model) ? 0 : 1;
  }
  const labelsDir = values.labels ?? join(config.dataDir, 'labels');
  const out = values.out ?? modelsDir(config, values);
  const options = trainerOptions(config, values);

  const chips = await readChipsForCommand(labelsDir, Math.max(4, options.jobs * 2));

  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let report: TrainingReport;
  try {
    const progress = createProgress({ label: 'train', total: personsOf(chips, only).length });
    report = await trainFromChips(chips, {
      ...options,
      ...(only ? { names: only } : {}),
      onProgress: (_done, _total, name) => progress.tick(1, name),
    });
    progress.done();
  } catch (err) {
    if (err instanceof RangeError) throw new InputError(err.message);
    throw err;
  }
  for (const p of report.persons) if (p.model) await savePersonModel(out, p.model);
  process.stdout.write(
    `${chips.length} chips, scaled to ${report.spec.chipWidth}x${report.spec.chipHeight}; features ${report.seconds.features.toFixed(2)} s, training ${report.seconds.train.toFixed(2)} s\n`,
  );
  process.stdout.write(reportTable(report));
  process.stdout.write(`models in ${out}\n`);
  return report.persons.some((p) => p.model) ? 0 : 1;
}
