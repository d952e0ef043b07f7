/**
 * Which analysis is current. Every photo records the pipeline version it was analysed with, and
 * anything older is analysed again (reconcile, identifyPhoto). The code's version only grows; so
 * does the library's generation, bumped when the configured engine differs from the one that
 * analysed the library. The sum is therefore monotone, and switching engines (either way) makes
 * every photo due again. Labels survive that: a re-analysis matches labelled faces to the new
 * detections by overlap and never drops a labelled face (face-writes.ts writeFaces).
 */
import * as z from 'zod';
import { type Db, prepared, writeTransaction } from './db.js';

/** Libraries from before engines were recorded were analysed by the only engine there was. */
const FIRST_ENGINE = 'cascade';

function setting(db: Db, key: string): string | undefined {
  const row: unknown = prepared(db, 'SELECT value FROM settings WHERE key = ?').get(key);
  return row === undefined ? undefined : z.object({ value: z.string() }).parse(row).value;
}

function setSetting(db: Db, key: string, value: string): void {
  prepared(
    db,
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

/**
 * The engine that analysed this library, or undefined when nothing has been analysed yet. A
 * library analysed before engines were recorded was analysed by the only engine there was.
 */
export function libraryEngine(db: Db): string | undefined {
  const recorded = setting(db, 'engine');
  if (recorded !== undefined) return recorded;
  const analysed = prepared(db, 'SELECT EXISTS (SELECT 1 FROM contents) AS any').get();
  return z.object({ any: z.int() }).parse(analysed).any ? FIRST_ENGINE : undefined;
}

export interface PipelineState {
  /** What photos analysed now record; older ones are analysed again. */
  readonly version: number;
  /** The engine that analysed the library before this start, when it differs from the configured one. */
  readonly switchedFrom?: string;
}

/** The current pipeline version for `engine`, recording a switch of engine (one transaction). */
export function currentPipeline(db: Db, codeVersion: number, engine: string): PipelineState {
  return writeTransaction(db, (): PipelineState => {
    // A new library has no previous engine: its first analysis is no switch.
    const previous = libraryEngine(db) ?? engine;
    let generation = Number(setting(db, 'pipeline_generation') ?? '0');
    if (!Number.isSafeInteger(generation) || generation < 0) {
      throw new Error(
        `settings.pipeline_generation is not a count: ${JSON.stringify(setting(db, 'pipeline_generation'))}`,
      );
    }
    const switched = previous !== engine;
    if (switched) generation++;
    setSetting(db, 'engine', engine);
    setSetting(db, 'pipeline_generation', String(generation));
    return { version: codeVersion + generation, ...(switched ? { switchedFrom: previous } : {}) };
  });
}
