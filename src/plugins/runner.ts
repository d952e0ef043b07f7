/**
 * Delivers the outbox to one plugin, on its own async loop: nothing here is awaited by analysis,
 * and one plugin's slowness never holds up another's. Each step reads the next outbox rows after the
 * plugin's cursor into its pending list, then delivers, per photo, the oldest pending event whose
 * backoff is over (photos in parallel up to `concurrency`, one photo's events strictly in order).
 *
 * A failed event is retried with exponential backoff (its own, and recorded on the outbox row with
 * markDeliveryFailed). After `tripAfter` failures in a row no new rows are read: the pending retries
 * are the only probes, so an unreachable gallery costs a request per backoff step, not one per
 * photo. The plugin is disabled (and reported) once it has failed `disableAfterFailures` times in a
 * row over at least `disableAfterMs`; an event that fails `giveUpAfterAttempts` times is dropped
 * with an error line, so one poisoned photo cannot hold the others back forever.
 */
import type { Logger } from '../daemon/logger.js';
import type { Db } from '../store/db.js';
import { type BackoffPolicy, backoffDelay } from '../store/jobs.js';
import { markDeliveryFailed } from '../store/outbox.js';
import { eventsAfter } from '../store/plugin-outbox.js';
import type { PluginEvent, PluginInstance } from './api.js';
import { callWithDeadline } from './deadline.js';
import { buildEvent } from './events.js';
import type { PendingEvent, PluginState } from './state.js';

export interface DeliveryPolicy {
  readonly deadlineMs: number;
  /** Photos delivered at once. */
  readonly concurrency: number;
  /** Outbox rows read per step. */
  readonly batchSize: number;
  /** No more rows are read while this many events wait. */
  readonly maxPending: number;
  /** Failures in a row after which only pending retries are tried. */
  readonly tripAfter: number;
  readonly backoff: BackoffPolicy;
  readonly disableAfterFailures: number;
  readonly disableAfterMs: number;
  readonly giveUpAfterAttempts: number;
  /** Longest sleep when idle; wake() cuts it short. */
  readonly idlePollMs: number;
}

export interface RunnerDeps {
  readonly id: string;
  readonly db: Db;
  readonly instance: PluginInstance;
  /** Mutated in place; the host persists it. */
  readonly state: PluginState;
  readonly policy: DeliveryPolicy;
  readonly log: Logger;
  readonly now: () => number;
  readonly isRetryLater: (err: unknown) => boolean;
  /** After a step that changed the state: persist it, advance the outbox. */
  readonly onProgress: () => void;
}

export class DeliveryRunner {
  readonly #deps: RunnerDeps;
  readonly #stop = new AbortController();
  #done: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(deps: RunnerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#done = this.#loop();
  }

  /** New outbox rows were committed. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Delivering (not disabled, not stopped). */
  get active(): boolean {
    return !this.#deps.state.disabled && !this.#stop.signal.aborted;
  }

  /** Every outbox id below this is handled by this plugin. */
  lowMark(): number {
    const { pending, cursor } = this.#deps.state;
    return pending.length > 0 ? Math.min(pending[0].id, cursor + 1) : cursor + 1;
  }

  /** Aborts calls in flight (their events stay pending) and resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#done;
  }

  async #loop(): Promise<void> {
    const { log, policy, state } = this.#deps;
    while (!this.#stop.signal.aborted && !state.disabled) {
      let waitMs: number;
      try {
        waitMs = await this.#step();
      } catch (err) {
        // A store error or a bug: log it and try again later; the daemon goes on.
        log.error('plugin delivery step failed', { err });
        waitMs = policy.idlePollMs;
      }
      if (waitMs > 0) await this.#sleep(Math.min(waitMs, policy.idlePollMs));
    }
  }

  /** One round; returns how long nothing is due (0: go again at once). */
  async #step(): Promise<number> {
    const { state, policy, now } = this.#deps;
    const read = this.#readNew();
    const heads = new Map<number, PendingEvent>();
    for (const p of state.pending) if (!heads.has(p.payload.photoId)) heads.set(p.payload.photoId, p);
    const t = now();
    const ready = [...heads.values()].filter((p) => p.nextAt <= t).map((p) => p.payload.photoId);
    if (ready.length === 0) {
      if (read) this.#deps.onProgress();
      let next = Number.POSITIVE_INFINITY;
      for (const p of heads.values()) next = Math.min(next, p.nextAt);
      return next - t;
    }
    await forEachLimited(ready, policy.concurrency, (photoId) => this.#drainPhoto(photoId));
    this.#deps.onProgress();
    return 0;
  }

  #readNew(): boolean {
    const { db, state, policy } = this.#deps;
    const room = Math.min(policy.batchSize, policy.maxPending - state.pending.length);
    if (room <= 0 || state.failures >= policy.tripAfter) return false;
    const page = eventsAfter(db, state.cursor, room);
    for (const row of page.events) state.pending.push({ ...row, attempts: 0, nextAt: 0, error: null });
    for (const bad of page.unreadable) this.#deps.log.error('unreadable outbox event skipped', bad);
    if (page.lastId !== undefined) state.cursor = page.lastId;
    return page.lastId !== undefined;
  }

  /** This photo's due events, oldest first, until one fails or is not due. */
  async #drainPhoto(photoId: number): Promise<void> {
    const { state, now } = this.#deps;
    while (this.active) {
      const item = state.pending.find((p) => p.payload.photoId === photoId);
      if (!item || item.nextAt > now()) return;
      if (!(await this.#deliver(item))) return;
    }
  }

  /** True when the event is finished with (delivered, skipped or given up). */
  async #deliver(item: PendingEvent): Promise<boolean> {
    const { db, instance, policy } = this.#deps;
    let event: PluginEvent | undefined;
    try {
      event = buildEvent(db, item);
    } catch (err) {
      return this.#failed(item, messageOf(err), false);
    }
    if (!event) return this.#succeeded(item);
    const ev = event;
    const outcome = await callWithDeadline(
      (signal) => (ev.kind === 'photo.removed' ? instance.photoRemoved(ev, signal) : instance.photoTagged(ev, signal)),
      policy.deadlineMs,
      this.#stop.signal,
    );
    switch (outcome.kind) {
      case 'ok':
        return this.#succeeded(item);
      case 'stopped':
        return false; // left pending: delivered again after the restart
      case 'deadline':
        return this.#failed(item, `no answer within the deadline (${outcome.ms} ms)`, false);
      case 'error':
        return this.#failed(item, messageOf(outcome.error), this.#deps.isRetryLater(outcome.error));
    }
  }

  #succeeded(item: PendingEvent): true {
    const { state, now } = this.#deps;
    remove(state.pending, item);
    state.delivered++;
    state.failures = 0;
    state.failingSince = null;
    state.lastSuccessAt = now();
    return true;
  }

  #failed(item: PendingEvent, message: string, later: boolean): boolean {
    const { id, db, state, policy, log, now } = this.#deps;
    const t = now();
    item.attempts++;
    item.error = message;
    item.nextAt = t + backoffDelay(item.attempts, policy.backoff);
    const fields = { eventId: item.id, kind: item.kind, path: item.payload.path, attempts: item.attempts };
    markDeliveryFailed(db, item.id, `${id}: ${message}`, t, policy.backoff);
    if (later) {
      log.info('event deferred', { ...fields, reason: message, retryInMs: item.nextAt - t });
    } else {
      state.failures++;
      state.failingSince ??= t;
      state.lastError = message;
      log.warn('event delivery failed', { ...fields, error: message, retryInMs: item.nextAt - t });
    }
    let finished = false;
    if (item.attempts >= policy.giveUpAfterAttempts) {
      remove(state.pending, item);
      state.gaveUp++;
      log.error('gave up on an event', { ...fields, lastError: message });
      finished = true;
    }
    if (!later) this.#maybeDisable(t);
    return finished;
  }

  #maybeDisable(t: number): void {
    const { state, policy, log } = this.#deps;
    if (state.disabled || state.failingSince === null) return;
    if (state.failures < policy.disableAfterFailures || t - state.failingSince < policy.disableAfterMs) return;
    const minutes = Math.round((t - state.failingSince) / 60_000);
    const reason = `${state.failures} failures in a row over ${minutes} min; last: ${state.lastError ?? '?'}`;
    state.disabled = { at: t, reason };
    log.error('plugin disabled after repeated failures; restart facetag to try it again', { reason });
    this.#wake?.();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken || this.#stop.signal.aborted) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // unref: an idle delivery loop alone must not keep a finished process alive.
      const timer = setTimeout(() => done(), ms);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        this.#woken = false;
        resolve();
      };
      this.#wake = done;
    });
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
