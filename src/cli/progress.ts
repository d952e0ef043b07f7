/**
 * Progress for long CLI jobs. On a TTY: one line redrawn in place, at most ~10 times a second.
 * Otherwise (journald, CI logs, pipes): a plain line every ~5 s or every 10 %, and one at the end.
 */

/** The part of a writable stream progress needs; process.stderr satisfies it. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Short name of the job, printed at the start of each line. */
  readonly label: string;
  /** Expected number of items; 0 or less means unknown (no percentage or ETA). */
  readonly total: number;
  readonly stream?: ProgressStream;
  /** Monotonic milliseconds; injected by tests. */
  readonly now?: () => number;
}

export interface Progress {
  /** Count `n` more items done; `note` (e.g. the current file) is shown until the next note. */
  tick(n?: number, note?: string): void;
  /** Finish: prints the final count, elapsed time and rate, plus `summary`. Later calls do nothing. */
  done(summary?: string): void;
}

const TTY_REDRAW_MS = 100;
const PLAIN_INTERVAL_MS = 5000;
const PLAIN_BUCKETS = 10;
const BAR_WIDTH = 20;

export function createProgress({
  label,
  total,
  stream = process.stderr,
  now = () => performance.now(),
}: ProgressOptions): Progress {
  const tty = stream.isTTY === true;
  const start = now();
  let count = 0;
  let note: string | undefined;
  let finished = false;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastPlain = start;
  let lastBucket = 0;
  let drawn = false;

  function stats(at: number): string {
    const elapsedS = Math.max(at - start, 0) / 1000;
    const rate = elapsedS > 0 ? count / elapsedS : 0;
    const parts = [total > 0 ? `${count}/${total}` : `${count}`];
    if (total > 0) parts.push(`${Math.min(100, Math.floor((count / total) * 100))}%`);
    parts.push(`${formatRate(rate)}/s`);
    if (total > 0 && count < total && rate > 0) parts.push(`ETA ${formatDuration((total - count) / rate)}`);
    return parts.join(' ');
  }

  function drawTty(at: number): void {
    const filled = total > 0 ? Math.min(BAR_WIDTH, Math.floor((count / total) * BAR_WIDTH)) : 0;
    const bar = total > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]` : '';
    let line = `${label}${bar} ${stats(at)}${note ? ` ${note}` : ''}`;
    // Stay on one line: a wrapped line cannot be redrawn with \r.
    const width = stream.columns ?? 80;
    if (line.length > width - 1) line = line.slice(0, Math.max(width - 1, 0));
    stream.write(`\r${line}\x1b[K`);
    lastDraw = at;
    drawn = true;
  }

  function printPlain(at: number): void {
    stream.write(`${label}: ${stats(at)}${note ? ` - ${note}` : ''}\n`);
    lastPlain = at;
  }

  return {
    tick(n = 1, tickNote) {
      if (finished) return;
      count += n;
      if (tickNote !== undefined) note = tickNote;
      const at = now();
      if (tty) {
        if (at - lastDraw >= TTY_REDRAW_MS) drawTty(at);
        return;
      }
      const bucket = total > 0 ? Math.floor((count / total) * PLAIN_BUCKETS) : 0;
      // The last bucket (100 %) is left to done(), which prints the final line anyway.
      const newBucket = bucket > lastBucket && count < total;
      if (bucket > lastBucket) lastBucket = bucket;
      if (newBucket || at - lastPlain >= PLAIN_INTERVAL_MS) printPlain(at);
    },
    done(summary) {
      if (finished) return;
      finished = true;
      const at = now();
      const elapsedS = Math.max(at - start, 0) / 1000;
      const rate = elapsedS > 0 ? count / elapsedS : 0;
      const counted = total > 0 ? `${count}/${total}` : `${count}`;
      const line = `${label}: done ${counted} in ${formatDuration(elapsedS)} (${formatRate(rate)}/s)${summary ? ` - ${summary}` : ''}`;
      if (tty && drawn) stream.write('\r\x1b[K');
      stream.write(`${line}\n`);
    },
  };
}

function formatRate(rate: number): string {
  if (rate >= 100) return rate.toFixed(0);
  if (rate >= 10) return rate.toFixed(1);
  return rate.toFixed(2);
}

/** 0.4s, 12s, 3m05s, 1h02m. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
