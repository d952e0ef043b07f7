/**
 * The outbox, both halves: events written (here, first) and read by the plugin host (below).
 *
 * Events for the sidecar writer and plugins, written in the same transaction as the change they
 * announce (ARCHITECTURE "Data: what is durable"), so no change is stored without its event or
 * announced without being stored. Delivery is at least once: payloads name what changed (photo id,
 * path, content hash) and consumers read the current state from the store, so a repeat is harmless.
 */

import * as z from 'zod';
import { type Db, prepared } from './db.js';

const photoRef = { photoId: z.int(), path: z.string(), hash: z.string().nullable() };

/**
 * Why a photo's faces or names changed: a new analysis, a person's label (named, rejected, drawn,
 * undone, a person renamed or merged), or new models naming the same faces. Rows written before
 * causes were recorded have none, and read as `analysed` (what they said then).
 */
const ANNOUNCE_CAUSES = ['analysed', 'labelled', 'reclassified'] as const;
export type AnnounceCause = (typeof ANNOUNCE_CAUSES)[number];

/** The events and their payloads; one schema, checked when written and when read. */
export const outboxEvent = z.discriminatedUnion('kind', [
  /** The faces or labels of this photo's content changed: `cause` says how. */
  z.object({
    kind: z.literal('photo.analysed'),
    payload: z.object({ ...photoRef, cause: z.enum(ANNOUNCE_CAUSES).optional() }),
  }),
  /** The file is gone (its content and labels are kept in the store). */
  z.object({ kind: z.literal('photo.removed'), payload: z.object(photoRef) }),
  /** Same bytes, new path: a sidecar beside the old path may need to follow. */
  z.object({ kind: z.literal('photo.moved'), payload: z.object({ ...photoRef, from: z.string() }) }),
]);
export type OutboxEvent = z.infer<typeof outboxEvent>;

export type OutboxEntry = OutboxEvent & {
  readonly id: number;
  readonly createdAt: number;
  readonly attempts: number;
};

/** Append an event; call inside the transaction that makes the change. */
export function addEvent(db: Db, event: OutboxEvent, now: number): void {
  const { kind, payload } = outboxEvent.parse(event);
  prepared(db, 'INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?)').run(
    kind,
    JSON.stringify(payload),
    now,
    now,
  );
}

/**
 * A failed delivery: counted, with its error, on the row (the plugin runner keeps its own retry
 * time in memory; `eventsAfter` hands the count back after a restart).
 */
export function markDeliveryFailed(db: Db, id: number, error: string): void {
  prepared(db, 'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(error, id);
}

/** Undelivered events (the outbox depth for `facetag status`). */
export function outboxDepth(db: Db): number {
  return z
    .object({ n: z.int() })
    .parse(prepared(db, 'SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL').get()).n;
}

/** Announce that a content's faces or labels changed: one photo.analysed per file that holds it. */
export function announceContent(db: Db, contentId: number, cause: AnnounceCause, now: number): void {
  const photos = z.array(z.object(photoRef)).parse(
    prepared(
      db,
      `SELECT p.id AS photoId, p.path, c.hash FROM photos p JOIN contents c ON c.id = p.content_id
       WHERE p.content_id = ? AND p.status <> 'removed' ORDER BY p.id`,
    ).all(contentId),
  );
  for (const photo of photos) addEvent(db, { kind: 'photo.analysed', payload: { ...photo, cause } }, now);
}

/** Announce one file (a new copy or a moved-back photo of a known content needs its own sidecar). */
export function announcePhoto(db: Db, photoId: number, now: number): void {
  const row: unknown = prepared(
    db,
    `SELECT p.id AS photoId, p.path, c.hash FROM photos p LEFT JOIN contents c ON c.id = p.content_id
     WHERE p.id = ? AND p.status <> 'removed'`,
  ).get(photoId);
  if (row === undefined) return;
  const payload = z.object(photoRef).parse(row);
  addEvent(db, { kind: 'photo.analysed', payload: { ...payload, cause: 'analysed' } }, now);
}

// ---- Reads for the plugin host ----
/*
 * Outbox reads for the plugin host (src/plugins/host.ts). There is one outbox row per change but
 * several plugins, so each plugin keeps its own cursor (in the data dir, not in this schema) and reads
 * rows in id order, delivered or not: a plugin that was off can catch up on whatever is still kept.
 * A row is marked delivered once every running plugin is past it.
 *
 * Cursors need ids that are never handed out twice. Without AUTOINCREMENT SQLite gives a new row
 * max(id) + 1, so deleting the newest rows would reuse their ids; pruning here always keeps the
 * newest row, so SQLite never reuses an id the plugins' cursors point past.
 */
const row = z.object({
  id: z.int(),
  kind: z.string(),
  payload: z.string(),
  created_at: z.int(),
  attempts: z.int(),
});

export interface EventPage {
  readonly events: OutboxEntry[];
  /** Rows this code cannot read (corrupt, or a kind it does not know): reported, not delivered. */
  readonly unreadable: { readonly id: number; readonly error: string }[];
  /** The last row id looked at, readable or not: where the next page starts. */
  readonly lastId: number | undefined;
}

/** Up to `limit` events with an id above `afterId`, in id order, whether delivered or not. */
export function eventsAfter(db: Db, afterId: number, limit: number): EventPage {
  const rows = z
    .array(row)
    .parse(
      prepared(db, 'SELECT id, kind, payload, created_at, attempts FROM outbox WHERE id > ? ORDER BY id LIMIT ?').all(
        afterId,
        limit,
      ),
    );
  const events: OutboxEntry[] = [];
  const unreadable: { id: number; error: string }[] = [];
  for (const r of rows) {
    // One bad row must not stop every plugin behind it.
    let payload: unknown;
    try {
      payload = JSON.parse(r.payload);
    } catch {
      payload = undefined;
    }
    const parsed = outboxEvent.safeParse({ kind: r.kind, payload });
    if (parsed.success) events.push({ ...parsed.data, id: r.id, createdAt: r.created_at, attempts: r.attempts });
    else unreadable.push({ id: r.id, error: `${r.kind}: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
  }
  return { events, unreadable, lastId: rows.length > 0 ? rows[rows.length - 1]!.id : undefined };
}

/** The newest event id, 0 for an empty outbox. */
export function lastEventId(db: Db): number {
  return z.object({ id: z.int().nullable() }).parse(prepared(db, 'SELECT max(id) AS id FROM outbox').get()).id ?? 0;
}

/** The oldest undelivered event id, if any: where a plugin seen for the first time starts. */
export function firstUndeliveredId(db: Db): number | undefined {
  const id = z
    .object({ id: z.int().nullable() })
    .parse(prepared(db, 'SELECT min(id) AS id FROM outbox WHERE delivered_at IS NULL').get()).id;
  return id ?? undefined;
}

/** Every plugin is past the events below `belowId`: mark them delivered. Returns how many changed. */
export function markDeliveredBelow(db: Db, belowId: number, now: number): number {
  return prepared(
    db,
    'UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE delivered_at IS NULL AND id < ?',
  ).run(now, belowId).changes;
}

/** Delete events delivered before `before`, always keeping the newest row (see "Reads for the plugin host" above). */
export function pruneDeliveredKeepingNewest(db: Db, before: number): number {
  return prepared(
    db,
    `DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?
       AND id < (SELECT max(id) FROM outbox)`,
  ).run(before).changes;
}
