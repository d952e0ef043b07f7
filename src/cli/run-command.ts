import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { runDaemon } from '../daemon/daemon.js';
import { keptEngineAdvice, StoreOpenError } from '../daemon/library.js';
import { runOnce } from '../daemon/once.js';
import { errnoCode } from '../files/errno.js';
import { DataDirLockedError } from '../store/daemon-lock.js';
import { SchemaTooNewError } from '../store/migrations.js';
import { parse, UsageError } from './args.js';
import { loadCommandConfig } from './data-dir.js';
import { sayUpgrade } from './open-store.js';
import { createProgress, type Progress } from './progress.js';

export const runUsage = `facetag run [--photos DIR]... [--config FILE] [--data-dir DIR] [--once]
  The daemon: analyses every photo not yet in <data-dir>/facetag.db, then watches the folders and
  names new faces as photos arrive; logs JSON lines; stops on SIGTERM. With --once: one backfill
  pass with a progress bar and a summary, then exit.`;

/** Another daemon holds the data folder (EX_CANTCREAT); the unit's RestartPreventExitStatus lists it. */
export const EXIT_LOCKED = 73;

/** `facetag run`: 0 when the pass completed (even if some photos failed: they are recorded), 1 on fatal errors. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    photos: { type: 'string', multiple: true },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    once: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (use --photos DIR)`);
  if (values.photos?.some((p) => p === '')) throw new UsageError('--photos needs a folder');

  // --data-dir, FACETAG_DATA_DIR, the config's dataDir, the default: in that order.
  const loaded = loadCommandConfig(values);
  // --photos wins over the config file and FACETAG_PHOTOS (loadConfig already merged those two).
  const photoDirs = values.photos ?? loaded.photos;
  const dataDir = loaded.dataDir;
  if (photoDirs.length === 0) {
    throw new UsageError('no photo folders: give --photos DIR, set "photos" in the config, or FACETAG_PHOTOS');
  }
  // The daemon runs with the folders it has: a NAS share that mounts late is watched for (the
  // watcher polls a missing folder and rescans it once it appears), not a restart loop. A one-off
  // pass, or a path that is a file, is an error.
  const missing: string[] = [];
  for (const dir of photoDirs) {
    const problem = await folderProblem(dir);
    if (problem === 'not found' && !values.once) missing.push(dir);
    else if (problem) return fatal(`photo folder ${dir}: ${problem}`);
  }

  const configDir = values.config ? dirname(resolve(values.config)) : undefined;
  try {
    if (!values.once) {
      return await runDaemon({
        config: loaded,
        photoDirs,
        missingDirs: missing,
        onUpgrade: sayUpgrade('run', dataDir),
        ...(configDir ? { configDir } : {}),
      });
    }
    return await once(loaded, photoDirs);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      process.stderr.write(`facetag run: ${err.message}\n`);
      return EXIT_LOCKED;
    }
    if (err instanceof SchemaTooNewError || err instanceof StoreOpenError) return fatal(err.message);
    throw err;
  }
}

/** One backfill pass with a progress bar, then a summary. */
async function once(config: Config, photoDirs: readonly string[]): Promise<number> {
  let progress: Progress | undefined;
  const report = await runOnce({
    config,
    photoDirs,
    onUpgrade: sayUpgrade('run', config.dataDir),
    onPlan: ({ keptEngine, switchedFrom, engine }) => {
      // Once the library is ours: a refusal (another daemon, a newer schema) prints only itself.
      process.stdout.write('facetag run --once: one backfill pass\n');
      if (keptEngine) process.stdout.write(`${keptEngineAdvice(keptEngine)}\n`);
      if (switchedFrom) {
        process.stdout.write(
          `engine changed from ${switchedFrom} to ${engine}: every photo is analysed again; labels are kept\n`,
        );
      }
    },
    onStart: (total) => {
      // Nothing to do: no progress line, the summary says it all.
      if (total > 0) progress = createProgress({ label: 'run', total });
    },
    onPhoto: (file) => progress?.tick(1, file),
  });
  progress?.done(report.failed.length ? `${report.failed.length} failed` : undefined);
  const lines = [
    `analysed: ${report.analysed} photo(s), ${report.faces} face(s) found` +
      (report.reused ? ` (${report.reused} already known by content, not decoded again)` : ''),
    `skipped:  ${report.skipped} up to date${report.vanished ? `, ${report.vanished} vanished while scanning` : ''}`,
    `failed:   ${report.failed.length}${report.failed.length ? ' (recorded; retried when the file changes)' : ''}`,
    ...report.failed.map((f) => `  ${f.message} [${f.reason}]`),
    ...(report.removed || report.moved
      ? [`removed:  ${report.removed} (faces and labels kept), moved: ${report.moved}`]
      : []),
    ...(report.retrying ? [`retrying: ${report.retrying} after a transient error, on the next run`] : []),
    ...report.skippedRoots.map((s) => `warning:  ${s}`),
    `data dir: ${config.dataDir}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
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
