import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLatencyRecorder } from '../../src/http/latency-histogram.js';
import { formatPrometheus, type MetricsSnapshot, metricFamilies, type StoreMetrics } from '../../src/http/metrics.js';
import { at, take } from '../helpers/items.js';

const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (NaN|[+-]Inf|-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$/;

/** Checks the 0.0.4 text format line by line; returns sample name+labels → value. */
function parse(text: string): Map<string, string> {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const typed = new Map<string, string>();
  const samples = new Map<string, string>();
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, text] = take(meta, 4, 'a HELP or TYPE line');
      if (kind === 'TYPE') {
        assert.match(text, /^(counter|gauge|histogram|summary|untyped)$/);
        assert.ok(!typed.has(name), `one TYPE line per family: ${name}`);
        typed.set(name, text);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const name = at(m, 1, 'a sample line');
    const value = at(m, 3, 'a sample line');
    const family = name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(typed.has(name) || typed.get(family) === 'histogram', `sample before its TYPE: ${line}`);
    assert.ok(!samples.has(name + (m[2] ?? '')), `duplicate series: ${line}`);
    samples.set(name + (m[2] ?? ''), value);
  }
  return samples;
}

const store: StoreMetrics = {
  queue: { total: 7, due: 3, running: 2, backingOff: 1 },
  photos: { pending: 7, done: 100, failed: 2, removed: 5 },
  outboxUndelivered: 9,
};

test('metricFamilies renders valid exposition text with every series', () => {
  const rec = createLatencyRecorder([0.1, 1]);
  for (const s of [0.05, 0.5, 0.7, 3]) rec.observe(s);
  const snapshot: MetricsSnapshot = {
    photos: { analysed: 100, reused: 4, failed: 2, retried: 6 },
    stageSeconds: { analyse: rec.snapshot(), 'decode "heic"': rec.snapshot() },
    sidecarWriteErrors: 0,
    watcher: { roots: [{ mode: 'polling' }], pending: 0 },
  };
  const s = parse(formatPrometheus(metricFamilies(store, snapshot)));
  assert.equal(s.get('facetag_queue_depth'), '7');
  assert.equal(s.get('facetag_queue_jobs{state="backing_off"}'), '1');
  assert.equal(s.get('facetag_photos{status="removed"}'), '5');
  assert.equal(s.get('facetag_photos_retried_total'), '6');
  assert.equal(s.get('facetag_stage_duration_seconds_bucket{stage="analyse",le="0.1"}'), '1');
  assert.equal(s.get('facetag_stage_duration_seconds_bucket{stage="analyse",le="1"}'), '3');
  assert.equal(s.get('facetag_stage_duration_seconds_bucket{stage="analyse",le="+Inf"}'), '4');
  assert.equal(s.get('facetag_stage_duration_seconds_count{stage="analyse"}'), '4');
  assert.equal(s.get('facetag_stage_duration_seconds_sum{stage="analyse"}'), '4.25');
  assert.equal(
    s.get('facetag_stage_duration_seconds_count{stage="decode \\"heic\\""}'),
    '4',
    'label values are escaped',
  );
  assert.equal(s.get('facetag_watcher_roots{mode="watching"}'), '0');
  assert.equal(s.get('facetag_watcher_roots{mode="polling"}'), '1');
  assert.equal(s.get('facetag_outbox_undelivered'), '9');
});

test('formatPrometheus escapes help and label text and writes special values', () => {
  const text = formatPrometheus([
    {
      name: 'x_total',
      help: 'line one\nback\\slash',
      type: 'counter',
      samples: [{ labels: { path: 'a\\b\n"c"' }, value: Number.POSITIVE_INFINITY }],
    },
    { name: 'y', help: 'h', type: 'gauge', samples: [{ value: Number.NaN }, { labels: { k: 'v' }, value: -2.5e-7 }] },
  ]);
  assert.equal(
    text,
    [
      '# HELP x_total line one\\nback\\\\slash',
      '# TYPE x_total counter',
      'x_total{path="a\\\\b\\n\\"c\\""} +Inf',
      '# HELP y h',
      '# TYPE y gauge',
      'y NaN',
      'y{k="v"} -2.5e-7',
      '',
    ].join('\n'),
  );
  parse(text);
  assert.throws(
    () => formatPrometheus([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }]),
    /bad metric name/,
  );
  assert.throws(
    () =>
      formatPrometheus([
        { name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] },
      ]),
    /bad metric label/,
  );
});

test('the latency recorder keeps cumulative buckets and ignores impossible durations', () => {
  const rec = createLatencyRecorder([1, 2]);
  for (const s of [0.5, 1, 1.5, 9, -1, Number.NaN]) rec.observe(s);
  assert.deepEqual(rec.snapshot(), { bounds: [1, 2], cumulativeCounts: [2, 3], count: 4, sum: 12 });
  assert.throws(() => createLatencyRecorder([2, 1]), /ascending/);
});
