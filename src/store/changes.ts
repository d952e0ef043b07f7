/**
 * The changes feed (HTTP `GET /api/changes`): the outbox read as a log, for galleries and scripts
 * that poll. The cursor is the outbox row id. Reading never marks anything delivered; delivery
 * state belongs to the plugins.
 *
 * Outbox ids are SQLite rowids (no AUTOINCREMENT) and delivered rows may be pruned, so a cursor
 * can point past the end (the table was emptied and ids started again) or before rows that are
 * gone. Rowids only ever grow while rows remain and are never skipped by a commit, so both cases
 * are detectable: the feed then says `resync` and the reader should re-read current state.
 */
import * as z from 'zod';
import { type Db, prepared } from './db.js';
import { type AnnounceCause, eventsAfter } from './outbox.js';

export interface Change {
  /** Pass as `since` to read what came after this change. */
  readonly cursor: number;
  readonly kind: 'photo.analysed' | 'photo.removed' | 'photo.moved';
  readonly photoId: number;
  readonly path: string;
  readonly hash: string | null;
  /** photo.analysed: what changed its faces or names (see outbox.ts); older rows have none. */
  readonly cause?: AnnounceCause;
  /** photo.moved: the path the photo had before. */
  readonly from?: string;
  /** Epoch ms of the change. */
  readonly at: number;
}

export interface ChangesPage {
  readonly changes: Change[];
  /** The cursor to ask with next time (unchanged when there is nothing new). */
  readonly next: number;
  /** Some changes after `since` are no longer stored: re-read the state, then follow `next`. */
  readonly resync: boolean;
}

const bounds = z.object({ lo: z.int().nullable(), hi: z.int().nullable() });

/** One page of the outbox as changes; read through eventsAfter, the plugins' own page reader. */
export function changesSince(db: Db, since: number, limit: number): ChangesPage {
  return db.transaction((): ChangesPage => {
    const { lo, hi } = bounds.parse(prepared(db, 'SELECT min(id) AS lo, max(id) AS hi FROM outbox').get());
    if (hi === null || since > hi) {
      // Nothing stored after the cursor; a cursor beyond the last id means ids restarted.
      return { changes: [], next: hi ?? 0, resync: since > (hi ?? 0) };
    }
    const page = eventsAfter(db, since, limit);
    const changes = page.events.map((event): Change => {
      const base = {
        cursor: event.id,
        kind: event.kind,
        photoId: event.payload.photoId,
        path: event.payload.path,
        hash: event.payload.hash,
        at: event.createdAt,
      };
      if (event.kind === 'photo.moved') return { ...base, from: event.payload.from };
      if (event.kind === 'photo.analysed' && event.payload.cause) return { ...base, cause: event.payload.cause };
      return base;
    });
    // An unreadable row is skipped here as it is for the plugins; the cursor moves past it.
    return { changes, next: page.lastId ?? since, resync: lo !== null && lo > since + 1 };
  })();
}
