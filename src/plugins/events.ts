/**
 * What the delivery loop (runner.ts) does to each event, in three parts: the event built from the
 * outbox row and the store; parking, which holds back one photo's failing event; and the call to
 * the plugin, bounded by its deadline.
 *
 * Turns an outbox entry into the event a plugin receives, reading the photo's state from the store
 * now (events are cues; see api.ts). An analysis announced for a file that has since gone, or whose
 * bytes have no analysis, gives no event: the photo.removed or the next photo.analysed that follows
 * it in the same photo's order says what happened.
 */

import { stat } from 'node:fs/promises';
import type { Db } from '../store/db.js';
import { type FaceRow, facesOfPhoto } from '../store/faces.js';
import type { OutboxEvent } from '../store/outbox.js';
import { photoById, photosOfContent } from '../store/photos.js';
import { pixelBox } from '../vision/geometry.js';
import type { PluginEvent, PluginFace } from './api.js';
import type { FileStamp, ParkedEvent, PendingEvent, PluginState } from './state.js';

/** What the host keeps of an outbox row (also what its state file holds for pending rows). */
export type QueuedEvent = OutboxEvent & { readonly id: number; readonly createdAt: number };

export function buildEvent(db: Db, queued: QueuedEvent): PluginEvent | undefined {
  if (queued.kind === 'photo.removed') {
    const { photoId, path, hash } = queued.payload;
    return { kind: 'photo.removed', eventId: queued.id, photoId, path, hash, createdAt: queued.createdAt };
  }
  const photo = photoById(db, queued.payload.photoId);
  if (!photo || photo.status === 'removed') return undefined;
  const { content_id: contentId, hash, width, height } = photo;
  if (contentId === null || hash === null || width === null || height === null) return undefined;
  const orientation = photo.orientation ?? 1;
  const displayed = { width, height };
  const quarterTurn = orientation >= 5 && orientation <= 8;
  const faces: PluginFace[] = [];
  const rows = facesOfPhoto(db, photo.id);
  for (const row of rows) {
    const face = namedFace(row, displayed);
    if (face) faces.push(face);
  }
  return {
    kind: 'photo.tagged',
    eventId: queued.id,
    cause: queued.kind === 'photo.moved' ? 'moved' : (queued.payload.cause ?? 'analysed'),
    photoId: photo.id,
    path: photo.path,
    movedFrom: queued.kind === 'photo.moved' ? queued.payload.from : null,
    copies: photosOfContent(db, contentId)
      .filter((p) => p.status !== 'removed' && p.id !== photo.id)
      .map((p) => p.path),
    hash,
    orientation,
    // contents.width/height are the displayed size; a quarter turn swaps the stored one.
    stored: quarterTurn ? { width: height, height: width } : displayed,
    displayed,
    faces,
    detectedFaces: rows.length,
    createdAt: queued.createdAt,
  };
}

/** A confirmed or auto-named face; rejected, ignored, not-a-face and unnamed faces have no name to send. */
function namedFace(row: FaceRow, displayed: { width: number; height: number }): PluginFace | undefined {
  let name: string | null;
  let source: PluginFace['source'];
  if (row.label_state === 'confirmed') {
    name = row.person;
    source = 'confirmed';
  } else if (row.label_state === 'auto') {
    name = row.predicted_person;
    source = 'auto';
  } else return undefined;
  if (name === null) return undefined;
  const rect = { cx: row.cx, cy: row.cy, width: row.width, height: row.height, angle: row.angle };
  const box = pixelBox(rect, displayed);
  if (!box) return undefined;
  return { faceId: row.id, name, source, value: row.decision_value, rect, box };
}

// ---- Parking ----
/*
 * Parking: an event that is its photo's failure alone (or has run out of attempts) leaves the
 * pending list for `parked`, so it holds back neither the photo's later events nor the plugin.
 * It comes back when the photo changes (a newer event for it supersedes it: events are cues, the
 * newer one carries the current state), when a file it watches changes, or on request.
 */
/** Parked events kept per plugin; beyond this the oldest is dropped (and counted in gaveUp). */
const MAX_PARKED = 1000;

async function fileStamp(path: string): Promise<FileStamp> {
  try {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
  } catch {
    return null; // gone or unreadable: its coming back is a change
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a === null || b === null ? a === b : a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** Moves `item` from pending to parked; returns the entries dropped to stay within MAX_PARKED. */
export async function park(
  state: PluginState,
  item: PendingEvent,
  watch: readonly string[],
  now: number,
): Promise<ParkedEvent[]> {
  const stamps = await Promise.all(watch.map(async (path) => ({ path, stamp: await fileStamp(path) })));
  const i = state.pending.indexOf(item);
  if (i >= 0) state.pending.splice(i, 1);
  state.parked = state.parked.filter((p) => p.id !== item.id);
  state.parked.push({ ...item, parkedAt: now, watch: stamps });
  return state.parked.length > MAX_PARKED ? state.parked.splice(0, state.parked.length - MAX_PARKED) : [];
}

/** Parked events of these photos, taken out: newer events of theirs were read. */
export function supersede(state: PluginState, photoIds: ReadonlySet<number>): ParkedEvent[] {
  const gone = state.parked.filter((p) => photoIds.has(p.payload.photoId));
  if (gone.length > 0) state.parked = state.parked.filter((p) => !photoIds.has(p.payload.photoId));
  return gone;
}

/**
 * Puts parked events back into pending as new (due now, attempts from 0), in outbox order; one
 * whose photo already has a newer pending event is dropped instead (that one says it all).
 */
export function unpark(state: PluginState, which: (p: ParkedEvent) => boolean): ParkedEvent[] {
  const back = state.parked.filter(which);
  if (back.length === 0) return back;
  state.parked = state.parked.filter((p) => !which(p));
  for (const p of back) {
    if (state.pending.some((q) => q.payload.photoId === p.payload.photoId && q.id > p.id)) continue;
    const { parkedAt: _at, watch: _watch, ...event } = p;
    const at = state.pending.findIndex((q) => q.id > p.id);
    state.pending.splice(at < 0 ? state.pending.length : at, 0, { ...event, attempts: 0, nextAt: 0 });
  }
  return back;
}

/** Parked events one of whose watched files changed since it was parked. */
export async function changedWatches(state: PluginState): Promise<Set<number>> {
  const changed = new Set<number>();
  for (const p of state.parked) {
    for (const w of p.watch) {
      if (!sameStamp(w.stamp, await fileStamp(w.path))) {
        changed.add(p.id);
        break;
      }
    }
  }
  return changed;
}

// ---- Calls within a deadline ----
/*
 * One plugin call, bounded in time. The call gets a signal that aborts at the deadline or when
 * `stop` aborts; either way the host stops waiting at that moment, even if the plugin ignores the
 * signal (its promise is left to settle on its own). Only a plugin that blocks the event loop with
 * synchronous work cannot be stopped this way; the README says so.
 */

export type CallOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'deadline'; readonly ms: number }
  | { readonly kind: 'stopped' };

class DeadlineReached extends Error {
  override name = 'DeadlineReached';
}
class Stopped extends Error {
  override name = 'Stopped';
}

export async function callWithDeadline<T>(
  call: (signal: AbortSignal) => Promise<T> | T,
  ms: number,
  stop?: AbortSignal,
): Promise<CallOutcome<T>> {
  if (stop?.aborted) return { kind: 'stopped' };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineReached(`deadline of ${ms} ms reached`)), ms);
  const onStop = () => controller.abort(new Stopped('stopping'));
  stop?.addEventListener('abort', onStop, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    // `then` turns a synchronous throw into a rejection like any other.
    const value = await Promise.race([Promise.resolve().then(() => call(controller.signal)), aborted]);
    return { kind: 'ok', value };
  } catch (error) {
    if (controller.signal.aborted) {
      return controller.signal.reason instanceof Stopped ? { kind: 'stopped' } : { kind: 'deadline', ms };
    }
    return { kind: 'error', error };
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener('abort', onStop);
  }
}
