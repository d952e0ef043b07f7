/**
 * Events for the sidecar writer and plugins, written in the same transaction as the change they
 * announce (ARCHITECTURE "Data: what is durable"), so no change is stored without its event or
 * announced without being stored. Delivery is at least once: payloads name what changed (photo id,
 * path, content hash) and consumers read the current state from the store, so a repeat is harmless.
 */
import * as z from 'zod';
import { type Db, writeTransaction } from './db.js';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './jobs.js';
import { prepared } from './statements.js';

const photoRef = { photoId: z.int(), path: z.string(), hash: z.string().nullable() };

/** The events and their payloads; one schema, checked when written and when read. */
export const outboxEvent = z.discriminatedUnion('kind', [
  /** The faces or labels of this photo's content changed (analysis, re-classification, a label). */
  z.object({ kind: z.literal('photo.analysed'), payload: z.object(photoRef) }),
  /** The file is gone (its content and labels are kept in the store). */
  z.object({ kind: z.literal('photo.removed'), payload: z.object(photoRef) }),
  /** Same bytes, new path: a sidecar beside the old path may need to follow. */
  z.object({ kind: z.literal('photo.moved'), payload: z.object({ ...photoRef, from: z.string() }) }),
]);
export type OutboxEvent = z.infer<typeof outboxEvent>;

const outboxRow = z.object({
  id: z.int(),
  kind: z.string(),
  payload: z.string(),
  created_at: z.int(),
  delivered_at: z.int().nullable(),
  attempts: z.int(),
  next_attempt_at: z.int(),
  last_error: z.string().nullable(),
});

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

/** Up to `limit` undelivered events that are due, oldest first. Bounded: never the whole backlog. */
export function dueEvents(db: Db, now: number, limit: number): OutboxEntry[] {
  const rows = z
    .array(outboxRow)
    .parse(
      prepared(
        db,
        'SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?',
      ).all(now, limit),
    );
  return rows.map((r) => ({
    ...outboxEvent.parse({ kind: r.kind, payload: JSON.parse(r.payload) }),
    id: r.id,
    createdAt: r.created_at,
    attempts: r.attempts,
  }));
}

export function markDelivered(db: Db, id: number, now: number): void {
  prepared(db, 'UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE id = ?').run(now, id);
}

/** A failed delivery: try again after the same backoff curve as jobs. */
export function markDeliveryFailed(
  db: Db,
  id: number,
  error: string,
  now: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): void {
  writeTransaction(db, () => {
    const row: unknown = prepared(db, 'SELECT attempts FROM outbox WHERE id = ?').get(id);
    if (row === undefined) return;
    const attempts = z.object({ attempts: z.int() }).parse(row).attempts + 1;
    prepared(db, 'UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?').run(
      attempts,
      error,
      now + backoffDelay(attempts, policy),
      id,
    );
  });
}

/** Undelivered events (the outbox depth for `facetag status`). */
export function outboxDepth(db: Db): number {
  return z
    .object({ n: z.int() })
    .parse(prepared(db, 'SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL').get()).n;
}

/** Announce that a content's faces or labels changed: one photo.analysed per file that holds it. */
export function announceContent(db: Db, contentId: number, now: number): void {
  const photos = z.array(z.object({ photoId: z.int(), path: z.string(), hash: z.string().nullable() })).parse(
    prepared(
      db,
      `SELECT p.id AS photoId, p.path, c.hash FROM photos p JOIN contents c ON c.id = p.content_id
       WHERE p.content_id = ? AND p.status <> 'removed' ORDER BY p.id`,
    ).all(contentId),
  );
  for (const payload of photos) addEvent(db, { kind: 'photo.analysed', payload }, now);
}

/** Announce one file (a new copy or a moved-back photo of a known content needs its own sidecar). */
export function announcePhoto(db: Db, photoId: number, now: number): void {
  const row: unknown = prepared(
    db,
    `SELECT p.id AS photoId, p.path, c.hash FROM photos p LEFT JOIN contents c ON c.id = p.content_id
     WHERE p.id = ? AND p.status <> 'removed'`,
  ).get(photoId);
  if (row === undefined) return;
  const payload = z.object({ photoId: z.int(), path: z.string(), hash: z.string().nullable() }).parse(row);
  addEvent(db, { kind: 'photo.analysed', payload }, now);
}
