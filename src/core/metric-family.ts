/** One Prometheus metric family, as /metrics writes it (http/metrics.ts) and plugins report theirs. */

export type Labels = Readonly<Record<string, string>>;
export interface Sample {
  /** Appended to the family name: `_bucket`, `_sum`, `_count` for histograms. */
  readonly suffix?: string;
  readonly labels?: Labels;
  readonly value: number;
}
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly samples: readonly Sample[];
}
