import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { engineForLibrary, keptEngineAdvice } from '../config/engine.js';
import type { Config, Engine } from '../config/schema.js';
import { createLogger, parseLevel } from '../core/logger.js';
import { recognisingAnalyser } from '../daemon/analyser.js';
import { backfill, PIPELINE_VERSION } from '../daemon/backfill.js';
import { startDaemon } from '../daemon/daemon.js';
import { installLastResort } from '../daemon/last-resort.js';
import { loadModelSet } from '../daemon/model-set.js';
import { createShutdown } from '../daemon/shutdown.js';
import { createNotifier } from '../daemon/systemd-notify.js';
import { errnoCode } from '../files/errno.js';
import { type DataDirLock, DataDirLockedError, lockDataDir } from '../store/daemon-lock.js';
import { type Db, openDatabase } from '../store/db.js';
import { SchemaTooNewError } from '../store/migrations.js';
import { currentPipeline, libraryEngine } from '../store/pipeline.js';
import { VERSION } from '../version.js';
import { parse, UsageError } from './args.js';
import { loadCommandConfig } from './data-dir.js';
import { type DetectionContext, detectionContext } from './detection-context.js';
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

  // One daemon per data folder, decided before anything else starts (a --once pass counts too).
  let lock: DataDirLock;
  try {
    lock = lockDataDir(dataDir);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      process.stderr.write(`facetag run: ${err.message}\n`);
      return EXIT_LOCKED;
    }
    throw err;
  }
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(dataDir, sayUpgrade('run', dataDir));
  } catch (err) {
    lock.release();
    if (err instanceof SchemaTooNewError) return fatal(err.message);
    if (err instanceof Error && errnoCode(err) !== undefined) {
      // File-system or SQLite errors at open (EACCES, SQLITE_CANTOPEN, SQLITE_NOTADB...).
      return fatal(`cannot open the database in ${dataDir}: ${err.message}`);
    }
    throw err;
  }
  // The engine is decided before any worker starts: a library keeps its own unless the config says.
  const { config, kept } = engineForLibrary({ ...loaded, dataDir }, libraryEngine(db));
  let ctx: DetectionContext;
  try {
    ctx = detectionContext(config, {}, { releaseIdleWorkers: !values.once });
  } catch (err) {
    db.close();
    lock.release();
    throw err;
  }
  try {
    if (!values.once) {
      const configDir = values.config ? dirname(resolve(values.config)) : undefined;
      return await daemon(ctx.config, photoDirs, db, ctx, configDir, kept, lock, missing);
    }
    try {
      process.stdout.write('facetag run --once: one backfill pass\n');
      if (kept) process.stdout.write(`${keptEngineAdvice(kept)}\n`);
      let progress: Progress | undefined;
      // As the daemon does: a stored chip per face (so it can be labelled and trained on) and a
      // name from the current models.
      const models = await loadModelSet(join(dataDir, 'models'), ctx.config.recognition.thresholds);
      const pipeline = currentPipeline(db, PIPELINE_VERSION, ctx.config.engine);
      if (pipeline.switchedFrom) {
        process.stdout.write(
          `engine changed from ${pipeline.switchedFrom} to ${ctx.config.engine}: every photo is analysed again; labels are kept\n`,
        );
      }
      const report = await backfill({
        db,
        photoDirs,
        pipelineVersion: pipeline.version,
        analyse: recognisingAnalyser(ctx.options, () => models, { retryTruncated: false }),
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
        `data dir: ${dataDir}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      db.close();
      lock.release();
    }
  } finally {
    await ctx.close();
  }
}

/** Runs until a signal; the shutdown coordinator exits the process. */
async function daemon(
  config: Config,
  photoDirs: readonly string[],
  db: Db,
  ctx: DetectionContext,
  configDir: string | undefined,
  keptEngine: Engine | undefined,
  lock: DataDirLock,
  missing: readonly string[],
): Promise<number> {
  const log = createLogger({ level: parseLevel(process.env.FACETAG_LOG_LEVEL, config.daemon.logLevel) });
  const notifier = createNotifier(process.env, log);
  const shutdown = createShutdown({ log, notifier, deadlineMs: config.daemon.stopDeadlineSeconds * 1000 });
  shutdown.install();
  installLastResort(shutdown, log);
  shutdown.register('data folder lock', () => lock.release());
  shutdown.register('database', () => db.close());
  shutdown.register('detector', () => ctx.close());
  log.info('starting', {
    version: VERSION,
    photos: photoDirs,
    dataDir: config.dataDir,
    engine: config.engine,
    pid: process.pid,
  });
  if (keptEngine) log.warn(keptEngineAdvice(keptEngine), { engine: keptEngine });
  for (const folder of missing) {
    log.warn('photo folder missing: facetag watches for it and analyses it once it appears', { folder });
  }
  try {
    await startDaemon({
      config,
      photoDirs,
      db,
      detector: ctx.options,
      log,
      notifier,
      shutdown,
      ...(configDir ? { configDir } : {}),
    });
  } catch (err) {
    log.error('start-up failed', { err });
    return shutdown.run('start-up failed', 1);
  }
  return new Promise<number>(() => {});
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
