/**
 * The plugin host: loads the configured plugins, runs one delivery loop per plugin (runner.ts),
 * marks outbox rows delivered once every running plugin is past them, prunes old delivered rows,
 * and keeps the state file (state.ts) that `facetag status` reads. A plugin that cannot be loaded,
 * has bad options or fails to start is reported and left out; nothing here stops the daemon.
 *
 * The daemon calls `startPluginHost` before the job runner starts, `wake()` after committing work
 * that adds outbox rows (optional: the loops also poll), and `stop()` at shutdown.
 */
import { join } from 'node:path';
import type { PluginEntry } from '../config/plugins.js';
import { systemTimers, type Timers } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { LabelChanges } from '../labelling/labelling.js';
import type { Db } from '../store/db.js';
import { type BackoffPolicy, DEFAULT_BACKOFF } from '../store/jobs.js';
import { firstUndeliveredId, lastEventId, markDeliveredBelow, pruneDeliveredKeepingNewest } from '../store/outbox.js';
import type { FacetagPlugin, PluginContext, PluginInstance } from './api.js';
import { BUILTIN_PLUGINS } from './builtin/index.js';
import { callWithDeadline } from './events.js';
import { checkInstance, importPlugin, PluginLoadError, parseOptions } from './loader.js';
import { errorOutcome, photoFailedError, retryLaterError } from './outcome.js';
import { type DeliveryPolicy, DeliveryRunner, messageOf } from './runner.js';
import { freshPluginState, loadPluginState, type PluginState, StateWriter } from './state.js';

export interface PluginHostOptions {
  readonly db: Db;
  readonly dataDir: string;
  readonly entries: readonly PluginEntry[];
  readonly log: Logger;
  /** Where relative plugin paths and package names resolve from: the config file's folder. */
  readonly baseDir?: string;
  /** The clock (default: the timers' own). */
  readonly now?: () => number;
  /** Where the delivery loops sleep (default the system's; tests pass a fake clock). */
  readonly timers?: Timers;
  /** Label changes committed in this process; each plugin's loop wakes on them. */
  readonly labelChanges?: Pick<LabelChanges, 'subscribe'>;
  readonly builtins?: ReadonlyMap<string, FacetagPlugin<unknown>>;
  /** Tuning (tests use short times). */
  readonly delivery?: Partial<
    Pick<DeliveryPolicy, 'backoff' | 'idlePollMs' | 'batchSize' | 'maxPending' | 'tripAfter' | 'watchCheckMs'>
  >;
  /** Loading, creating and starting one plugin (default 30 s). */
  readonly loadTimeoutMs?: number;
  /** How long delivered outbox rows are kept for plugins that were off (default 7 days). */
  readonly retentionMs?: number;
  /** Longest wait at stop for the delivery loops, then again for the plugins' own stop (default 3 s each). */
  readonly stopTimeoutMs?: number;
}

export type PluginRunState = 'running' | 'disabled' | 'failed' | 'off' | 'stopped';

export interface PluginStatus {
  readonly id: string;
  readonly name: string;
  readonly state: PluginRunState;
  /** Why it is disabled or failed. */
  readonly reason?: string;
  readonly pending?: number;
  readonly delivered?: number;
  readonly gaveUp?: number;
  readonly failures?: number;
  readonly lastError?: string | null;
  /** Events that are their photo's failure (or out of attempts), waiting for a change or a retry. */
  readonly parked?: readonly ParkedSummary[];
}

export interface ParkedSummary {
  readonly eventId: number;
  readonly photoId: number;
  readonly path: string;
  readonly reason: string;
  readonly attempts: number;
  /** When it was parked (epoch ms). */
  readonly parkedAt: number;
}

export interface PluginHost {
  /** Outbox rows were committed: deliver without waiting for the next poll. */
  wake(): void;
  status(): PluginStatus[];
  /**
   * Retries plugin `id`'s parked events (or only the one with outbox id `eventId`) and enables it
   * again if it was disabled. Undefined when no such plugin is running.
   */
  retry(id: string, eventId?: number): { retried: number; resumed: boolean } | undefined;
  /** Stops delivery (in-flight calls are aborted and redelivered next time), then each plugin. */
  stop(): Promise<void>;
}

/** Plugin backoff: 30 s doubling, capped at 30 min (a gallery back up is noticed within that). */
export const PLUGIN_BACKOFF: BackoffPolicy = { baseMs: DEFAULT_BACKOFF.baseMs, maxMs: 30 * 60_000 };

interface Loaded {
  readonly id: string;
  readonly entry: PluginEntry;
  readonly plugin: FacetagPlugin<unknown>;
  readonly instance: PluginInstance;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function startPluginHost(options: PluginHostOptions): Promise<PluginHost> {
  const { db, dataDir, log } = options;
  const timers = options.timers ?? systemTimers;
  const now = options.now ?? timers.now;
  const file = await loadPluginState(dataDir, log);
  file.problems = [];
  const writer = new StateWriter(dataDir, file, now, log);
  const statuses = new Map<string, PluginStatus>();
  const loaded: Loaded[] = [];

  const report = (id: string, name: string, message: string) => {
    log.error('plugin left out', { plugin: id, error: message });
    file.problems.push({ id, name, message, at: now() });
    statuses.set(id, { id, name, state: 'failed', reason: message });
  };

  for (const entry of options.entries) {
    const fallbackId = entry.id ?? entry.name;
    if (!entry.enabled) {
      statuses.set(fallbackId, { id: fallbackId, name: entry.name, state: 'off' });
      continue;
    }
    const outcome = await callWithDeadline(() => openPlugin(entry, options, loaded), options.loadTimeoutMs ?? 30_000);
    if (outcome.kind === 'ok') loaded.push(outcome.value);
    else report(fallbackId, entry.name, outcome.kind === 'error' ? messageOf(outcome.error) : 'loading took too long');
  }

  const runners = new Map<string, DeliveryRunner>();
  const advance = () => {
    const active = [...runners.values()].filter((r) => r.active);
    if (active.length === 0) return;
    const mark = Math.min(...active.map((r) => r.lowMark()));
    markDeliveredBelow(db, mark, now());
  };
  const onProgress = () => {
    try {
      advance();
    } catch (err) {
      log.error('cannot mark outbox events delivered', { err });
    }
    void writer.save();
  };

  // Each running plugin with its state (the object kept in the state file), for status().
  const running: { p: Loaded; s: PluginState }[] = [];
  for (const p of loaded) {
    const state = pluginState(file.plugins[p.id], p, db, log);
    file.plugins[p.id] = state;
    running.push({ p, s: state });
    const runner = new DeliveryRunner({
      id: p.id,
      db,
      instance: p.instance,
      state,
      policy: deliveryPolicy(p.entry, options),
      log: log.child({ plugin: p.id }),
      now,
      timers,
      classify: errorOutcome,
      onProgress,
      ...(options.labelChanges ? { labelChanges: options.labelChanges } : {}),
    });
    runners.set(p.id, runner);
    runner.start();
    log.info('plugin started', {
      plugin: p.id,
      name: p.plugin.name,
      cursor: state.cursor,
      pending: state.pending.length,
    });
  }
  await writer.save();

  const retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
  const prune = () => {
    try {
      const n = pruneDeliveredKeepingNewest(db, now() - retentionMs);
      if (n > 0) log.info('pruned delivered outbox events', { events: n });
    } catch (err) {
      log.error('cannot prune the outbox', { err });
    }
  };
  prune();
  const pruneTimer = setInterval(prune, 3600_000);
  pruneTimer.unref();
  let stopped = false;

  return {
    wake() {
      for (const r of runners.values()) r.wake();
    },
    status() {
      const out: PluginStatus[] = [...statuses.values()];
      for (const { p, s } of running) {
        const state: PluginRunState = s.disabled ? 'disabled' : stopped ? 'stopped' : 'running';
        out.push({
          id: p.id,
          name: p.plugin.name,
          state,
          ...(s.disabled ? { reason: s.disabled.reason } : {}),
          pending: s.pending.length,
          delivered: s.delivered,
          gaveUp: s.gaveUp,
          failures: s.failures,
          lastError: s.lastError,
          parked: s.parked.map((e) => ({
            eventId: e.id,
            photoId: e.payload.photoId,
            path: e.payload.path,
            reason: e.error ?? '',
            attempts: e.attempts,
            parkedAt: e.parkedAt,
          })),
        });
      }
      return out;
    },
    retry(id, eventId) {
      return stopped ? undefined : runners.get(id)?.retry(eventId);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(pruneTimer);
      const bound = options.stopTimeoutMs ?? 3000;
      await Promise.all(
        [...runners.entries()].map(async ([id, r]) => {
          if ((await callWithDeadline(() => r.stop(), bound)).kind !== 'ok') {
            log.warn('plugin delivery did not stop in time', { plugin: id });
          }
        }),
      );
      await Promise.all(loaded.map((p) => stopPlugin(p, Math.min(bound, p.entry.deadlineSeconds * 1000), log)));
      await writer.save();
    },
  };
}

/** Load, check, create and start one configured plugin; throws PluginLoadError with the reason. */
async function openPlugin(entry: PluginEntry, options: PluginHostOptions, taken: readonly Loaded[]): Promise<Loaded> {
  const plugin =
    (options.builtins ?? BUILTIN_PLUGINS).get(entry.name) ??
    (await importPlugin(entry.name, options.baseDir ?? process.cwd()));
  const id = entry.id ?? plugin.name;
  if (!SAFE_ID.test(id)) {
    throw new PluginLoadError(`plugin name "${id}" cannot name its state; give the config entry an "id"`);
  }
  if (taken.some((p) => p.id === id)) {
    throw new PluginLoadError(`another plugin is already called "${id}"; give this entry a distinct "id"`);
  }
  const opts = parseOptions(plugin, id, entry.options);
  const deadlineMs = entry.deadlineSeconds * 1000;
  const ctx: PluginContext = {
    id,
    log: options.log.child({ plugin: id }),
    deadlineMs,
    stateDir: join(options.dataDir, 'plugins', id),
    retryLater: retryLaterError,
    photoFailed: photoFailedError,
  };
  const instance = checkInstance(await plugin.create(opts, ctx), id);
  if (instance.start) {
    const start = instance.start.bind(instance);
    const outcome = await callWithDeadline((signal) => start(signal), deadlineMs);
    if (outcome.kind === 'error') throw new PluginLoadError(`plugin ${id}: start failed: ${messageOf(outcome.error)}`);
    if (outcome.kind !== 'ok') throw new PluginLoadError(`plugin ${id}: start took longer than ${deadlineMs} ms`);
  }
  return { id, entry, plugin, instance };
}

/** The stored state, or a fresh one starting at the oldest undelivered event. */
function pluginState(stored: PluginState | undefined, p: Loaded, db: Db, log: Logger): PluginState {
  const start = () => {
    const first = firstUndeliveredId(db);
    return first === undefined ? lastEventId(db) : first - 1;
  };
  if (!stored) return freshPluginState(p.plugin.name, start());
  const state = { ...stored, plugin: p.plugin.name };
  if (state.disabled) {
    log.warn('plugin was disabled in an earlier run; trying it again', { plugin: p.id, reason: state.disabled.reason });
  }
  // A start begins with a clean slate: a failure streak of the last run (perhaps counted by an
  // older facetag against one bad photo) must not keep the plugin tripped; a gallery still down
  // trips it again within a few probes.
  state.disabled = null;
  state.failures = 0;
  state.failingSince = null;
  if (state.cursor > lastEventId(db)) {
    // Ids never go backwards unless the database was replaced (a restore, a new data dir).
    log.warn('plugin cursor is past the newest outbox event; starting from the undelivered events', {
      plugin: p.id,
      cursor: state.cursor,
    });
    state.cursor = start();
  }
  return state;
}

function deliveryPolicy(entry: PluginEntry, options: PluginHostOptions): DeliveryPolicy {
  const d = options.delivery ?? {};
  return {
    deadlineMs: entry.deadlineSeconds * 1000,
    concurrency: entry.concurrency,
    batchSize: d.batchSize ?? 50,
    maxPending: d.maxPending ?? 200,
    tripAfter: d.tripAfter ?? 3,
    backoff: d.backoff ?? PLUGIN_BACKOFF,
    disableAfterFailures: entry.disableAfterFailures,
    disableAfterMs: entry.disableAfterMinutes * 60_000,
    giveUpAfterAttempts: entry.giveUpAfterAttempts,
    parkAfterAttempts: entry.parkAfterAttempts,
    watchCheckMs: d.watchCheckMs ?? 60_000,
    idlePollMs: d.idlePollMs ?? 2000,
  };
}

async function stopPlugin(p: Loaded, ms: number, log: Logger): Promise<void> {
  const stop = p.instance.stop?.bind(p.instance);
  if (!stop) return;
  const outcome = await callWithDeadline((signal) => stop(signal), ms);
  if (outcome.kind === 'error') log.warn('plugin stop failed', { plugin: p.id, error: messageOf(outcome.error) });
  else if (outcome.kind === 'deadline') log.warn('plugin stop took too long', { plugin: p.id });
}
