import { pluginLines, pluginReport } from '../plugins/status-report.js';
import { readSidecarSummary, type SidecarSummary } from '../sidecar/index.js';
import { personFaceCounts } from '../store/faces.js';
import { failingJobs, queueStats } from '../store/jobs.js';
import { latestModels } from '../store/models.js';
import { counts, recentFailures, statusCounts } from '../store/photos.js';
import { parse } from './args.js';
import { daemonState } from './daemon-state.js';
import { openStoreForCommand } from './open-store.js';
import { formatTable } from './table.js';

export const statusUsage = `facetag status [--data-dir DIR] [--config FILE] [--json]
  Queue depth, processed and failed photos, faces per person, model versions and the last errors.
  Reads the database only; safe while the daemon runs.`;

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    'data-dir': { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
  });
  const { db, dataDir, config } = openStoreForCommand('status', values);
  const daemon = await daemonState(config).catch((err: unknown) => `unknown (${String(err)})`);
  try {
    const now = Date.now();
    const plugins = await pluginReport(dataDir, when);
    const status = {
      dataDir,
      daemon,
      queue: queueStats(db, now),
      photos: { ...statusCounts(db), ...counts(db) },
      persons: personFaceCounts(db),
      models: latestModels(db).map((m) => ({
        person: m.person,
        version: m.version,
        createdAt: when(m.created_at),
        cvScore: m.cv_score,
        cvMetric: m.cv_metric,
      })),
      lastErrors: [
        ...recentFailures(db, 10).map((f) => ({
          at: when(f.updated_at),
          path: f.path,
          code: f.error_code,
          message: f.error_message,
        })),
        // The queue keeps when a job may run next, not when it failed: that goes with the code.
        ...failingJobs(db, 10).map((j) => ({
          at: '-',
          path: j.key,
          code: `attempt ${j.attempts} failed; next try ${when(j.available_at)}`,
          message: j.last_error,
        })),
        ...plugins.errors,
      ],
      plugins: plugins.plugins,
      sidecars: readSidecarSummary(dataDir),
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return 0;
    }
    const q = status.queue;
    const p = status.photos;
    const out = [
      `data dir: ${dataDir}`,
      `daemon:   ${daemon}`,
      `queue:    ${q.total} job(s): ${q.due} due, ${q.running} running, ${q.backingOff} backing off after an error`,
      `photos:   ${p.done} done, ${p.failed} failed, ${p.pending} pending, ${p.removed} removed; ${p.contents} distinct contents`,
      `faces:    ${p.faces} in present photos, ${p.labelled} labelled by you`,
      '',
      status.persons.length
        ? formatTable(
            ['person', 'confirmed', 'suggested'],
            status.persons.map((r) => [r.name, r.confirmed, r.suggested]),
          )
        : 'persons:  none yet\n',
      status.models.length
        ? formatTable(
            ['model', 'version', 'trained', 'cv score'],
            status.models.map((m) => [
              m.person,
              m.version,
              m.createdAt,
              m.cvScore === null ? '-' : `${m.cvScore.toFixed(3)} ${m.cvMetric ?? ''}`,
            ]),
          )
        : 'models:   none yet (label faces, then they are trained automatically)\n',
      status.lastErrors.length
        ? `last errors:\n${status.lastErrors.map((e) => `  ${e.at}  ${e.path}  [${e.code}] ${e.message ?? ''}`).join('\n')}\n`
        : 'last errors: none\n',
      pluginLines(plugins),
      sidecarLines(status.sidecars),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    db.close();
  }
}

const NOTICE_WORDS: Record<keyof SidecarSummary['open'], string> = {
  symlink: 'symlinked',
  read_only: 'read-only',
  shared: 'shared with another photo',
  not_a_file: 'not a file',
  foreign_region: "face under another tool's region",
  name_refused: 'name refused',
};

/** The sidecar writer's notices (files a name is not written to, and why) and what it chose not to do. */
function sidecarLines(s: SidecarSummary): string {
  const open = Object.entries(s.open).filter(([, n]) => n > 0);
  const t = s.totals;
  const done = `${t.unchanged} left untouched (nothing to add), ${t.cleared} cleared of facetag's part, ${t.deleted} deleted (facetag's own, empty)`;
  if (open.length === 0) return `sidecars: no notices; ${done}\n`;
  const counts = open.map(([c, n]) => `${n} ${NOTICE_WORDS[c as keyof SidecarSummary['open']]}`).join(', ');
  const rows = s.notices.map((n) => `  ${when(n.since)}  ${n.path}  [${n.case}] ${n.reason}`);
  return `sidecars: ${counts}; ${done}\n${rows.join('\n')}\n`;
}
