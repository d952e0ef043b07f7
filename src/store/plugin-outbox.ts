/**
 * Outbox reads for the plugin host (src/plugins/host.ts). There is one outbox row per change but
 * several plugins, so each plugin keeps its own cursor (in the data dir, not in this schema) and reads
 * rows in id order, delivered or not: a plugin that was off can catch up on whatever is still kept.
 * A row is marked delivered once every running plugin is past it.
 *
 * Cursors need ids that are never handed out twice. Without AUTOINCREMENT SQLite gives a new row
 * max(id) + 1, so deleting the newest rows would reuse their ids; pruning here always keeps the
 * newest row, so SQLite never reuses an id the plugins' cursors point past.
 */
import * as z from 'zod';
import type { Db } from './db.js';
import { type OutboxEntry, outboxEvent } from './outbox.js';
import { prepared } from './statements.js';

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

/** Delete events delivered before `before`, always keeping the newest row (see the file comment). */
export function pruneDeliveredKeepingNewest(db: Db, before: number): number {
  return prepared(
    db,
    `DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?
       AND id < (SELECT max(id) FROM outbox)`,
  ).run(before).changes;
}
