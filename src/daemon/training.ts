/**
 * Training inside the daemon. When labels change (the API says so, or the fingerprint of the
 * labelled faces differs from the one the models were trained on), wait for a quiet period,
 * retrain every person (train-library.ts), then name the stored auto faces again from their
 * chips: no photo is decoded and nothing is re-detected. Labels are never touched:
 * recordPredictions only changes predictions. The labelling page shows `status()` live.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemTimers, type Timers } from '../core/clock.js';
import type { TrainingPhase, TrainingStatus } from '../core/service-status.js';
import { errnoCode } from '../files/errno.js';
import { UNKNOWN } from '../recognize/recognizer.js';
import { needsStoredChip, recogniseStored } from '../recognize/stored-chip.js';
import type { Db } from '../store/db.js';
import { autoFaceChips, countAutoFaceChips, labelsFingerprint } from '../store/face-chips.js';
import { recordPredictions } from '../store/face-writes.js';
import { decodeChipPng } from '../vision/chip-png.js';
import { type ModelSet, modelSetOf } from './model-set.js';
import { type LibraryTrainingOptions, trainLibrary } from './train-library.js';

export interface TrainingServiceOptions extends Omit<LibraryTrainingOptions, 'onProgress' | 'now'> {
  /** The models on disk at start; `models()` gives them until a training replaces them. */
  readonly models: ModelSet;
  /** Called once the stored faces are named again with the new models. */
  readonly onNamed?: () => void;
  /** The clock and the debounce's timer (a fake clock in tests). */
  readonly timers?: Timers;
}

export interface TrainingService {
  /** The models faces are named with now: those at start, then each training's (before re-classification). */
  models(): ModelSet;
  /** Labels changed: retrain after the debounce. */
  labelsChanged(): void;
  /** Retrain now (the page's "train now", `facetag train`), even if the labels look unchanged. */
  trainNow(): void;
  /** Retrain now if the labels differ from what the models were trained on. */
  checkNow(): Promise<void>;
  /**
   * Cheap poll (one SQL aggregate): labels written by another process (`facetag label`) since the
   * last look count as a change, debounced like the API's.
   */
  noticeLabelChanges(): void;
  status(): TrainingStatus;
  /** Wait for a running training; cancel a pending one. */
  stop(): Promise<void>;
}

const FINGERPRINT_FILE = '.labels-fingerprint';

/**
 * What the models were trained from: the labels, the engine (its features), and for the neural
 * engine how many labelled faces have embeddings yet, so the re-analysis after an engine switch,
 * which gives labelled faces their embeddings one photo at a time, leads to retraining too.
 */
function trainingFingerprint(db: Db, engine: string): string {
  return engine === 'neural' ? `neural:${labelsFingerprint(db, 'embedding')}` : `${engine}:${labelsFingerprint(db)}`;
}
const RECLASSIFY_PAGE = 500;

export function createTrainingService(options: TrainingServiceOptions): TrainingService {
  const { db, config, modelsDir, labelsDir, log } = options;
  const timers = options.timers ?? systemTimers;
  const now = timers.now;
  let cancelTimer = () => {};
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const fingerprintNow = () => trainingFingerprint(db, config.engine);
  let lastSeen = fingerprintNow();
  let phase: TrainingPhase = 'idle';
  let startsAt: number | null = null;
  let progress: TrainingStatus['progress'] = null;
  let last: TrainingStatus['last'] = null;
  let models = options.models;

  const fingerprintFile = join(modelsDir, FINGERPRINT_FILE);
  const readFingerprint = () =>
    readFile(fingerprintFile, 'utf8').catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return '';
      throw err;
    });

  async function reclassify(set: ModelSet): Promise<number> {
    if (!set.version) return 0;
    let after = 0;
    let named = 0;
    let done = 0;
    const total = countAutoFaceChips(db);
    const decode = needsStoredChip(set.recognizer);
    for (;;) {
      const page = autoFaceChips(db, after, RECLASSIFY_PAGE);
      if (page.length === 0) return named;
      const predictions = [];
      for (const row of page) {
        const chip = decode ? await decodeChipPng(row.chip) : undefined;
        const r = recogniseStored(set.recognizer, { chip, features: row.features });
        predictions.push({
          faceId: row.id,
          predictedPerson: r.name === UNKNOWN ? null : r.name,
          decisionValue: r.value,
        });
        if (r.name !== UNKNOWN) named++;
      }
      recordPredictions(db, predictions, set.version, now());
      done += page.length;
      progress = { done, total: Math.max(total, done), current: null };
      after = page[page.length - 1]!.id;
      if (stopped) return named;
    }
  }

  async function train(): Promise<void> {
    const fingerprint = fingerprintNow();
    // The poll compares with what was last seen: changes this run trains on (made through the API,
    // which told us directly) must not look new to it, or it trains the same labels again.
    lastSeen = fingerprint;
    const t = performance.now();
    phase = 'training';
    startsAt = null;
    progress = { done: 0, total: 0, current: null };
    const result = await trainLibrary({
      db,
      config,
      modelsDir,
      labelsDir,
      log,
      now,
      onProgress: (done, total, person) => {
        progress = { done, total, current: person };
      },
    });
    let named = 0;
    if (result.report === null) {
      log.info('no labelled faces yet: nothing to train');
    } else {
      // The folder now holds exactly these models: no need to read them back.
      const set = modelSetOf(result.models, config.recognition.thresholds);
      models = set;
      phase = 'naming';
      progress = { done: 0, total: 0, current: null };
      named = await reclassify(set);
      options.onNamed?.();
      log.info('trained', {
        persons: result.models.length,
        modelVersion: set.version,
        named,
        seconds: Math.round(performance.now() - t) / 1000,
      });
    }
    // Written even when no model is (too few labels yet), so each check does not retrain again.
    await writeFile(fingerprintFile, fingerprint);
    last = {
      finishedAt: now(),
      seconds: Math.round(performance.now() - t) / 1000,
      persons: result.models.length,
      named,
      error: null,
    };
  }

  const run = (): Promise<void> => {
    if (running) {
      // A change during a run must not be lost: run once more afterwards.
      again = true;
      return running;
    }
    running = train()
      .catch((err: unknown) => {
        log.error('training failed', { err });
        last = {
          finishedAt: now(),
          seconds: 0,
          persons: 0,
          named: 0,
          error: err instanceof Error ? err.message : String(err),
        };
      })
      .finally(() => {
        running = undefined;
        phase = 'idle';
        progress = null;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  };

  return {
    models: () => models,
    labelsChanged() {
      if (stopped) return;
      cancelTimer();
      const ms = config.daemon.trainDebounceSeconds * 1000;
      cancelTimer = timers.after(ms, () => void run());
      if (!running) {
        phase = 'waiting';
        startsAt = now() + ms;
      }
    },
    trainNow() {
      if (stopped) return;
      cancelTimer();
      void run();
    },
    noticeLabelChanges() {
      const current = fingerprintNow();
      if (current === lastSeen) return;
      lastSeen = current;
      this.labelsChanged();
    },
    async checkNow() {
      if (stopped || fingerprintNow() === (await readFingerprint())) return;
      await run();
    },
    status: () => ({ phase, startsAt: phase === 'waiting' ? startsAt : null, progress, last }),
    async stop() {
      stopped = true;
      cancelTimer();
      await running;
    },
  };
}

export type { TrainingPhase, TrainingStatus };
