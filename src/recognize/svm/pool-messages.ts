/**
 * Messages between trainPersons and its worker threads, with checks for what arrives: a reply is
 * data from another thread, so it is validated like a file before it is trusted.
 */
import type { GridScore, GridSearchOptions, GridSearchResult } from './grid-search.js';
import { validateSvmModel } from './model.js';

/** workerData: the shared training matrix and, for the precomputed engine, its shared Gram matrix. */
export interface PoolWorkerData {
  readonly rows: number;
  readonly cols: number;
  readonly features: SharedArrayBuffer;
  readonly gram: SharedArrayBuffer | null;
  readonly options: GridSearchOptions;
}

/** Main → worker: grid-search one person. */
export interface PersonTask {
  readonly index: number;
  readonly y: Uint8Array;
}

/** Worker → main. */
export type PersonReply =
  | { readonly index: number; readonly ok: true; readonly result: GridSearchResult }
  | { readonly index: number; readonly ok: false; readonly error: string };

export function isPersonTask(value: unknown, rows: number): value is PersonTask {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Number.isInteger(v.index) && v.y instanceof Uint8Array && v.y.length === rows;
}

/** Checks a worker's reply; throws naming what is wrong. */
export function parsePersonReply(value: unknown): PersonReply {
  const fail = (what: string): never => {
    throw new Error(`bad reply from an SVM training worker: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not an object');
  const v = value as Record<string, unknown>;
  const index = v.index;
  if (typeof index !== 'number' || !Number.isInteger(index)) return fail('no task index');
  if (v.ok === false) return { index, ok: false, error: typeof v.error === 'string' ? v.error : 'unknown error' };
  if (v.ok !== true || typeof v.result !== 'object' || v.result === null) return fail('no result');
  const r = v.result as Record<string, unknown>;
  const best = r.best as Record<string, unknown> | null;
  if (typeof best !== 'object' || best === null) return fail('no best setting');
  if (best.kernel !== 'linear' && best.kernel !== 'rbf') return fail('bad best kernel');
  if (!isFiniteNumber(best.C)) return fail('bad best C');
  if (best.gamma !== null && !isFiniteNumber(best.gamma)) return fail('bad best gamma');
  for (const key of ['cvScore', 'positives', 'negatives', 'seconds'] as const) {
    if (!isFiniteNumber(r[key])) return fail(`bad ${key}`);
  }
  if (!Array.isArray(r.scores)) return fail('no scores');
  const scores: GridScore[] = r.scores.map((s: unknown) => {
    const e = (s ?? {}) as Record<string, unknown>;
    if ((e.kernel !== 'linear' && e.kernel !== 'rbf') || !isFiniteNumber(e.C) || !isFiniteNumber(e.score)) {
      return fail('bad score entry');
    }
    return { kernel: e.kernel, C: e.C, score: e.score };
  });
  const result: GridSearchResult = {
    model: validateSvmModel(r.model),
    best: { kernel: best.kernel, C: best.C, gamma: best.gamma },
    cvScore: r.cvScore as number,
    scores,
    positives: r.positives as number,
    negatives: r.negatives as number,
    seconds: r.seconds as number,
  };
  return { index, ok: true, result };
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}
