/**
 * Parking: an event that is its photo's failure alone (or has run out of attempts) leaves the
 * pending list for `parked`, so it holds back neither the photo's later events nor the plugin.
 * It comes back when the photo changes (a newer event for it supersedes it: events are cues, the
 * newer one carries the current state), when a file it watches changes, or on request.
 */
import { stat } from 'node:fs/promises';
import type { FileStamp, ParkedEvent, PendingEvent, PluginState } from './state.js';

/** Parked events kept per plugin; beyond this the oldest is dropped (and counted in gaveUp). */
export const MAX_PARKED = 1000;

export async function fileStamp(path: string): Promise<FileStamp> {
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
