/**
 * The plugins' part of `/metrics`: whether each runs, its pending and parked events, and each
 * parked event with its path and reason (a few, so a broken gallery cannot flood the scrape).
 */
import type { MetricFamily } from '../core/metric-family.js';
import type { PluginStatus } from './host.js';

/** Parked events listed one by one per plugin; the count covers them all. */
const LISTED = 20;
const REASON_CHARS = 160;

export function pluginMetricFamilies(plugins: readonly PluginStatus[]): MetricFamily[] {
  return [
    {
      name: 'facetag_plugin_up',
      help: 'Plugins: 1 delivering, 0 disabled, failed to load or stopped.',
      type: 'gauge',
      samples: plugins
        .filter((p) => p.state !== 'off')
        .map((p) => ({ labels: { plugin: p.id }, value: p.state === 'running' ? 1 : 0 })),
    },
    {
      name: 'facetag_plugin_events',
      help: "Events per plugin: pending (to deliver) and parked (that photo's failure, waiting for a change or a retry).",
      type: 'gauge',
      samples: plugins.flatMap((p) =>
        p.pending === undefined
          ? []
          : [
              { labels: { plugin: p.id, state: 'pending' }, value: p.pending },
              { labels: { plugin: p.id, state: 'parked' }, value: p.parked?.length ?? 0 },
            ],
      ),
    },
    {
      name: 'facetag_plugin_parked_event',
      help: `A parked event (the first ${LISTED} per plugin): its photo and why.`,
      type: 'gauge',
      samples: plugins.flatMap((p) =>
        (p.parked ?? []).slice(0, LISTED).map((e) => ({
          labels: { plugin: p.id, path: e.path, reason: e.reason.slice(0, REASON_CHARS) },
          value: 1,
        })),
      ),
    },
  ];
}
