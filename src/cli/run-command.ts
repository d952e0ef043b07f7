import { stat } from 'node:fs/promises';
import { backfill } from '../daemon/backfill.js';
import { errnoCode } from '../files/errno.js';
import { openDatabase } from '../store/db.js';
import { SchemaTooNewError } from '../store/migrations.js';
import { parse, UsageError } from './args.js';
import { detectionContext } from './detection-context.js';
import { createProgress, type Progress } from './progress.js';

export const runUsage = `facetag run [--photos DIR]... [--config FILE] [--data-dir DIR]
  Analyses every photo not yet in the index (one backfill pass), stores faces in <data-dir>/facetag.db, and exits.
  Watching the folders for new photos is not implemented yet: run it again to pick up changes.`;

/** `facetag run`: 0 when the pass completed (even if some photos failed: they are recorded), 1 on fatal errors. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    photos: { type: 'string', multiple: true },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (use --photos DIR)`);
  if (values.photos?.some((p) => p === '')) throw new UsageError('--photos needs a folder');
  if (values['data-dir'] === '') throw new UsageError('--data-dir needs a folder');

  const ctx = detectionContext({ config: values.config });
  try {
    // --photos wins over the config file and FACETAG_PHOTOS (loadConfig already merged those two).
    const photoDirs = values.photos ?? ctx.config.photos;
    const dataDir = values['data-dir'] ?? ctx.config.dataDir;
    if (photoDirs.length === 0) {
      throw new UsageError('no photo folders: give --photos DIR, set "photos" in the config, or FACETAG_PHOTOS');
    }
    for (const dir of photoDirs) {
      const problem = await folderProblem(dir);
      if (problem) return fatal(`photo folder ${dir}: ${problem}`);
    }

    let db: ReturnType<typeof openDatabase>;
    try {
      db = openDatabase(dataDir);
    } catch (err) {
      if (err instanceof SchemaTooNewError) return fatal(err.message);
      if (err instanceof Error && errnoCode(err) !== undefined) {
        // File-system or SQLite errors at open (EACCES, SQLITE_CANTOPEN, SQLITE_NOTADB...).
        return fatal(`cannot open the database in ${dataDir}: ${err.message}`);
      }
      throw err;
    }
    try {
      process.stdout.write('facetag run: one backfill pass (watching for new photos comes in a later version)\n');
      let progress: Progress | undefined;
      const report = await backfill({
        db,
        photoDirs,
        detector: ctx.options,
        onStart: (total) => {
          // Nothing to do: no progress line, the summary says it all.
          if (total > 0) progress = createProgress({ label: 'run', total });
        },
        onPhoto: (file) => progress?.tick(1, file),
      });
      progress?.done(report.failed.length ? `${report.failed.length} failed` : undefined);
      const lines = [
        `analysed: ${report.analysed} photo(s), ${report.faces} face(s) found`,
        `skipped:  ${report.skipped} up to date${report.vanished ? `, ${report.vanished} vanished while scanning` : ''}`,
        `failed:   ${report.failed.length}${report.failed.length ? ' (recorded; retried when the file changes)' : ''}`,
        ...report.failed.map((f) => `  ${f.message} [${f.reason}]`),
        `data dir: ${dataDir}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      db.close();
    }
  } finally {
    await ctx.close();
  }
}

function fatal(message: string): number {
  process.stderr.write(`facetag run: ${message}\n`);
  return 1;
}

async function folderProblem(dir: string): Promise<string | undefined> {
  try {
    return (await stat(dir)).isDirectory() ? undefined : 'not a folder';
  } catch (err) {
    return errnoCode(err) === 'ENOENT' ? 'not found' : String(err);
  }
}
