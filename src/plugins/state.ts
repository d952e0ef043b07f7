/**
 * Per-plugin delivery state, one JSON file in the data dir (`plugins/state.json`), so the schema
 * needs no table for it. Each plugin has a cursor (every outbox id ≤ cursor is handled, in
 * `pending` or in `parked`), its pending events (read but not yet delivered, with their own
 * backoff) and its parked ones (that photo's failure, reported and waiting for a change). The file
 * also carries what `facetag status` shows: failures, the last error, parked events, why a plugin
 * is disabled or could not be loaded. Written atomically; a crash before a write only means redelivery.
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { Logger } from '../core/logger.js';
import { writeFileAtomic } from '../files/atomic.js';
import { errnoCode } from '../files/errno.js';
import { outboxEvent } from '../store/outbox.js';

export const STATE_FILE = join('plugins', 'state.json');

const pendingSchema = z.intersection(
  outboxEvent,
  z.object({
    id: z.int().positive(),
    createdAt: z.int(),
    attempts: z.int().nonnegative(),
    /** Not before this time (epoch ms). */
    nextAt: z.number(),
    error: z.string().nullable(),
  }),
);
export type PendingEvent = z.infer<typeof pendingSchema>;

/** A file's size and times when an event was parked; null: it did not exist. */
const stampSchema = z.object({ size: z.number(), mtimeMs: z.number(), ctimeMs: z.number() }).nullable();
export type FileStamp = z.infer<typeof stampSchema>;

/**
 * An event that cannot be delivered on its own (its photo's failure, or out of attempts): kept
 * here with its reason (`error`) until the photo changes, a watched file changes, or a retry is
 * asked for. Parked events do not hold back the outbox or the plugin.
 */
const parkedSchema = z.intersection(
  pendingSchema,
  z.object({
    parkedAt: z.number(),
    watch: z.array(z.object({ path: z.string(), stamp: stampSchema })),
  }),
);
export type ParkedEvent = z.infer<typeof parkedSchema>;

const pluginStateSchema = z.object({
  /** The plugin's name and where it was loaded from, for status. */
  plugin: z.string(),
  cursor: z.int().nonnegative(),
  pending: z.array(pendingSchema),
  /** Absent in files written before parking existed. */
  parked: z.array(parkedSchema).default([]),
  delivered: z.int().nonnegative(),
  /** Events dropped for good (the parked list was full). */
  gaveUp: z.int().nonnegative(),
  /** Failed calls in a row (retry-later outcomes are not failures). */
  failures: z.int().nonnegative(),
  failingSince: z.number().nullable(),
  lastError: z.string().nullable(),
  lastSuccessAt: z.number().nullable(),
  disabled: z.object({ at: z.number(), reason: z.string() }).nullable(),
});
export type PluginState = z.infer<typeof pluginStateSchema>;

const problemSchema = z.object({ id: z.string(), name: z.string(), message: z.string(), at: z.number() });
export type PluginProblem = z.infer<typeof problemSchema>;

const fileSchema = z.object({
  version: z.literal(1),
  updatedAt: z.number(),
  plugins: z.record(z.string(), pluginStateSchema),
  /** Configured plugins that could not be loaded or started this run. */
  problems: z.array(problemSchema),
});
export type PluginStateFile = z.infer<typeof fileSchema>;

export function freshPluginState(plugin: string, cursor: number): PluginState {
  return {
    plugin,
    cursor,
    pending: [],
    parked: [],
    delivered: 0,
    gaveUp: 0,
    failures: 0,
    failingSince: null,
    lastError: null,
    lastSuccessAt: null,
    disabled: null,
  };
}

/** Reads the state file (none yet: empty). A corrupt file is set aside, not fatal: plugins start over. */
export async function loadPluginState(dataDir: string, log: Logger): Promise<PluginStateFile> {
  const path = join(dataDir, STATE_FILE);
  const empty: PluginStateFile = { version: 1, updatedAt: 0, plugins: {}, problems: [] };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return empty;
    throw err;
  }
  try {
    return fileSchema.parse(JSON.parse(text));
  } catch (err) {
    const aside = `${path}.corrupt-${Date.now()}`;
    await rename(path, aside);
    log.error('plugin state file unreadable; set aside, plugins restart from the undelivered events', {
      path,
      aside,
      err,
    });
    return empty;
  }
}

/** For `facetag status` (another process): the state as last written, or undefined. */
export async function readPluginStatus(dataDir: string): Promise<PluginStateFile | undefined> {
  try {
    return fileSchema.parse(JSON.parse(await readFile(join(dataDir, STATE_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * Serialises writes of one state object: a save asked for while one is running is folded into a
 * single follow-up write, so the file never goes backwards and never falls behind for long.
 */
export class StateWriter {
  #running: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly dataDir: string,
    private readonly state: PluginStateFile,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  save(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      this.state.updatedAt = this.now();
      try {
        await writeFileAtomic(join(this.dataDir, STATE_FILE), `${JSON.stringify(this.state, null, 1)}\n`);
      } catch (err) {
        // Delivery goes on; the cost of a lost write is redelivery after a restart.
        this.log.error('cannot write plugin state', { err });
      }
    } while (this.#again);
  }
}
