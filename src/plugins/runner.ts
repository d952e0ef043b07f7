/**
 * Delivers the outbox to one plugin, on its own async loop: nothing here is awaited by analysis,
 * and one plugin's slowness never holds up another's. Each step reads the next outbox rows after the
 * plugin's cursor into its pending list, then delivers, per photo, the oldest pending event whose
 * backoff is over (photos in parallel up to `concurrency`, one photo's events strictly in order).
 *
 * A failed event is retried with exponential backoff (its own, and recorded on the outbox row with
 * markDeliveryFailed). What the error means decides the rest (outcome.ts):
 * - the plugin's own failure (its gallery is down): after `tripAfter` in a row no new rows are read
 *   (the pending retries are the probes, so an unreachable gallery costs a request per backoff
 *   step, not one per photo), and after `disableAfterFailures` in a row over `disableAfterMs` the
 *   plugin is disabled for the run;
 * - the photo's failure (a sidecar that does not parse): after `parkAfterAttempts` the event is
 *   parked (events.ts), reported, and retried when the photo or a watched file changes or on
 *   request. It never trips the plugin; it shows the plugin works, so it ends a failure streak;
 * - retry later: backoff only; a Retry-After holds every delivery of the plugin until then.
 * Any event still undelivered after `giveUpAfterAttempts` is parked too, so one poisoned photo
 * cannot hold the others back, and nothing is dropped without a word.
 */
import type { Timers } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { LabelChanges } from '../labelling/labelling.js';
import type { Db } from '../store/db.js';
import { type BackoffPolicy, backoffDelay } from '../store/jobs.js';
import { eventsAfter, markDeliveryFailed } from '../store/outbox.js';
import type { PluginEvent, PluginInstance } from './api.js';
import { buildEvent, callWithDeadline, changedWatches, park, supersede, unpark } from './events.js';
import type { ErrorOutcome } from './outcome.js';
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
  /** Failures of the photo alone after which its event is parked. */
  readonly parkAfterAttempts: number;
  /** How often the files parked events watch are looked at. */
  readonly watchCheckMs: number;
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
  /** Where the loop sleeps between rounds (tests drive it with a fake clock). */
  readonly timers: Pick<Timers, 'after'>;
  readonly classify: (err: unknown) => ErrorOutcome;
  /** After a step that changed the state: persist it, advance the outbox. */
  readonly onProgress: () => void;
  /** A person's labels, once committed: the loop wakes to deliver them without waiting for its poll. */
  readonly labelChanges?: Pick<LabelChanges, 'subscribe'>;
}

export class DeliveryRunner {
  readonly #deps: RunnerDeps;
  readonly #stop = new AbortController();
  #done: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;
  #woken = false;
  /** Nothing is delivered before this (a gallery's Retry-After). In memory: a restart may ask again. */
  #holdUntil = 0;
  #nextWatchCheck = 0;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: RunnerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#unsubscribe = this.#deps.labelChanges?.subscribe(() => this.wake());
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
    return pending.length > 0 ? Math.min(pending[0]!.id, cursor + 1) : cursor + 1;
  }

  /**
   * Parked events (all, or the one with outbox id `eventId`) go back to pending, due now; a disabled
   * plugin is enabled again. Returns how many events were put back.
   */
  retry(eventId?: number): { retried: number; resumed: boolean } {
    const { state, log } = this.#deps;
    const back = unpark(state, (p) => eventId === undefined || p.id === eventId);
    for (const p of back) log.info('parked event retried on request', { eventId: p.id, path: p.payload.path });
    const resumed = state.disabled !== null && !this.#stop.signal.aborted;
    if (resumed) {
      log.info('plugin enabled again on request', { reason: state.disabled?.reason });
      state.disabled = null;
      state.failures = 0;
      state.failingSince = null;
      this.#done = this.#done.then(() => this.#loop()); // its loop ended when it was disabled
    }
    this.#holdUntil = 0;
    this.wake();
    this.#deps.onProgress();
    return { retried: back.length, resumed };
  }

  /** Aborts calls in flight (their events stay pending) and resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
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
    let read = this.#readNew();
    if (state.parked.length > 0 && now() >= this.#nextWatchCheck) {
      this.#nextWatchCheck = now() + policy.watchCheckMs;
      const changed = await changedWatches(state);
      for (const p of unpark(state, (x) => changed.has(x.id))) {
        this.#deps.log.info('parked event retried: a file it waits on changed', {
          eventId: p.id,
          path: p.payload.path,
        });
        read = true;
      }
    }
    if (now() < this.#holdUntil) {
      if (read) this.#deps.onProgress();
      return this.#holdUntil - now();
    }
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
    let room = Math.min(policy.batchSize, policy.maxPending - state.pending.length);
    // Tripped: the pending retries are the probes; with none left, one new event is the probe.
    if (state.failures >= policy.tripAfter) room = state.pending.length === 0 ? 1 : 0;
    if (room <= 0) return false;
    const page = eventsAfter(db, state.cursor, room);
    for (const row of page.events) state.pending.push({ ...row, attempts: 0, nextAt: 0, error: null });
    const photos = new Set(page.events.map((e) => e.payload.photoId));
    for (const p of supersede(state, photos)) {
      this.#deps.log.info('parked event superseded by a newer one of its photo', {
        eventId: p.id,
        path: p.payload.path,
      });
    }
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
      return this.#failed(item, messageOf(err), { kind: 'failure' });
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
        return this.#failed(item, `no answer within the deadline (${outcome.ms} ms)`, { kind: 'failure' });
      case 'error':
        return this.#failed(item, messageOf(outcome.error), this.#deps.classify(outcome.error));
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

  async #failed(item: PendingEvent, message: string, outcome: ErrorOutcome): Promise<boolean> {
    const { id, db, state, policy, log, now } = this.#deps;
    const t = now();
    item.attempts++;
    item.error = message;
    const wait =
      outcome.kind === 'later' && outcome.retryAfterMs !== undefined
        ? outcome.retryAfterMs
        : backoffDelay(item.attempts, policy.backoff);
    item.nextAt = t + wait;
    const fields = { eventId: item.id, kind: item.kind, path: item.payload.path, attempts: item.attempts };
    markDeliveryFailed(db, item.id, `${id}: ${message}`);
    if (outcome.kind === 'later') {
      if (outcome.retryAfterMs !== undefined) this.#holdUntil = Math.max(this.#holdUntil, item.nextAt);
      log.info('event deferred', { ...fields, reason: message, retryInMs: wait });
    } else if (outcome.kind === 'photo') {
      // The plugin answered for this photo: it works, so a failure streak ends here.
      state.failures = 0;
      state.failingSince = null;
      log.warn('event failed for this photo only', { ...fields, error: message, retryInMs: wait });
    } else {
      state.failures++;
      state.failingSince ??= t;
      state.lastError = message;
      log.warn('event delivery failed', { ...fields, error: message, retryInMs: wait });
    }
    const parkNow =
      (outcome.kind === 'photo' && item.attempts >= policy.parkAfterAttempts) ||
      item.attempts >= policy.giveUpAfterAttempts;
    const newer = state.pending.some((q) => q.payload.photoId === item.payload.photoId && q.id > item.id);
    if (parkNow && newer) {
      // A newer event of the photo carries its current state (events are cues): it goes on in this one's place.
      remove(state.pending, item);
      log.info('event superseded by a newer one of its photo', { ...fields, reason: message });
    } else if (parkNow) {
      const dropped = await park(state, item, outcome.kind === 'photo' ? outcome.watch : [], t);
      log.error('event parked: retried when the photo or its file changes, or on request', {
        ...fields,
        reason: message,
      });
      for (const d of dropped) {
        state.gaveUp++;
        log.error('parked event dropped: too many parked', { eventId: d.id, path: d.payload.path, reason: d.error });
      }
    }
    if (outcome.kind === 'failure') this.#maybeDisable(t);
    return parkNow;
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
      // Not kept alive: an idle delivery loop alone must not keep a finished process running.
      const cancel = this.#deps.timers.after(ms, () => done());
      const done = () => {
        cancel();
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
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
