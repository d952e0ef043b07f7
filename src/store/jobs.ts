/**
 * The work queue, in SQLite so the backlog survives a crash or kill -9 and never sits in memory
 * (issue 4 item 5; style-anchors habit 9).
 *
 * - One row per (kind, key): enqueueing what is already queued is a no-op, and enqueueing what is
 *   running marks it to run once more afterwards (a file changed while being analysed).
 * - Claiming leases a few jobs (`available_at` becomes the lease expiry). A worker that dies leaves
 *   its jobs to come back when the lease runs out, or at once via `releaseLeases` at startup.
 * - Every outcome checks the lease token (`claims`, which only ever grows), so a worker whose lease
 *   was taken over cannot complete someone else's run: it gets LeaseLostError and its transaction
 *   rolls back.
 * - A run that never reported (lease expired, or released at startup after a crash) counts as a
 *   failed attempt, so a file that kills its worker ends as a permanent failure instead of a loop.
 * - Transient failures back off exponentially; what is permanent is the caller's business (the
 *   photo is marked failed and the job completed, in `analysis.ts`).
 *
 * Every function takes `now` (epoch ms) instead of reading a clock, so tests drive time.
 */
import * as z from 'zod';
import { type Db, prepared, writeTransaction } from './db.js';

export const JOB_KINDS = ['analyse', 'classify'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const jobRow = z.object({
  id: z.int(),
  kind: z.enum(JOB_KINDS),
  key: z.string(),
  available_at: z.int(),
  claimed_at: z.int().nullable(),
  claims: z.int(),
  attempts: z.int(),
  rerun: z.int(),
  last_error: z.string().nullable(),
  created_at: z.int(),
});
export type JobRow = z.infer<typeof jobRow>;

/** A job this worker holds: enough to process it and to prove the lease when reporting back. */
export interface ClaimedJob {
  readonly id: number;
  readonly kind: JobKind;
  readonly key: string;
  /** The lease token: the job's claim count when this worker claimed it. */
  readonly claims: number;
  /** Failed attempts before this one, runs that crashed or were abandoned included. */
  readonly attempts: number;
  readonly leaseUntil: number;
}

/** This worker no longer holds the job (its lease expired and it was claimed again). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly job: ClaimedJob) {
    super(`job ${job.id} (${job.kind} ${job.key}) is no longer leased to this worker`);
  }
}

/**
 * Queue `kind` for `key`, due at `now + delayMs`. Deduplicated, one row per (kind, key):
 * - `changed` (default): the subject changed. A waiting job becomes due at the earlier time with
 *   its backoff forgotten; a running one is marked to run once more when the current run ends.
 * - `ensure`: only make sure a job exists; an existing one, backing off or running, is left alone
 *   (reconcile re-checking a photo that is already pending).
 */
export function enqueueJob(
  db: Db,
  kind: JobKind,
  key: string,
  now: number,
  options: { readonly delayMs?: number; readonly mode?: 'changed' | 'ensure' } = {},
): void {
  const params = { kind, key, due: now + (options.delayMs ?? 0), now };
  if (options.mode === 'ensure') {
    prepared(
      db,
      `INSERT INTO jobs (kind, key, available_at, created_at) VALUES (@kind, @key, @due, @now)
       ON CONFLICT (kind, key) DO NOTHING`,
    ).run(params);
    return;
  }
  prepared(
    db,
    `INSERT INTO jobs (kind, key, available_at, created_at) VALUES (@kind, @key, @due, @now)
     ON CONFLICT (kind, key) DO UPDATE SET
       rerun = CASE WHEN claimed_at IS NULL THEN rerun ELSE 1 END,
       attempts = CASE WHEN claimed_at IS NULL THEN 0 ELSE attempts END,
       available_at = CASE WHEN claimed_at IS NULL THEN min(available_at, excluded.available_at) ELSE available_at END`,
  ).run(params);
}

export interface ClaimOptions {
  /** At most this many jobs (keep it small: claimed jobs are held in memory). */
  readonly limit: number;
  /** How long the worker may hold them before they count as abandoned. */
  readonly leaseMs: number;
  readonly now: number;
  /** Only these kinds (default: all). */
  readonly kinds?: readonly JobKind[];
}

/**
 * Lease up to `limit` due jobs, oldest due first: waiting jobs whose time has come and claimed
 * jobs whose lease has run out. One UPDATE ... RETURNING on the `available_at` index.
 */
export function claimJobs(db: Db, options: ClaimOptions): ClaimedJob[] {
  const { limit, leaseMs, now } = options;
  const kinds = options.kinds ?? JOB_KINDS;
  const leaseUntil = now + leaseMs;
  // Kinds as a JSON array: one cached statement whatever the filter.
  const rows: unknown[] = prepared(
    db,
    `UPDATE jobs SET claimed_at = @now, available_at = @leaseUntil, claims = claims + 1,
       attempts = attempts + (claimed_at IS NOT NULL),
       last_error = CASE WHEN claimed_at IS NULL THEN last_error ELSE 'lease expired without an outcome' END
     WHERE id IN (SELECT id FROM jobs WHERE available_at <= @now AND kind IN (SELECT value FROM json_each(@kinds))
                  ORDER BY available_at, id LIMIT @limit)
     RETURNING *`,
  ).all({ now, leaseUntil, limit, kinds: JSON.stringify(kinds) });
  return z
    .array(jobRow)
    .parse(rows)
    .sort((a, b) => a.id - b.id)
    .map((r) => ({ id: r.id, kind: r.kind, key: r.key, claims: r.claims, attempts: r.attempts, leaseUntil }));
}

/** Throws LeaseLostError unless `job` is still claimed under this worker's token. Use inside transactions. */
export function assertLease(db: Db, job: ClaimedJob): void {
  const row = prepared(db, 'SELECT 1 FROM jobs WHERE id = ? AND claims = ? AND claimed_at IS NOT NULL').get(
    job.id,
    job.claims,
  );
  if (row === undefined) throw new LeaseLostError(job);
}

/**
 * The job is done: its row goes, unless it was enqueued again while running, in which case it
 * waits again, due now. Call inside the transaction that records the job's result.
 */
export function completeJob(db: Db, job: ClaimedJob, now: number): void {
  assertLease(db, job);
  // Delete first: the UPDATE clears `rerun`, which the DELETE tests.
  prepared(db, 'DELETE FROM jobs WHERE id = ? AND rerun = 0').run(job.id);
  prepared(
    db,
    `UPDATE jobs SET claimed_at = NULL, available_at = ?, rerun = 0, attempts = 0, last_error = NULL
     WHERE id = ? AND rerun = 1`,
  ).run(now, job.id);
}

export interface BackoffPolicy {
  /** Delay after the first failure; doubles with each further one. */
  readonly baseMs: number;
  readonly maxMs: number;
}

/** 30 s, 1 min, 2 min … capped at 6 h: a NAS that went away for the night is retried in the morning. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 6 * 3600_000 };

/** Delay before the next try after `attempts` failed attempts (attempts ≥ 1). */
export function backoffDelay(attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * A transient failure: release the job to run again after the backoff. Returns the failed-attempt
 * count and when it is due. A job re-enqueued while running (its subject changed) is due at once.
 */
export function retryJob(
  db: Db,
  job: ClaimedJob,
  error: string,
  now: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): { attempts: number; dueAt: number } {
  return writeTransaction(db, () => {
    assertLease(db, job);
    const attempts = job.attempts + 1;
    const dueAt = now + backoffDelay(attempts, policy);
    prepared(
      db,
      `UPDATE jobs SET claimed_at = NULL, last_error = @error,
         attempts = CASE WHEN rerun = 1 THEN 0 ELSE @attempts END,
         available_at = CASE WHEN rerun = 1 THEN @now ELSE @dueAt END,
         rerun = 0
       WHERE id = @id`,
    ).run({ id: job.id, error, attempts, dueAt, now });
    return { attempts, dueAt };
  });
}

/**
 * At startup of the only writer: every claimed job belongs to a worker that no longer exists, so
 * all leases end now, each counted as a failed attempt. Returns how many jobs came back.
 */
export function releaseLeases(db: Db, now: number): number {
  return prepared(
    db,
    `UPDATE jobs SET claimed_at = NULL, available_at = ?, attempts = attempts + 1,
       last_error = 'interrupted: the process stopped while running it'
     WHERE claimed_at IS NOT NULL`,
  ).run(now).changes;
}

/**
 * Give a claimed job back without counting an attempt, due after `delayMs`: graceful shutdown
 * aborting in-flight work, or a file that changed while it was being analysed.
 */
export function releaseJob(db: Db, job: ClaimedJob, now: number, delayMs = 0): boolean {
  return (
    prepared(
      db,
      'UPDATE jobs SET claimed_at = NULL, available_at = ?, rerun = 0 WHERE id = ? AND claims = ? AND claimed_at IS NOT NULL',
    ).run(now + delayMs, job.id, job.claims).changes === 1
  );
}

/**
 * Look at a claimed job again after `delayMs` without counting a failed attempt: a file that is
 * still being written is not failing. `note` is shown as its last error; a job re-enqueued while
 * running (its subject changed) is due at once.
 */
export function deferJob(db: Db, job: ClaimedJob, note: string, now: number, delayMs: number): void {
  writeTransaction(db, () => {
    assertLease(db, job);
    prepared(
      db,
      `UPDATE jobs SET claimed_at = NULL, last_error = @note,
         available_at = CASE WHEN rerun = 1 THEN @now ELSE @dueAt END, rerun = 0
       WHERE id = @id`,
    ).run({ id: job.id, note, now, dueAt: now + delayMs });
  });
}

/** Drop a waiting (unclaimed) job, e.g. for a file that has gone. */
export function cancelJob(db: Db, kind: JobKind, key: string): boolean {
  return prepared(db, 'DELETE FROM jobs WHERE kind = ? AND key = ? AND claimed_at IS NULL').run(kind, key).changes > 0;
}

const statsRow = z.object({
  total: z.int(),
  due: z.int(),
  running: z.int(),
  backingOff: z.int(),
});
/** Queue depth for `facetag status` and systemd STATUS=. */
export type QueueStats = z.infer<typeof statsRow>;

/**
 * total: every queued job; due: waiting and claimable now; running: leased; backingOff: waiting
 * after a failure. One scan of the jobs table (it holds the backlog only, not history).
 */
export function queueStats(db: Db, now: number): QueueStats {
  return statsRow.parse(
    prepared(
      db,
      `SELECT count(*) AS total,
              coalesce(sum(claimed_at IS NULL AND available_at <= @now), 0) AS due,
              coalesce(sum(claimed_at IS NOT NULL AND available_at > @now), 0) AS running,
              coalesce(sum(claimed_at IS NULL AND attempts > 0 AND available_at > @now), 0) AS backingOff
       FROM jobs`,
    ).get({ now }),
  );
}

/** One job by kind and key (tests and `facetag status`). */
export function jobByKey(db: Db, kind: JobKind, key: string): JobRow | undefined {
  const row: unknown = prepared(db, 'SELECT * FROM jobs WHERE kind = ? AND key = ?').get(kind, key);
  return row === undefined ? undefined : jobRow.parse(row);
}

/** Jobs whose last attempt failed, most recent first (`facetag status`'s "last errors"). */
export function failingJobs(db: Db, limit: number): JobRow[] {
  return z
    .array(jobRow)
    .parse(prepared(db, 'SELECT * FROM jobs WHERE last_error IS NOT NULL ORDER BY id DESC LIMIT ?').all(limit));
}
