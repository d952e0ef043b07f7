/**
 * The plugins' part of `facetag status`, from the state file the daemon keeps (another process
 * reads it): per plugin whether it delivers, its counts, and as "last errors" every parked event
 * (path and reason), a disabled plugin and a plugin that could not be loaded.
 */
import { readPluginStatus } from './state.js';

export interface PluginReport {
  readonly plugins: readonly {
    readonly id: string;
    readonly plugin: string;
    readonly state: 'delivering' | 'disabled';
    readonly reason: string | null;
    readonly pending: number;
    readonly parked: number;
    readonly delivered: number;
    readonly failuresInARow: number;
    readonly lastError: string | null;
  }[];
  /** In the shape of status's "last errors" rows; `at` as status formats it. */
  readonly errors: readonly { at: string; path: string; code: string; message: string }[];
}

export async function pluginReport(dataDir: string, when: (ms: number) => string): Promise<PluginReport> {
  const file = await readPluginStatus(dataDir);
  if (!file) return { plugins: [], errors: [] };
  const states = Object.entries(file.plugins);
  return {
    plugins: states.map(([id, s]) => ({
      id,
      plugin: s.plugin,
      state: s.disabled ? 'disabled' : 'delivering',
      reason: s.disabled?.reason ?? null,
      pending: s.pending.length,
      parked: s.parked.length,
      delivered: s.delivered,
      failuresInARow: s.failures,
      lastError: s.lastError,
    })),
    errors: [
      ...file.problems.map((p) => ({
        at: when(p.at),
        path: '-',
        code: `plugin ${p.id}: not loaded`,
        message: p.message,
      })),
      ...states.flatMap(([id, s]) =>
        s.disabled
          ? [{ at: when(s.disabled.at), path: '-', code: `plugin ${id}: disabled`, message: s.disabled.reason }]
          : [],
      ),
      ...states.flatMap(([id, s]) =>
        s.parked.map((e) => ({
          at: when(e.parkedAt),
          path: e.payload.path,
          code: `plugin ${id}: parked after ${e.attempts} attempts`,
          message: e.error ?? '',
        })),
      ),
    ],
  };
}

/** One line per plugin for the text report. */
export function pluginLines(report: PluginReport): string {
  if (report.plugins.length === 0) return '';
  const lines = report.plugins.map(
    (p) =>
      `  ${p.id}: ${p.state === 'disabled' ? `disabled (${p.reason ?? '?'})` : 'delivering'}; ${p.delivered} delivered, ${p.pending} pending, ${p.parked} parked`,
  );
  return `plugins (as the daemon last saved them; parked events are under last errors):\n${lines.join('\n')}\n`;
}
