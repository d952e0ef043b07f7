/**
 * `/metrics` in the Prometheus text exposition format (version 0.0.4). Pure: the route gathers
 * the store's counts and the daemon's MetricsSnapshot, this turns them into text.
 */
import type { Labels, MetricFamily, Sample } from '../core/metric-family.js';
import type { RootMode } from '../core/service-status.js';
import type { PluginStatus } from '../plugins/host.js';
import { pluginMetricFamilies } from '../plugins/plugin-metrics.js';
import { SIDECAR_CASES, SIDECAR_NOTICE_CASES, type SidecarSummary } from '../sidecar/report.js';

/**
 * A latency histogram as Prometheus wants it: cumulative counts per upper bound.
 * `latency-histogram.ts` records one.
 */
export interface LatencyHistogram {
  /** Upper bounds in seconds, ascending, without +Inf. */
  readonly bounds: readonly number[];
  /** Observations ≤ each bound (cumulative), one per bound. */
  readonly cumulativeCounts: readonly number[];
  /** All observations (the +Inf bucket). */
  readonly count: number;
  /** Sum of all observations, in seconds. */
  readonly sum: number;
}

/**
 * What the daemon knows that the database does not; fed by the daemon at each scrape.
 * Counters count since the process started (Prometheus handles the reset at a restart).
 */
export interface MetricsSnapshot {
  readonly photos: {
    /** Analysed (decoded, detected, stored). */
    readonly analysed: number;
    /** Recognised by content hash and not analysed again (a copy, a move, v1 adoption). */
    readonly reused: number;
    /** Failed permanently (bad file). */
    readonly failed: number;
    /** Passing errors that were scheduled to retry. */
    readonly retried: number;
  };
  /** Seconds per pipeline stage, e.g. `analyse` (one whole job), `decode`, `detect`, `recognise`, `train`. */
  readonly stageSeconds: Readonly<Record<string, LatencyHistogram>>;
  /** Sidecar writes that failed. */
  readonly sidecarWriteErrors: number;
  readonly watcher: {
    /** One entry per photo folder, in its current mode. */
    readonly roots: readonly { readonly mode: RootMode }[];
    /** Files seen changing and not yet announced (settling). */
    readonly pending: number;
  };
  /** The plugins' status (with parked events); absent: no plugin families. */
  readonly plugins?: readonly PluginStatus[];
}

/** The numbers read from the store at scrape time. */
export interface StoreMetrics {
  readonly queue: {
    readonly total: number;
    readonly due: number;
    readonly running: number;
    readonly backingOff: number;
  };
  readonly photos: {
    readonly pending: number;
    readonly done: number;
    readonly failed: number;
    readonly removed: number;
  };
  readonly outboxUndelivered: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and newline; HELP text escapes backslash and newline. */
const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function labelText(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  for (const [k] of entries) if (!LABEL.test(k) || k.startsWith('__')) throw new Error(`bad metric label ${k}`);
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

export function formatPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`bad metric name ${f.name}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${s.suffix ?? ''}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function histogramSamples(h: LatencyHistogram, labels: Labels): Sample[] {
  if (h.bounds.length !== h.cumulativeCounts.length) throw new Error('histogram bounds and counts differ in length');
  return [
    ...h.bounds.map((le, i) => ({
      suffix: '_bucket',
      labels: { ...labels, le: formatValue(le) },
      value: h.cumulativeCounts[i]!,
    })),
    { suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: h.count },
    { suffix: '_sum', labels, value: h.sum },
    { suffix: '_count', labels, value: h.count },
  ];
}

/** Every mode is listed, 0 included, so a dashboard's series do not appear and vanish. */
const ROOT_MODES: readonly RootMode[] = ['starting', 'watching', 'polling', 'closed'];

const gauge = (name: string, help: string, samples: readonly Sample[]): MetricFamily => ({
  name,
  help,
  type: 'gauge',
  samples,
});
const counter = (name: string, help: string, value: number): MetricFamily => ({
  name,
  help,
  type: 'counter',
  samples: [{ value }],
});

/**
 * `sidecars` (the xmp plugin's report, src/sidecar/report.ts) adds the sidecar notices: files a
 * name is not written to now, by case, and how often each case happened.
 */
export function metricFamilies(
  store: StoreMetrics,
  daemon: MetricsSnapshot,
  sidecars?: Pick<SidecarSummary, 'open' | 'totals'>,
): MetricFamily[] {
  const modes = new Map<string, number>(ROOT_MODES.map((m) => [m, 0]));
  for (const r of daemon.watcher.roots) modes.set(r.mode, (modes.get(r.mode) ?? 0) + 1);
  const stages = Object.entries(daemon.stageSeconds).sort(([a], [b]) => a.localeCompare(b));
  return [
    gauge('facetag_queue_depth', 'Jobs in the queue (waiting, backing off or running).', [
      { value: store.queue.total },
    ]),
    gauge('facetag_queue_jobs', 'Jobs in the queue by state.', [
      { labels: { state: 'due' }, value: store.queue.due },
      { labels: { state: 'running' }, value: store.queue.running },
      { labels: { state: 'backing_off' }, value: store.queue.backingOff },
    ]),
    gauge(
      'facetag_photos',
      'Photo files in the index by status.',
      (['pending', 'done', 'failed', 'removed'] as const).map((status) => ({
        labels: { status },
        value: store.photos[status],
      })),
    ),
    counter('facetag_photos_analysed_total', 'Photos analysed since the daemon started.', daemon.photos.analysed),
    counter(
      'facetag_photos_reused_total',
      'Photos matched by content hash, not analysed again, since start.',
      daemon.photos.reused,
    ),
    counter(
      'facetag_photos_failed_total',
      'Photos that failed permanently since the daemon started.',
      daemon.photos.failed,
    ),
    counter(
      'facetag_photos_retried_total',
      'Passing errors scheduled for retry since the daemon started.',
      daemon.photos.retried,
    ),
    {
      name: 'facetag_stage_duration_seconds',
      help: 'Time per pipeline stage.',
      type: 'histogram',
      samples: stages.flatMap(([stage, h]) => histogramSamples(h, { stage })),
    },
    counter(
      'facetag_sidecar_write_errors_total',
      'Sidecar writes that failed since the daemon started.',
      daemon.sidecarWriteErrors,
    ),
    gauge(
      'facetag_watcher_roots',
      'Photo folders by watcher mode.',
      [...modes].map(([mode, value]) => ({ labels: { mode }, value })),
    ),
    gauge('facetag_watcher_pending_files', 'Files seen changing and waiting to settle.', [
      { value: daemon.watcher.pending },
    ]),
    gauge('facetag_outbox_undelivered', 'Outbox events not yet delivered to sidecars and plugins.', [
      { value: store.outboxUndelivered },
    ]),
    ...(daemon.plugins ? pluginMetricFamilies(daemon.plugins) : []),
    ...(sidecars ? sidecarFamilies(sidecars) : []),
  ];
}

function sidecarFamilies(s: Pick<SidecarSummary, 'open' | 'totals'>): MetricFamily[] {
  return [
    gauge(
      'facetag_sidecar_notices',
      'Files a name is not written to now, by case (symlink, read_only, shared, not_a_file, foreign_region, name_refused).',
      SIDECAR_NOTICE_CASES.map((c) => ({ labels: { case: c }, value: s.open[c] })),
    ),
    {
      name: 'facetag_sidecar_cases_total',
      help: 'Sidecar cases met: notices as files met them, and sidecars left untouched, cleared or deleted.',
      type: 'counter',
      samples: SIDECAR_CASES.map((c) => ({ labels: { case: c }, value: s.totals[c] })),
    },
  ];
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
