/**
 * The daemon's figures (issue 4 acceptance, `npm run bench:daemon`). Not a test: it prints numbers.
 *
 *   node dist/bench/daemon.js [--quick] [--images DIR] [--idle 60] [--steady 30] [--files 100000] [--dirs 1000] [--keep]
 *
 * 1. Backfill: the built daemon (`facetag run`, default config, its own process) on a copy of
 *    ../shared/data/detection/images until its queue is empty. Photos per hour from the log's own
 *    timestamps (start-up reconcile to the last result). RSS (VmRSS) sampled every second: the peak,
 *    and the median of the last `--steady` seconds of the idle period after the backfill. Idle CPU:
 *    utime + stime from /proc/<pid>/stat over `--idle` seconds once the queue is empty.
 * 2. 100k files (skipped by --quick): a generated tree of tiny files in ~`--dirs` folders, recorded
 *    in a store as analysed, then the daemon started on it: its start-up reconcile time (from its
 *    'reconciled' line), the time to READY, its RSS while it watches the tree, its inotify watches,
 *    and how long one photo dropped into the tree takes to be analysed.
 *
 * Why the store is seeded directly rather than by the daemon: the daemon records a tiny non-image
 * file as failed without decoding it, but that still costs a job (claim, stat, hash, transaction)
 * per file: 5,000 empty .jpg files took 5.5 s here (2026-11-28), so 100k would take ~2 minutes, and
 * the result (100k failed rows sharing one empty content) is not the shape of a real library. Seeding
 * 100k distinct contents, each analysed with one face, through the store's own recordAnalysis
 * takes seconds and is what a daemon restarting on a big library finds. The tree is in the page
 * cache, as it is for a daemon that reconciles on a schedule; a cold NAS is slower on stat.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countInotifyWatches } from '../src/daemon/watch/inotify-watches.js';
import { type Db, openDatabase } from '../src/store/db.js';
import { queueStats } from '../src/store/jobs.js';
import { type Daemon, type LogLine, logsOf, sleep, startDaemon } from '../test/helpers/daemon.js';
import { startNotifySocket } from '../test/helpers/notify-socket.js';
import { fmt, median, repoRoot, say, table } from './common.js';
import { buildTree, seed } from './library-tree.js';

/** Clock ticks per second for /proc/<pid>/stat (sysconf(_SC_CLK_TCK), 100 on Linux). */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Sample {
  /** performance.now() */
  readonly at: number;
  readonly rssMb: number;
  /** CPU seconds used so far (user + system, all threads). */
  readonly cpuS: number;
}

/** One reading of /proc/<pid>: undefined once the process is gone. */
function sample(pid: number): Sample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    // Fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { at: performance.now(), rssMb: rssKb / 1024, cpuS: ticks / CLK_TCK };
  } catch {
    return undefined;
  }
}

function peakRssMb(pid: number): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(text)?.[1]) / 1024;
}

/** Samples the process every second until stopped. */
function monitor(pid: number): { readonly samples: Sample[]; stop(): void } {
  const samples: Sample[] = [];
  const take = () => {
    const s = sample(pid);
    if (s) samples.push(s);
  };
  take();
  const timer = setInterval(take, 1000);
  return { samples, stop: () => clearInterval(timer) };
}

const tsOf = (l: LogLine | undefined): number => (l ? Date.parse(l.ts) : Number.NaN);

/** Waits until the daemon's queue is empty (polled through a second connection), after READY. */
async function drained(db: Db, daemon: Daemon, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (queueStats(db, Date.now()).total > 0) {
    if (performance.now() > end) throw new Error(`queue not empty after ${timeoutMs / 1000} s`);
    if (daemon.child.exitCode !== null) throw new Error(`daemon exited: ${daemon.noise.join('\n')}`);
    await sleep(500);
  }
}

interface BackfillFigures {
  readonly photos: number;
  readonly faces: number;
  readonly failed: number;
  readonly backfillS: number;
  readonly perHour: number;
  readonly readyS: number;
  readonly peakRssMb: number;
  readonly steadyRssMb: number;
  /** RSS at a quarter, half, three quarters and the end of the backfill: growth would be a leak. */
  readonly rssAlongMb: readonly number[];
  readonly idleCpuS: number;
  readonly idleS: number;
  readonly stopMs: number;
  /** Longest time between two WATCHDOG=1 pings (due every 500 ms) while analysing: event-loop stalls. */
  readonly worstPingGapMs: number;
}

/** Watchdog pings every 500 ms: the gaps show how long the event loop was ever blocked. */
const WATCHDOG_USEC = 1_000_000;

async function backfillBench(base: string, images: string, idleS: number, steadyS: number): Promise<BackfillFigures> {
  const photos = join(base, 'photos');
  const dataDir = join(base, 'data');
  cpSync(images, photos, { recursive: true });
  const notify = await startNotifySocket();
  const spawned = performance.now();
  const daemon = startDaemon({
    photos: [photos],
    dataDir,
    env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: String(WATCHDOG_USEC) },
  });
  const mon = monitor(daemon.pid);
  try {
    await daemon.waitForLog((l) => l.msg === 'ready', 120_000, 'ready');
    const readyAt = performance.now();
    const readyS = (readyAt - spawned) / 1000;
    say(`  ready after ${readyS.toFixed(1)} s; analysing…`);
    const db = openDatabase(dataDir);
    try {
      await drained(db, daemon, 3600_000);
    } finally {
      db.close();
    }
    const drainedAt = performance.now();
    const rssAlongMb = [0.25, 0.5, 0.75, 1].map((f) => {
      const at = readyAt + f * (drainedAt - readyAt);
      return mon.samples.filter((x) => x.at <= at).at(-1)?.rssMb ?? Number.NaN;
    });
    const analysed = logsOf(daemon.lines, 'analysed');
    const failed = logsOf(daemon.lines, 'photo failed');
    const results = [...analysed, ...failed].sort((a, b) => tsOf(a) - tsOf(b));
    // The start-up reconcile queues the work; the runner is already claiming by then.
    const backfillS = (tsOf(results.at(-1)) - tsOf(logsOf(daemon.lines, 'reconciled')[0])) / 1000;
    say(`  queue empty: ${analysed.length} analysed in ${backfillS.toFixed(1)} s; idle for ${idleS} s…`);
    const pings = notify.messages.filter((m) => m.fields.WATCHDOG === '1').map((m) => m.at);
    const worstPingGapMs = Math.max(...pings.slice(1).map((at, i) => at - (pings[i] ?? at)));

    const idleFrom = sample(daemon.pid);
    await sleep(idleS * 1000);
    const idleTo = sample(daemon.pid);
    if (!idleFrom || !idleTo) throw new Error('the daemon went away while idle');
    const steady = mon.samples.filter((s) => s.at >= idleTo.at - steadyS * 1000).map((s) => s.rssMb);
    const peak = peakRssMb(daemon.pid);
    const stopped = await daemon.stop();
    if (stopped.code !== 0) throw new Error(`daemon stopped with ${JSON.stringify(stopped)}`);
    return {
      photos: analysed.length,
      faces: analysed.reduce((n, l) => n + Number(l.faces), 0),
      failed: failed.length,
      backfillS,
      perHour: (analysed.length / backfillS) * 3600,
      readyS,
      peakRssMb: peak,
      steadyRssMb: median(steady),
      rssAlongMb,
      idleCpuS: idleTo.cpuS - idleFrom.cpuS,
      idleS: (idleTo.at - idleFrom.at) / 1000,
      stopMs: stopped.ms,
      worstPingGapMs,
    };
  } finally {
    mon.stop();
    await daemon.kill();
    await notify.close();
  }
}

/** The daemon's idle RSS on an empty folder: the floor that watching a library adds to. */
async function emptyFolderRss(base: string, seconds: number): Promise<number> {
  const root = join(base, 'empty');
  mkdirSync(root);
  const daemon = startDaemon({ photos: [root], dataDir: join(base, 'empty-data') });
  const mon = monitor(daemon.pid);
  try {
    await daemon.waitForLog((l) => l.msg === 'ready', 60_000, 'ready');
    const from = performance.now();
    await sleep(seconds * 1000);
    await daemon.stop();
    return median(mon.samples.filter((x) => x.at >= from).map((x) => x.rssMb));
  } finally {
    mon.stop();
    await daemon.kill();
  }
}

interface LibraryFigures {
  readonly files: number;
  readonly folders: number;
  readonly generateS: number;
  readonly seedS: number;
  readonly reconcileS: number;
  readonly unchanged: number;
  readonly readyS: number;
  readonly steadyRssMb: number;
  /** The same daemon on an empty folder. */
  readonly emptyRssMb: number;
  readonly peakRssMb: number;
  readonly watches: number | undefined;
  readonly idleCpuS: number;
  readonly idleS: number;
  readonly probeS: number;
  readonly stopMs: number;
}

async function libraryBench(
  base: string,
  files: number,
  dirs: number,
  probePhoto: string,
  steadyS: number,
): Promise<LibraryFigures> {
  const root = join(base, 'library');
  const dataDir = join(base, 'library-data');
  const emptyRssMb = await emptyFolderRss(base, steadyS);
  say(`  the daemon on an empty folder: ${emptyRssMb.toFixed(0)} MB RSS`);
  let t = performance.now();
  const paths = buildTree(root, files, dirs);
  const generateS = (performance.now() - t) / 1000;
  const folders = new Set(paths.map((p) => p.slice(0, p.lastIndexOf('/')))).size;
  say(`  generated ${paths.length} files in ${folders} folders in ${generateS.toFixed(1)} s`);
  t = performance.now();
  seed(dataDir, paths);
  const seedS = (performance.now() - t) / 1000;
  say(`  recorded them as analysed in ${seedS.toFixed(1)} s; starting the daemon…`);

  const spawned = performance.now();
  const daemon = startDaemon({ photos: [root], dataDir });
  const mon = monitor(daemon.pid);
  try {
    await daemon.waitForLog((l) => l.msg === 'ready', 300_000, 'ready');
    const readyS = (performance.now() - spawned) / 1000;
    const reconciled = logsOf(daemon.lines, 'reconciled')[0];
    const watches = await countInotifyWatches(daemon.pid);
    say(`  ready after ${readyS.toFixed(1)} s; watching for ${steadyS} s…`);
    const from = sample(daemon.pid);
    await sleep(steadyS * 1000);
    const to = sample(daemon.pid);
    if (!from || !to) throw new Error('the daemon went away');
    const steady = mon.samples.filter((s) => s.at >= from.at).map((s) => s.rssMb);

    // One real photo dropped into the watched tree: settle time + analysis.
    const probe = join(root, '2000', 'event-0000', 'probe.jpg');
    t = performance.now();
    cpSync(probePhoto, probe);
    await daemon.waitForLog((l) => l.msg === 'analysed' && l.path === probe, 60_000, 'the probe analysed');
    const probeS = (performance.now() - t) / 1000;
    const peak = peakRssMb(daemon.pid);
    const stopped = await daemon.stop();
    if (stopped.code !== 0) throw new Error(`daemon stopped with ${JSON.stringify(stopped)}`);
    return {
      files: paths.length,
      folders,
      generateS,
      seedS,
      reconcileS: Number(reconciled?.ms) / 1000,
      unchanged: Number(reconciled?.unchanged),
      readyS,
      steadyRssMb: median(steady),
      emptyRssMb,
      peakRssMb: peak,
      watches,
      idleCpuS: to.cpuS - from.cpuS,
      idleS: (to.at - from.at) / 1000,
      probeS,
      stopMs: stopped.ms,
    };
  } finally {
    mon.stop();
    await daemon.kill();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      images: { type: 'string', default: join(repoRoot(), '../shared/data/detection/images') },
      idle: { type: 'string', default: '60' },
      steady: { type: 'string', default: '30' },
      files: { type: 'string', default: '100000' },
      dirs: { type: 'string', default: '1000' },
      keep: { type: 'boolean', default: false },
    },
  });
  const idleS = Number(values.idle);
  const steadyS = Math.min(Number(values.steady), idleS);
  const base = mkdtempSync(join(tmpdir(), 'facetag-bench-daemon-'));
  try {
    say(`daemon bench: node ${process.version}, ${process.platform}, data under ${base}`);
    say(`\n1. backfill of ${values.images} (default config)`);
    const b = await backfillBench(base, values.images, idleS, steadyS);
    const rows: string[][] = [
      ['backfill', `${b.photos} photos, ${b.faces} faces, ${b.failed} failed, in ${fmt(b.backfillS, 1)} s`],
      ['backfill rate', `${fmt(b.perHour)} photos/hour (${fmt(b.backfillS / b.photos, 2)} s/photo)`],
      ['start-up to READY', `${fmt(b.readyS, 2)} s`],
      ['RSS peak (VmHWM)', `${fmt(b.peakRssMb)} MB`],
      ['RSS at 1/4, 1/2, 3/4, end of backfill', `${b.rssAlongMb.map((v) => fmt(v)).join(', ')} MB`],
      [`RSS steady (median, last ${steadyS} s idle)`, `${fmt(b.steadyRssMb)} MB`],
      [
        `idle CPU over ${fmt(b.idleS)} s`,
        `${fmt(b.idleCpuS, 2)} CPU s = ${fmt((100 * b.idleCpuS) / b.idleS, 2)} % of one core`,
      ],
      [
        'longest watchdog gap while analysing',
        `${fmt(b.worstPingGapMs)} ms (pings due every ${WATCHDOG_USEC / 2000} ms)`,
      ],
      ['SIGTERM to exit', `${fmt(b.stopMs)} ms`],
    ];
    if (!values.quick) {
      const files = Number(values.files);
      say(`\n2. a generated library of ${files} files`);
      const probe = join(values.images, '2007_007763.jpg');
      const l = await libraryBench(base, files, Number(values.dirs), probe, steadyS);
      rows.push(
        [
          `library`,
          `${l.files} files in ${l.folders} folders (generated ${fmt(l.generateS, 1)} s, seeded ${fmt(l.seedS, 1)} s)`,
        ],
        ['start-up reconcile (unchanged)', `${fmt(l.reconcileS, 2)} s for ${l.unchanged} unchanged files`],
        ['start-up to READY', `${fmt(l.readyS, 2)} s`],
        [
          `RSS watching (median over ${fmt(l.idleS)} s)`,
          `${fmt(l.steadyRssMb)} MB whole daemon = ${fmt(l.emptyRssMb)} MB on an empty folder + ${fmt(l.steadyRssMb - l.emptyRssMb)} MB for ${l.files} files`,
        ],
        ['RSS peak (VmHWM)', `${fmt(l.peakRssMb)} MB`],
        ['inotify watches', `${fmt(l.watches ?? Number.NaN)} (${l.folders} photo folders + parents)`],
        [`idle CPU over ${fmt(l.idleS)} s`, `${fmt(l.idleCpuS, 2)} CPU s`],
        ['new photo → analysed', `${fmt(l.probeS, 2)} s (2 s settle + analysis)`],
        ['SIGTERM to exit', `${fmt(l.stopMs)} ms`],
      );
    }
    say(`\n${table(['figure', 'value'], rows)}`);
  } finally {
    if (values.keep) say(`kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

await main();
