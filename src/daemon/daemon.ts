/**
 * The daemon's composition root (`facetag run`), read top to bottom. `runDaemon` takes the data
 * folder's lock and opens the store (before any log line: a second daemon says only why it
 * stops), builds the engine, then the process's logger, systemd notifier and shutdown
 * coordinator. `startServices` starts the rest in this order: clusters → training (which owns the
 * current models) → plugins → HTTP → job runner → start-up reconcile → training's first check →
 * watcher → schedule → READY=1. Each component registers its stop with the shutdown coordinator
 * as it starts, so stop runs in reverse (…, engines, store, lock) within the configured deadline.
 * What changes at run time lives in `live` (figures and phase) and in the training service (the
 * models); nothing is wired late.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import cron from 'node-cron';
import type { Config } from '../config/schema.js';
import { systemTimers, type Timers } from '../core/clock.js';
import { createLogger, type Logger, parseLevel } from '../core/logger.js';
import { serially } from '../core/serial.js';
import type { DetectorOptions } from '../engine/detector.js';
import { buildEngines } from '../engine/engines.js';
import { createHttpApi, startHttpServer } from '../http/app.js';
import { isLoopbackHost } from '../http/auth.js';
import { createLatencyRecorder } from '../http/latency-histogram.js';
import type { MetricsSnapshot } from '../http/metrics.js';
import { labelChanges as createLabelChanges } from '../labelling/labelling.js';
import { drawnFaceChip } from '../pipeline/drawn-face.js';
import { sidecarSureFrom } from '../plugins/builtin/common.js';
import { startPluginHost } from '../plugins/host.js';
import { embeddingSpec, featureKey } from '../recognize/features.js';
import { DAEMON_URL_FILE } from '../store/daemon-lock.js';
import type { Db } from '../store/db.js';
import { queueStats, releaseLeases } from '../store/jobs.js';
import type { Upgrading } from '../store/migrations.js';
import { markPathRemoved, markRemovedUnder, notePhoto, retryUnreadableUnder, statusCounts } from '../store/photos.js';
import { currentPipeline } from '../store/pipeline.js';
import { probeWrite } from '../store/storage-probe.js';
import { VERSION } from '../version.js';
import { recognisingAnalyser } from './analyser.js';
import { type Analyser, type JobResult, PIPELINE_VERSION } from './backfill.js';
import { createClusteringService } from './clustering.js';
import { startFaceThumbFiller } from './face-thumb-filler.js';
import { resolveHttpToken } from './http-token.js';
import { startJobRunner } from './job-runner.js';
import { installLastResort } from './last-resort.js';
import { keptEngineAdvice, openLibrary } from './library.js';
import { loadModelSet } from './model-set.js';
import { reconcile } from './reconcile.js';
import { createShutdown, type Shutdown } from './shutdown.js';
import { createStorageHealth, pauseText } from './storage-health.js';
import { createNotifier, type Notifier } from './systemd-notify.js';
import { createTrainingService } from './training.js';
import { createWatcher } from './watch/create-watcher.js';
import type { WatchEvent } from './watch/watch-event.js';

export interface DaemonInput {
  /** Validated (loadConfig), with any flags laid over it. */
  readonly config: Config;
  readonly photoDirs: readonly string[];
  /** Photo folders not there yet (a NAS share that mounts late): watched for, and said once. */
  readonly missingDirs: readonly string[];
  /** Told before an existing database is upgraded, so a slow start is explained. */
  readonly onUpgrade: Upgrading;
  /** Where relative plugin paths resolve: the config file's folder (default: the working directory). */
  readonly configDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs the daemon until a signal; the shutdown coordinator then exits the process. Throws
 * (DataDirLockedError, SchemaTooNewError, StoreOpenError, an engine that cannot start) before
 * anything starts; resolves with an exit code only when start-up fails after that.
 */
export async function runDaemon(input: DaemonInput): Promise<number> {
  const env = input.env ?? process.env;
  // The store first: one daemon per data folder, decided before anything else starts.
  const library = openLibrary(input.config, input.onUpgrade);
  const { config, db } = library;
  const engines = closingOnThrow(() => buildEngines(config, { releaseIdleWorkers: true }), library.close);

  const log = createLogger({ level: parseLevel(env.FACETAG_LOG_LEVEL, config.daemon.logLevel) });
  const notifier = createNotifier(env, log);
  const shutdown = createShutdown({ log, notifier, deadlineMs: config.daemon.stopDeadlineSeconds * 1000 });
  shutdown.install();
  installLastResort(shutdown, log);
  shutdown.register('store', () => library.close());
  shutdown.register('engines', () => engines.close());

  log.info('starting', {
    version: VERSION,
    photos: input.photoDirs,
    dataDir: config.dataDir,
    engine: config.engine,
    pid: process.pid,
  });
  if (library.keptEngine) log.warn(keptEngineAdvice(library.keptEngine), { engine: library.keptEngine });
  for (const folder of input.missingDirs) {
    log.warn('photo folder missing: facetag watches for it and analyses it once it appears', { folder });
  }
  try {
    await startServices({
      config,
      photoDirs: input.photoDirs,
      db,
      detector: engines.options,
      log,
      notifier,
      shutdown,
      ...optional('configDir', input.configDir),
    });
  } catch (err) {
    log.error('start-up failed', { err });
    return shutdown.run('start-up failed', 1);
  }
  return new Promise<number>(() => {});
}

/** `make()`, or, when it throws, `undo()` first: what was opened before it is not left open. */
function closingOnThrow<T>(make: () => T, undo: () => void): T {
  try {
    return make();
  } catch (err) {
    undo();
    throw err;
  }
}

interface DaemonDeps {
  readonly config: Config;
  readonly photoDirs: readonly string[];
  readonly db: Db;
  readonly detector: DetectorOptions;
  readonly log: Logger;
  readonly notifier: Notifier;
  readonly shutdown: Shutdown;
  /** The clock and the daemon's own timers (STATUS=, the label poll). */
  readonly timers?: Timers;
  /** Where relative plugin paths resolve: the config file's folder (default: the working directory). */
  readonly configDir?: string;
}

type WatcherStatus = MetricsSnapshot['watcher'];

/** The analyser, timing each photo for /metrics. */
function timed(analyse: Analyser, observe: (seconds: number) => void): Analyser {
  return async (path) => {
    const t = performance.now();
    try {
      return await analyse(path);
    } finally {
      observe((performance.now() - t) / 1000);
    }
  };
}

/** How often STATUS= is refreshed. */
const STATUS_MS = 10_000;

/** `{ [key]: value }`, or nothing when the value is undefined (optional deps stay absent). */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** What the daemon has done since it started, for STATUS=, /metrics and /readyz. */
interface LiveFigures {
  phase: 'starting' | 'ready' | 'stopping';
  analysed: number;
  reused: number;
  failed: number;
  retried: number;
  faces: number;
  readonly since: number;
  watcher: WatcherStatus;
}

/** Starts every service and returns once READY=1 is sent; the shutdown coordinator stops them. */
async function startServices(deps: DaemonDeps): Promise<void> {
  const { config, db, log, notifier, shutdown } = deps;
  const timers = deps.timers ?? systemTimers;
  const now = timers.now;
  const roots = deps.photoDirs.map((d) => resolve(d));
  const live: LiveFigures = {
    phase: 'starting',
    analysed: 0,
    reused: 0,
    failed: 0,
    retried: 0,
    faces: 0,
    since: now(),
    watcher: { roots: [], pending: 0 },
  };

  // A switch of engine makes every photo due again; labels are matched to the new faces by overlap.
  const pipeline = currentPipeline(db, PIPELINE_VERSION, config.engine);
  if (pipeline.switchedFrom) {
    log.info('engine changed: every photo will be analysed again, labels kept', {
      from: pipeline.switchedFrom,
      to: config.engine,
    });
  }

  // Clusters of unknown faces need embeddings: the neural engine's. The cascade keeps HOG likeness.
  const embeddings = embeddingSpec(config.neural.chipPadding);
  const clustering =
    config.engine === 'neural'
      ? createClusteringService({
          db,
          featureKey: featureKey(embeddings),
          dimensions: embeddings.dimensions,
          log: log.child({ component: 'clusters' }),
          timers,
        })
      : undefined;
  if (clustering) shutdown.register('clusters', () => clustering.stop());

  // Training owns the models faces are named with; it starts work after the first reconcile.
  const modelsDir = join(config.dataDir, 'models');
  const training = createTrainingService({
    db,
    config,
    modelsDir,
    labelsDir: join(config.dataDir, 'labels'),
    log: log.child({ component: 'training' }),
    timers,
    models: await loadModelSet(modelsDir, config.recognition.thresholds),
    onNamed: () => clustering?.wake(),
  });
  log.info('models loaded', { persons: training.models().models.length, version: training.models().version });

  // A full disk pauses the work (and says so) instead of crashing; a pause's end catches up.
  const health = createStorageHealth({
    log,
    now,
    probe: () => probeWrite(db),
    onResume: () => {
      void reconcileRoots(roots, 'resumed after a storage fault');
      void training.checkNow();
    },
  });

  // What a person does to the labels, once stored: each plugin's loop wakes to tell the galleries,
  // training retrains after its debounce, clustering re-clusters.
  const labelChanges = createLabelChanges((err, change) => log.error('a label listener failed', { err, change }));
  labelChanges.subscribe(() => {
    training.labelsChanged();
    clustering?.wake();
  });

  // Plugins deliver the outbox on their own loops: a slow gallery never holds up tagging.
  const plugins = await startPluginHost({
    db,
    dataDir: config.dataDir,
    entries: config.plugins,
    log: log.child({ component: 'plugins' }),
    baseDir: deps.configDir ?? process.cwd(),
    timers,
    labelChanges,
    stopTimeoutMs: Math.max(500, (config.daemon.stopDeadlineSeconds * 1000) / 4),
  });
  shutdown.register('plugins', () => plugins.stop());

  // The HTTP API starts before the first reconcile; /readyz says 503 until READY=1.
  const analyseSeconds = createLatencyRecorder();
  if (config.http.enabled) {
    const { token, file } = await resolveHttpToken(config.http.token, config.dataDir);
    const app = createHttpApi({
      db,
      dataDir: config.dataDir,
      photoRoots: roots,
      token,
      ...optional('tokenFile', file),
      ...optional('sureFrom', sidecarSureFrom(config.plugins)),
      now,
      log: log.child({ component: 'http' }),
      labelChanges,
      readiness: () => {
        const pause = health.paused();
        if (live.phase !== 'ready') return { ready: false, reason: live.phase };
        return pause ? { ready: false, reason: pauseText(pause) } : { ready: true };
      },
      recognizer: () => training.models().recognizer,
      // Training waits for the start-up reconcile (the labels' photos may have moved).
      training: {
        status: () => (live.phase === 'starting' ? null : training.status()),
        trainNow: () => {
          if (live.phase === 'starting') return false;
          training.trainNow();
          return true;
        },
      },
      drawnFaceChip: (file, box) => drawnFaceChip(file, box, deps.detector),
      metrics: () => ({
        photos: { analysed: live.analysed, reused: live.reused, failed: live.failed, retried: live.retried },
        stageSeconds: { analyse: analyseSeconds.snapshot() },
        // Consecutive failed deliveries of the sidecar plugin (0 while sidecars are being written).
        sidecarWriteErrors: plugins.status().find((p) => p.name === 'xmp')?.failures ?? 0,
        watcher: live.watcher,
        plugins: plugins.status(),
      }),
      plugins,
      maxPixels: config.decode.maxPixels,
      guessFloor: config.recognition.guessFloor,
      ...(clustering ? { clusters: { takeOut: (faceId: number) => clustering.takeOut(faceId) } } : {}),
    });
    const server = await startHttpServer(app, { host: config.http.host, port: config.http.port });
    log.info('http listening', { url: server.url, ...(file ? { tokenFile: file } : {}) });
    if (!isLoopbackHost(config.http.host)) {
      log.warn('the HTTP API listens beyond loopback over plain HTTP: the token and the photos travel unencrypted', {
        host: config.http.host,
        hint: 'put a TLS reverse proxy in front of it (deploy/README.md), or listen on 127.0.0.1',
      });
    }
    // Where `facetag status` asks how the daemon is (the port may have been chosen at start).
    await writeFile(join(config.dataDir, DAEMON_URL_FILE), `${server.url}\n`, { mode: 0o600 }).catch((err: unknown) =>
      log.warn('could not note the API address for facetag status', { err }),
    );
    shutdown.register('http', () => {
      live.phase = 'stopping';
      return server.close();
    });
  }

  // Work a crashed run had claimed comes back first.
  const released = releaseLeases(db, now());
  if (released > 0) log.info('re-queued work of an interrupted run', { jobs: released });

  const onResult = (r: JobResult) => {
    if (r.kind !== 'lease-lost') plugins.wake();
    if (r.kind === 'analysed' || r.kind === 'reused') clustering?.wake();
    if (r.kind === 'analysed') {
      live.analysed++;
      live.faces += r.faces;
      log.info('analysed', { path: r.path, faces: r.faces });
    } else if (r.kind === 'reused') {
      live.reused++;
      log.debug('reused', { path: r.path });
    } else if (r.kind === 'failed') {
      live.failed++;
      log.warn('photo failed', { path: r.path, code: r.code, reason: r.message });
    } else if (r.kind === 'retry') {
      live.retried++;
      log.info('photo will be retried', { path: r.path, code: r.code, reason: r.message });
    }
  };
  const runner = startJobRunner({
    ctx: {
      db,
      pipelineVersion: pipeline.version,
      analyse: timed(
        recognisingAnalyser(deps.detector, () => training.models()),
        (s) => analyseSeconds.observe(s),
      ),
      now,
      backoff: { baseMs: config.daemon.retryBaseSeconds * 1000, maxMs: 6 * 3600_000 },
      truncatedAfterMs: config.daemon.truncatedFailAfterHours * 3600_000,
    },
    concurrency: config.daemon.concurrency,
    log: log.child({ component: 'jobs' }),
    onResult,
    health,
    timers,
  });
  shutdown.register('job runner', () => runner.stop());

  // A watcher's rescan during the scheduled reconcile waits for it.
  const oneAtATime = serially();
  const reconcileRoots = (which: readonly string[], why: string) =>
    oneAtATime(async () => {
      try {
        const report = await reconcile({
          db,
          roots: which,
          pipelineVersion: pipeline.version,
          now,
          onProblem: (path, reason) => log.warn('cannot read', { path, reason }),
        });
        log.info('reconciled', {
          why,
          seen: report.seen,
          unchanged: report.unchanged,
          queued: report.queued,
          moved: report.moved,
          removed: report.removed,
          skippedRoots: report.skippedRoots,
          ms: Math.round(report.ms),
        });
        runner.wake();
      } catch (err) {
        if (!health.fault(err, `reconcile (${why})`)) log.error('reconcile failed', { why, err });
      }
    });
  await reconcileRoots(roots, 'start-up');

  shutdown.register('training', () => training.stop());
  // Labels written by another process (`facetag label`) are noticed by this cheap poll.
  const stopLabelPoll = timers.every(config.daemon.trainDebounceSeconds * 1000, () => training.noticeLabelChanges());
  shutdown.register('label poll', stopLabelPoll);
  void training.checkNow();

  const noteEvent = (event: WatchEvent) => {
    if (event.kind === 'upsert') {
      notePhoto(
        db,
        { path: event.path, size: event.size, mtimeMs: Math.trunc(event.mtimeMs), ctimeMs: event.ctimeMs },
        pipeline.version,
        now(),
      );
      runner.wake();
    } else if (event.kind === 'remove') {
      if (!markPathRemoved(db, event.path, now())) markRemovedUnder(db, event.path, now());
    } else if (event.kind === 'folder-changed') {
      const retried = retryUnreadableUnder(db, event.path, now());
      if (retried > 0) {
        log.info('folder permissions changed: trying its unreadable photos again', { folder: event.path, retried });
        runner.wake();
      }
    } else void reconcileRoots([event.root], `watcher: ${event.reason}`);
  };
  const watchLog = log.child({ component: 'watcher' });
  const watcher = await createWatcher({
    roots,
    onEvent: (event) => {
      try {
        noteEvent(event);
      } catch (err) {
        // Not stored: the reconcile that ends the pause finds the file again.
        if (!health.fault(err, event.kind === 'rescan' ? event.root : event.path)) throw err;
      }
    },
    log: ({ level, msg, ...fields }) => watchLog[level](msg, fields),
    include: config.daemon.include,
    exclude: config.daemon.exclude,
    settleMs: config.daemon.settleMs,
  });
  shutdown.register('watcher', () => watcher.close());

  const task = cron.schedule(config.daemon.reconcileSchedule, () => {
    void reconcileRoots(roots, 'schedule');
    void training.checkNow();
  });
  shutdown.register('schedule', () => task.stop());

  const status = (): string => {
    const pause = health.paused();
    if (pause) return pauseText(pause);
    const q = queueStats(db, now());
    const hours = Math.max((now() - live.since) / 3_600_000, 1 / 60);
    return `queue ${q.total} (${q.running} running), ${Math.round(live.analysed / hours)} photos/h, ${live.analysed} analysed, ${live.failed} failed since start`;
  };
  const refresh = () => {
    const st = watcher.status();
    live.watcher = { roots: st.roots.map((r) => ({ mode: r.mode })), pending: st.pending };
  };
  const stopStatus = timers.every(STATUS_MS, () => {
    notifier.status(status());
    refresh();
  });
  shutdown.register('status', stopStatus);

  const counts = statusCounts(db);
  refresh();
  live.phase = 'ready';
  notifier.ready(status());
  const stopWatchdog = notifier.startWatchdog();
  shutdown.register('watchdog', stopWatchdog);

  // Faces analysed before colour pictures existed get theirs while the queue is idle.
  const thumbFiller = startFaceThumbFiller({
    db,
    log: log.child({ component: 'face-pictures' }),
    decode: deps.detector,
    busy: () => {
      const q = queueStats(db, now());
      return q.due > 0 || q.running > 0;
    },
  });
  shutdown.register('face pictures', () => thumbFiller.stop());
  log.info('ready', { roots, photos: counts, models: training.models().version, watcher: watcher.status() });
}
