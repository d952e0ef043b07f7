/**
 * Training inside the daemon. When labels change (the API says so, or the fingerprint of the
 * labelled faces differs from the one the models were trained on), wait for a quiet period,
 * retrain every person from the stored chips (plus the seed's labels folder, if any), then name
 * the stored auto faces again from their chips: no photo is decoded and nothing is re-detected.
 * Labels are never touched: recordPredictions only changes predictions.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trainerOptions } from '../cli/recognition-context.js';
import type { Config } from '../config/schema.js';
import { errnoCode } from '../files/errno.js';
import { recogniseStored } from '../pipeline/analyse.js';
import {
  isNegativeOnly,
  type LabelledChip,
  NOT_A_FACE,
  REJECTED_FACE,
  readLabelledChips,
} from '../recognize/labelled-chips.js';
import { MODEL_SUFFIX, modelPath, type PersonModel, savePersonModel } from '../recognize/person-model.js';
import { UNKNOWN } from '../recognize/recognizer.js';
import { chipWithPadding, greyOf } from '../recognize/stored-chip.js';
import { trainFromChips } from '../recognize/trainer.js';
import type { Db } from '../store/db.js';
import { autoFaceChips, labelledFaceChips, labelsFingerprint } from '../store/face-chips.js';
import { recordPredictions } from '../store/faces.js';
import { recordModel } from '../store/models.js';
import { decodeChipPng } from '../vision/chip-png.js';
import type { Logger } from './logger.js';
import { type ModelSet, modelSetOf } from './model-set.js';

export interface TrainingServiceOptions {
  readonly db: Db;
  readonly config: Config;
  readonly modelsDir: string;
  readonly labelsDir: string;
  readonly log: Logger;
  readonly now: () => number;
  /** Called with the new models once they are trained (before re-classification). */
  readonly onModels: (set: ModelSet) => void;
}

export interface TrainingService {
  /** Labels changed: retrain after the debounce. */
  labelsChanged(): void;
  /** Retrain now if the labels differ from what the models were trained on. */
  checkNow(): Promise<void>;
  /**
   * Cheap poll (one SQL aggregate): labels written by another process (`facetag label`) since the
   * last look count as a change, debounced like the API's.
   */
  noticeLabelChanges(): void;
  /** Wait for a running training; cancel a pending one. */
  stop(): Promise<void>;
}

const FINGERPRINT_FILE = '.labels-fingerprint';
const RECLASSIFY_PAGE = 500;

export function createTrainingService(options: TrainingServiceOptions): TrainingService {
  const { db, config, modelsDir, labelsDir, log, now } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let lastSeen = labelsFingerprint(db);

  const fingerprintFile = join(modelsDir, FINGERPRINT_FILE);
  const readFingerprint = () =>
    readFile(fingerprintFile, 'utf8').catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return '';
      throw err;
    });

  async function trainingChips(padding: number): Promise<LabelledChip[]> {
    const chips: LabelledChip[] = [];
    for (const row of labelledFaceChips(db)) {
      // A rejected suggestion is a negative: for the person rejected, and, like every face not
      // labelled as them, for the others too (the seed's one-against-the-rest training).
      const label =
        row.label_state === 'not_a_face' ? NOT_A_FACE : row.label_state === 'rejected' ? REJECTED_FACE : row.person;
      if (!label) continue;
      const grey = greyOf(await decodeChipPng(row.chip));
      chips.push({ label, file: `face:${row.id}`, ...chipWithPadding(grey, padding) });
    }
    const folder = await readLabelledChips(labelsDir).catch((err: unknown) => {
      // No labels folder is the usual case for a daemon user; other errors are worth a line.
      if (!(err instanceof Error && /ENOENT/.test(err.message)))
        log.warn('cannot read the labels folder', { labelsDir, err });
      return [];
    });
    return [...chips, ...folder];
  }

  async function reclassify(set: ModelSet): Promise<number> {
    if (!set.version) return 0;
    let after = 0;
    let named = 0;
    for (;;) {
      const page = autoFaceChips(db, after, RECLASSIFY_PAGE);
      if (page.length === 0) return named;
      const predictions = [];
      for (const row of page) {
        const r = recogniseStored(set.recognizer, await decodeChipPng(row.chip));
        predictions.push({
          faceId: row.id,
          predictedPerson: r.name === UNKNOWN ? null : r.name,
          decisionValue: r.value,
        });
        if (r.name !== UNKNOWN) named++;
      }
      recordPredictions(db, predictions, set.version, now());
      after = page[page.length - 1].id;
      if (stopped) return named;
    }
  }

  async function train(): Promise<void> {
    const fingerprint = labelsFingerprint(db);
    const t = performance.now();
    // The fingerprint is written here even when no model is (too few labels yet): without the
    // folder that write failed, so every check retrained and logged 'training failed'.
    await mkdir(modelsDir, { recursive: true });
    const trainer = trainerOptions(config, {});
    const chips = await trainingChips(trainer.padding);
    const people = new Set(chips.filter((c) => !isNegativeOnly(c.label)).map((c) => c.label));
    if (people.size === 0) {
      log.info('no labelled faces yet: nothing to train');
      await writeFile(fingerprintFile, fingerprint).catch(() => undefined);
      return;
    }
    log.info('training', { chips: chips.length, persons: people.size });
    const report = await trainFromChips(chips, trainer);
    const models: PersonModel[] = [];
    for (const p of report.persons) {
      if (!p.model) {
        log.warn('person not trained', { person: p.name, reason: p.skipped });
        continue;
      }
      const file = await savePersonModel(modelsDir, p.model);
      recordModel(
        db,
        {
          person: p.name,
          cvScore: p.model.cv.score,
          cvMetric: p.model.cv.scoring,
          filePath: file.path,
          fileHash: file.hash,
        },
        now(),
      );
      models.push(p.model);
    }
    // A person renamed, merged away or no longer trainable keeps no model: a stale file would
    // bring the old name back at the next re-classification.
    const trained = new Set(models.map((m) => modelPath(modelsDir, m.name)));
    for (const name of await readdir(modelsDir)) {
      const file = join(modelsDir, name);
      if (name.endsWith(MODEL_SUFFIX) && !trained.has(file)) {
        await rm(file, { force: true });
        log.info('model retired', { file });
      }
    }
    // The folder now holds exactly these models: no need to read them back.
    const set = modelSetOf(models, config.recognition.thresholds);
    options.onModels(set);
    const named = await reclassify(set);
    await writeFile(fingerprintFile, fingerprint);
    log.info('trained', {
      persons: report.persons.filter((p) => p.model).length,
      modelVersion: set.version,
      named,
      seconds: Math.round(performance.now() - t) / 1000,
    });
  }

  const run = (): Promise<void> => {
    if (running) return running;
    running = train()
      .catch((err: unknown) => log.error('training failed', { err }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    labelsChanged() {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(() => void run(), config.daemon.trainDebounceSeconds * 1000);
      timer.unref();
    },
    noticeLabelChanges() {
      const now = labelsFingerprint(db);
      if (now === lastSeen) return;
      lastSeen = now;
      this.labelsChanged();
    },
    async checkNow() {
      if (stopped || labelsFingerprint(db) === (await readFingerprint())) return;
      await run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
