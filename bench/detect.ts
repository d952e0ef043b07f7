/**
 * Detection benchmark: prints figures and ratios, never passes or fails.
 *
 *   npm run bench:detect -- [--sample N|all] [--runs N] [--skip-reference]
 *
 * 1. A 12 MP (4000x3000) test photo, upscaled with Lanczos from a shared/data detection image.
 * 2. facetag on it (default config, with the full 15° sweep and with no sweep; then the blog's settings
 *    scaled to the detection image): median wall and CPU time per photo, per-stage times, photos/s
 *    with one and with two photos in flight on the worker pool.
 * 3. The Python reference (shared/reference/seedlib.py, driven by bench/reference_detect.py in a child
 *    process) on the same photo with the blog's settings, then both on a sample of the detection set.
 * 4. Peak RSS, the load other processes put on the machine during each phase, ratios, and one
 *    `BENCH_JSON {...}` line with every figure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, defaultConfig } from '../src/config/schema.js';
import { sweepAngles } from '../src/core/rotation.js';
import { photoDetection, type SizeOverrides } from '../src/detect/settings.js';
import type { AngleRunner } from '../src/detect/sweep.js';
import { workerRunner } from '../src/detect/worker-runner.js';
import { type DetectionTimes, type DetectorOptions, detectFile, type ImageDetection } from '../src/engine/detector.js';
import { defaultCascadePath } from '../src/vision/cascade/default-model.js';

import {
  fmt,
  fmtLoad,
  fmtRatio,
  makeTestPhoto,
  mb,
  median,
  PHOTO_SOURCE,
  PYTHON,
  ratio,
  ratioJson,
  repoRoot,
  round,
  say,
  table,
} from './common.js';

const STAGES = ['decode', 'grey', 'rotate', 'integral', 'scan', 'group', 'verify', 'dedup'] as const;
/** Stages timed inside the worker threads and summed over them (thread-ms, not wall). */
const WORKER_STAGES = new Set<string>(['rotate', 'integral', 'scan', 'group', 'verify']);
const PHOTO_W = 4000;
const PHOTO_H = 3000;
/** Photos pushed through the pool, two at a time, for the "2 in flight" throughput. */
const IN_FLIGHT_PHOTOS = 4;
/** The blog's detector settings, in pixels of the full-size photo. */
const BLOG = { scaleFactor: 1.1, stepRatio: 2.0, minSize: 100, maxSize: 2000 } as const;
/** The reference's detection-set evaluation settings (shared/reference/README.md). */
const REF_SET = { scaleFactor: 1.1, stepRatio: 2.0, minSize: 24, maxSize: 2000 } as const;

// ---------------------------------------------------------------------------------------------
// Arguments and paths

interface BenchArgs {
  readonly sample: number | 'all';
  readonly runs: number;
  readonly skipReference: boolean;
}

function readArgs(): BenchArgs {
  const { values } = parseArgs({
    options: {
      sample: { type: 'string', default: '20' },
      runs: { type: 'string', default: '3' },
      'skip-reference': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    say('usage: node dist/bench/detect.js [--sample N|all] [--runs N] [--skip-reference]');
    process.exit(0);
  }
  const sample = values.sample === 'all' ? 'all' : Number.parseInt(values.sample, 10);
  if (sample !== 'all' && !(sample >= 1)) throw new Error('--sample must be a positive integer or "all"');
  const runs = Number.parseInt(values.runs, 10);
  if (!(runs >= 1)) throw new Error('--runs must be a positive integer');
  return { sample, runs, skipReference: values['skip-reference'] };
}

/** This process's CPU time (all threads, so the detection workers too), in ms. */
function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// ---------------------------------------------------------------------------------------------
// Machine load: how much CPU other processes took during each phase (from /proc/stat)

/** Busy CPU seconds of the whole machine since boot (all cores), or undefined off Linux. */
function machineBusySeconds(): number | undefined {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = first.trim().split(/\s+/).slice(1, 9).map(Number);
    if (v.length < 8 || v.some((x) => !Number.isFinite(x))) return undefined;
    const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
    return (v.reduce((a, b) => a + b, 0) - idle) / 100; // USER_HZ = 100
  } catch {
    return undefined;
  }
}

interface PhaseLoad {
  readonly phase: string;
  readonly wallSeconds: number;
  /** CPU seconds of the benchmark itself (this process, plus the reference child if any). */
  readonly benchCpuSeconds: number;
  /** CPU seconds everything else on the machine used meanwhile, and the average number of cores that is. */
  readonly otherCpuSeconds: number | null;
  readonly otherCores: number | null;
  readonly loadAvgAtEnd: readonly number[];
}

class LoadMeter {
  readonly phases: PhaseLoad[] = [];
  start(): { wall: number; cpu: number; busy: number | undefined } {
    return { wall: performance.now(), cpu: ownCpuMs(), busy: machineBusySeconds() };
  }
  end(phase: string, since: { wall: number; cpu: number; busy: number | undefined }, childCpuSeconds = 0): void {
    const wallSeconds = (performance.now() - since.wall) / 1000;
    const benchCpuSeconds = (ownCpuMs() - since.cpu) / 1000 + childCpuSeconds;
    const busyNow = machineBusySeconds();
    const other =
      busyNow === undefined || since.busy === undefined ? null : Math.max(0, busyNow - since.busy - benchCpuSeconds);
    this.phases.push({
      phase,
      wallSeconds: round(wallSeconds, 1),
      benchCpuSeconds: round(benchCpuSeconds, 1),
      otherCpuSeconds: other === null ? null : round(other, 1),
      otherCores: other === null || wallSeconds <= 0 ? null : round(other / wallSeconds, 2),
      loadAvgAtEnd: loadavg().map((v) => round(v, 2)),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// facetag measurements

type StageMs = Record<(typeof STAGES)[number], number>;

interface FacetagRun {
  readonly label: string;
  readonly angles: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly stepRatio: number;
  readonly detectionWidth: number;
  readonly detectionHeight: number;
  readonly faces: number;
  /** Median wall time per photo, and each timed run's. */
  readonly wallMs: number;
  readonly wallRunsMs: readonly number[];
  /** Median CPU time of the whole process (main thread + workers + libvips) per photo. */
  readonly cpuMs: number;
  /** Median per-stage times; worker stages are thread-ms summed over the workers. */
  readonly stagesMs: StageMs;
  readonly photosPerSecond: number;
  /** Throughput with two photos in flight on the same worker pool. */
  readonly inFlight2: { readonly photos: number; readonly seconds: number; readonly photosPerSecond: number };
}

async function timeOne(
  file: string,
  options: DetectorOptions,
): Promise<{ ms: number; cpuMs: number; det: ImageDetection }> {
  const cpu = ownCpuMs();
  const t = performance.now();
  const det = await detectFile(file, options);
  return { ms: performance.now() - t, cpuMs: ownCpuMs() - cpu, det };
}

/** The detector's options for a runner made for `detection`'s step, as the engine factory gives them. */
function detectorOptions(runner: AngleRunner, detection: Config['detection'], sizes?: SizeOverrides): DetectorOptions {
  return {
    detection: photoDetection(detection),
    maxPixels: defaultConfig().decode.maxPixels,
    runner,
    ...(sizes ? { sizes } : {}),
  };
}

async function measurePhoto(
  label: string,
  file: string,
  options: DetectorOptions,
  angles: number,
  runs: number,
): Promise<FacetagRun> {
  process.stderr.write(`[facetag] ${label}: warm-up + ${runs} runs + ${IN_FLIGHT_PHOTOS} photos 2 in flight\n`);
  await timeOne(file, options); // warm-up: JIT, worker buffers, sharp caches
  const walls: number[] = [];
  const cpu: number[] = [];
  const times: DetectionTimes[] = [];
  let last: ImageDetection | undefined;
  for (let i = 0; i < runs; i++) {
    const r = await timeOne(file, options);
    walls.push(r.ms);
    cpu.push(r.cpuMs);
    times.push(r.det.times);
    last = r.det;
  }
  if (!last) throw new Error('no timed run');
  // Two photos in flight: one's decode overlaps the other's scan, and a 1-angle scan uses both workers.
  const queue = Array.from({ length: IN_FLIGHT_PHOTOS }, () => file);
  const t0 = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      for (let f = queue.pop(); f !== undefined; f = queue.pop()) await detectFile(f, options);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const stagesMs = {} as StageMs;
  for (const s of STAGES) stagesMs[s] = median(times.map((t) => t[s]));
  const wallMs = median(walls);
  const longest = Math.max(last.detectionWidth, last.detectionHeight);
  const d = options.detection;
  const minSize = options.sizes?.minSize ?? Math.max(24, Math.round(d.minFaceFraction * longest));
  const maxSize = options.sizes?.maxSize ?? Math.max(minSize + 1, Math.round(d.maxFaceFraction * longest));
  return {
    label,
    angles,
    minSize,
    maxSize,
    stepRatio: d.stepRatio,
    detectionWidth: last.detectionWidth,
    detectionHeight: last.detectionHeight,
    faces: last.faces.length,
    wallMs,
    wallRunsMs: walls,
    cpuMs: median(cpu),
    stagesMs,
    photosPerSecond: 1000 / wallMs,
    inFlight2: { photos: IN_FLIGHT_PHOTOS, seconds, photosPerSecond: IN_FLIGHT_PHOTOS / seconds },
  };
}

interface FacetagSet {
  readonly images: number;
  readonly faces: number;
  readonly seconds: number;
  /** Wall per image including decode; without decode; process CPU per image. */
  readonly secondsPerImage: number;
  readonly detectSecondsPerImage: number;
  readonly cpuSecondsPerImage: number;
  readonly stagesMsPerImage: StageMs;
}

async function measureSet(files: readonly string[], options: DetectorOptions): Promise<FacetagSet> {
  await timeOne(files[0] as string, options); // warm-up (not counted)
  let wall = 0;
  let cpu = 0;
  let faces = 0;
  const sums = Object.fromEntries(STAGES.map((s) => [s, 0])) as StageMs;
  for (const f of files) {
    const r = await timeOne(f, options);
    wall += r.ms;
    cpu += r.cpuMs;
    faces += r.det.faces.length;
    for (const s of STAGES) sums[s] += r.det.times[s];
  }
  const n = files.length;
  const perImage = {} as StageMs;
  for (const s of STAGES) perImage[s] = round(sums[s] / n, 1);
  return {
    images: n,
    faces,
    seconds: round(wall / 1000, 2),
    secondsPerImage: round(wall / 1000 / n, 4),
    detectSecondsPerImage: round((wall - sums.decode) / 1000 / n, 4),
    cpuSecondsPerImage: round(cpu / 1000 / n, 4),
    stagesMsPerImage: perImage,
  };
}

// ---------------------------------------------------------------------------------------------
// The Python reference, as a child process

interface RefTimes {
  readonly load: number;
  readonly find: number;
  readonly total: number;
  readonly cpu: number;
  readonly warp: number;
  readonly detect: number;
}

interface RefCommon {
  readonly params: Record<string, number>;
  readonly faces: number;
  readonly max_rss_kib: number;
  readonly cpu_seconds: number;
  readonly omp_num_threads?: string | null;
  readonly skimage?: string;
}

interface RefPhoto extends RefCommon {
  readonly mode: 'photo';
  readonly median: RefTimes;
  readonly runs: readonly RefTimes[];
}

interface RefSet extends RefCommon {
  readonly mode: 'set';
  readonly images: number;
  readonly seconds_per_image: RefTimes;
}

type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };
type RefResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function referenceAvailable(seedlibDir: string, script: string): Availability {
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} not found` };
  if (!existsSync(join(seedlibDir, 'seedlib.py'))) return { ok: false, reason: `no seedlib.py in ${seedlibDir}` };
  if (!existsSync(script)) return { ok: false, reason: `${script} not found` };
  const probe = spawnSync(PYTHON, ['-c', 'import skimage, sklearn'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: probe.error.message };
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
    return { ok: false, reason: `python3 cannot import skimage/sklearn: ${last}` };
  }
  return { ok: true };
}

/** Run reference_detect.py; its progress goes to our stderr, its last `{...}` stdout line is the result. */
function runReference<T extends { mode: string }>(script: string, args: readonly string[]): Promise<RefResult<T>> {
  return new Promise((done) => {
    const child = spawn(PYTHON, [script, ...args], {
      env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', (err) => done({ ok: false, reason: err.message }));
    child.on('close', (code, signal) => {
      if (code !== 0) {
        done({ ok: false, reason: `reference_detect.py exited with ${signal ?? `code ${code}`}` });
        return;
      }
      const line = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      try {
        const parsed: unknown = JSON.parse(line ?? '');
        if (typeof parsed !== 'object' || parsed === null || !('mode' in parsed)) throw new Error('no "mode" key');
        done({ ok: true, value: parsed as T });
      } catch (err) {
        done({ ok: false, reason: `cannot parse reference output (${err instanceof Error ? err.message : err})` });
      }
    });
  });
}

const detectorArgs = (p: { scaleFactor: number; stepRatio: number; minSize: number; maxSize: number }): string[] => [
  '--scale-factor',
  String(p.scaleFactor),
  '--step-ratio',
  String(p.stepRatio),
  '--min-size',
  String(p.minSize),
  '--max-size',
  String(p.maxSize),
];

// ---------------------------------------------------------------------------------------------

/** `sample` images of `dir`, sorted by name, every k-th (k = floor(total / sample)). */
function sampleFiles(dir: string, sample: number | 'all'): string[] {
  const all = readdirSync(dir)
    .filter((n) => /\.(jpe?g|png)$/i.test(n))
    .sort();
  if (sample === 'all' || sample >= all.length) return all.map((n) => join(dir, n));
  const k = Math.max(1, Math.floor(all.length / sample));
  return all
    .filter((_, i) => i % k === 0)
    .slice(0, sample)
    .map((n) => join(dir, n));
}

async function main(): Promise<void> {
  const args = readArgs();
  const root = repoRoot();
  const shared = resolve(process.env.FACETAG_SHARED ?? join(root, '..', 'shared'));
  const threads = availableParallelism();
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const rss: Record<string, number> = {};
  const meter = new LoadMeter();

  say('facetag detection benchmark');
  say(`  ${startedAt.toISOString()}, node ${process.version}, ${threads} threads, ${cpus()[0]?.model ?? '?'}`);
  say(`  load average at start (1/5/15 min): ${fmtLoad(loadAtStart)}; other processes' CPU per phase is listed below`);
  say(`  shared data: ${shared}`);
  say(`  facetag: ${args.runs} timed runs per configuration after 1 warm-up, medians shown`);

  // 1. The 12 MP test photo, made in a child process so libvips' buffers do not inflate our peak RSS.
  const tmp = mkdtempSync(join(tmpdir(), 'facetag-bench-'));
  const photo = join(tmp, 'photo12mp.jpg');
  const photoInfo = await makeTestPhoto(shared, photo, PHOTO_W, PHOTO_H);
  say(
    `  test photo: ${photoInfo.width}x${photoInfo.height} JPEG q92 (${(photoInfo.bytes / 1e6).toFixed(2)} MB), ` +
      `Lanczos-3 upscale of ${PHOTO_SOURCE}, crop [x, y, w, h] = [${photoInfo.crop.join(', ')}]`,
  );
  rss.start = process.resourceUsage().maxRSS;

  // 2. facetag on the 12 MP photo.
  const config = defaultConfig();
  const def = config.detection;
  // One worker pool per configuration (a runner keeps its sweep's angles), closed before the next;
  // each measurement starts with a warm-up run, so the pool's start is not timed.
  const measure = async (label: string, detection: Config['detection'], sizes?: SizeOverrides): Promise<FacetagRun> => {
    const angles = sweepAngles(detection.rotationStep);
    const runner = workerRunner(defaultCascadePath(), angles, threads);
    try {
      return await measurePhoto(label, photo, detectorOptions(runner, detection, sizes), angles.length, args.runs);
    } finally {
      await runner.close();
    }
  };
  let phase = meter.start();
  const noSweepDefault = await measure('facetag default, no sweep', { ...def, rotationStep: 360 });
  rss.afterDefaultNoSweep = process.resourceUsage().maxRSS;
  const sweepDefault = await measure('facetag default, 15° sweep', def);
  rss.afterDefaultSweep = process.resourceUsage().maxRSS;

  // The blog's settings (min 100 / max 2000 px of the 4000 px photo, step 2.0) scaled to the detection image.
  const detSide = Math.max(sweepDefault.detectionWidth, sweepDefault.detectionHeight);
  const blogSizes: SizeOverrides = {
    minSize: Math.round((BLOG.minSize * detSide) / PHOTO_W),
    maxSize: Math.round((BLOG.maxSize * detSide) / PHOTO_W),
  };
  const blog: Config['detection'] = { ...def, scaleFactor: BLOG.scaleFactor, stepRatio: BLOG.stepRatio };
  const noSweepBlog = await measure('facetag blog-equivalent, no sweep', { ...blog, rotationStep: 360 }, blogSizes);
  const sweepBlog = await measure('facetag blog-equivalent, 15° sweep', blog, blogSizes);
  rss.after12mp = process.resourceUsage().maxRSS;
  meter.end('facetag, 12 MP photo (all 4 configurations)', phase);
  const photoRuns = [noSweepDefault, sweepDefault, noSweepBlog, sweepBlog];

  say();
  say(
    `== 12 MP photo, facetag: decoded to a ${sweepDefault.detectionWidth}x${sweepDefault.detectionHeight} ` +
      `detection image, worker pool of ${threads} threads ==`,
  );
  say(
    table(
      [
        'configuration',
        'angles',
        'min..max px',
        'step',
        'wall ms',
        'CPU ms',
        'photos/s',
        '2 in flight/s',
        ...STAGES.map((s) => (WORKER_STAGES.has(s) ? `${s}*` : s)),
        'faces',
      ],
      photoRuns.map((r) => [
        r.label,
        String(r.angles),
        `${r.minSize}..${r.maxSize}`,
        r.stepRatio.toFixed(1),
        fmt(r.wallMs),
        fmt(r.cpuMs),
        fmt(r.photosPerSecond, 3),
        fmt(r.inFlight2.photosPerSecond, 3),
        ...STAGES.map((s) => fmt(r.stagesMs[s], r.stagesMs[s] < 10 ? 1 : 0)),
        String(r.faces),
      ]),
    ),
  );
  say(`  wall ms: median of ${args.runs} per photo, decode included. CPU ms: whole process (all threads) per photo.`);
  say('  * thread-ms summed over the worker threads (not wall; includes time a thread waited for a core).');
  say('  rotate* is 0 in production mode: the kernel turns and integrates the grey image in one pass (integral*).');
  say(`  2 in flight/s: ${IN_FLIGHT_PHOTOS} photos, two detectFile calls at a time on the same pool.`);
  say(
    `  blog-equivalent: scale ${BLOG.scaleFactor}, step ${BLOG.stepRatio}, min ${BLOG.minSize} -> ${blogSizes.minSize} px, ` +
      `max ${BLOG.maxSize} -> ${blogSizes.maxSize} px (x ${detSide}/${PHOTO_W}), via DetectorOptions.sizes.`,
  );

  // 4. The reference on the same photo.
  const seedlibDir = join(shared, 'reference');
  const script = join(root, 'bench', 'reference_detect.py');
  const avail: Availability = args.skipReference
    ? { ok: false, reason: '--skip-reference' }
    : referenceAvailable(seedlibDir, script);
  let refNoSweep: RefResult<RefPhoto> | undefined;
  let refSweep: RefResult<RefPhoto> | undefined;
  say();
  say(
    '== 12 MP photo, Python reference: seedlib.load_rgb + find_faces (no models), OMP_NUM_THREADS=1, full 4000x3000 ==',
  );
  if (!avail.ok) {
    say(`  reference skipped: ${avail.reason}`);
  } else {
    const common = ['--seedlib-dir', seedlibDir, ...detectorArgs(BLOG)];
    phase = meter.start();
    refNoSweep = await runReference<RefPhoto>(script, [
      ...common,
      '--rotation-step',
      '360',
      'photo',
      photo,
      '--runs',
      String(args.runs),
    ]);
    meter.end('reference, 12 MP photo, no sweep', phase, refNoSweep.ok ? refNoSweep.value.cpu_seconds : 0);
    phase = meter.start();
    refSweep = await runReference<RefPhoto>(script, [
      ...common,
      '--rotation-step',
      '15',
      'photo',
      photo,
      '--runs',
      '1',
    ]);
    meter.end('reference, 12 MP photo, 15° sweep', phase, refSweep.ok ? refSweep.value.cpu_seconds : 0);
    const rows = (
      [
        ['reference blog settings, no sweep', refNoSweep],
        ['reference blog settings, 15° sweep', refSweep],
      ] as const
    ).map(([label, r]): string[] => {
      if (!r.ok) return [label, `failed: ${r.reason}`];
      const m = r.value.median;
      return [
        label,
        String(r.value.params.angles),
        `${r.value.params.min_size}..${r.value.params.max_size}`,
        r.value.params.step_ratio?.toFixed(1) ?? '?',
        String(r.value.runs.length),
        fmt(m.total * 1000),
        fmt(m.cpu * 1000),
        fmt(m.load * 1000),
        fmt(m.warp * 1000),
        fmt(m.detect * 1000),
        String(r.value.faces),
        fmt(mb(r.value.max_rss_kib), 1),
      ];
    });
    say(
      table(
        [
          'configuration',
          'angles',
          'min..max px',
          'step',
          'runs',
          'wall ms',
          'CPU ms',
          'load ms',
          'warp ms',
          'cascade ms',
          'faces',
          'peak RSS MB',
        ],
        rows,
      ),
    );
    const version = refSweep.ok ? refSweep.value.skimage : refNoSweep.ok ? refNoSweep.value.skimage : undefined;
    say(`  scikit-image ${version ?? '?'}; wall = load (JPEG decode) + find_faces; median over the runs.`);
  }

  // Ratios on the 12 MP photo.
  const refMs = (r: RefResult<RefPhoto> | undefined, k: keyof RefTimes) =>
    r?.ok ? r.value.median[k] * 1000 : undefined;
  const detectOnly = (r: FacetagRun) => r.wallMs - r.stagesMs.decode;
  const ratios12 = {
    sweepVsDefault: ratio(refMs(refSweep, 'total'), sweepDefault.wallMs),
    sweepVsBlogEquivalent: ratio(refMs(refSweep, 'total'), sweepBlog.wallMs),
    noSweepVsDefault: ratio(refMs(refNoSweep, 'total'), noSweepDefault.wallMs),
    noSweepVsBlogEquivalent: ratio(refMs(refNoSweep, 'total'), noSweepBlog.wallMs),
    sweepDetectOnlyVsBlogEquivalent: ratio(refMs(refSweep, 'find'), detectOnly(sweepBlog)),
    noSweepDetectOnlyVsBlogEquivalent: ratio(refMs(refNoSweep, 'find'), detectOnly(noSweepBlog)),
    sweepCpuVsDefault: ratio(refMs(refSweep, 'cpu'), sweepDefault.cpuMs),
    sweepCpuVsBlogEquivalent: ratio(refMs(refSweep, 'cpu'), sweepBlog.cpuMs),
    noSweepCpuVsDefault: ratio(refMs(refNoSweep, 'cpu'), noSweepDefault.cpuMs),
    noSweepCpuVsBlogEquivalent: ratio(refMs(refNoSweep, 'cpu'), noSweepBlog.cpuMs),
  };
  say();
  say('== 12 MP ratios: reference / facetag, per photo ==');
  const ratioRow = (
    label: string,
    ref: number | undefined,
    ours: number,
    wall: number | undefined,
    cpu: number | undefined,
    target: string,
  ) => [label, fmt(ref), fmt(ours), fmtRatio(wall), fmtRatio(cpu), target];
  say(
    table(
      [
        'comparison (wall includes decode on both sides)',
        'reference ms',
        'facetag ms',
        'wall ratio',
        'CPU ratio',
        'target',
      ],
      [
        ratioRow(
          '15° sweep: reference (blog) / facetag default',
          refMs(refSweep, 'total'),
          sweepDefault.wallMs,
          ratios12.sweepVsDefault,
          ratios12.sweepCpuVsDefault,
          '>= 20x',
        ),
        ratioRow(
          '15° sweep: reference (blog) / facetag blog-equivalent',
          refMs(refSweep, 'total'),
          sweepBlog.wallMs,
          ratios12.sweepVsBlogEquivalent,
          ratios12.sweepCpuVsBlogEquivalent,
          '>= 20x',
        ),
        ratioRow(
          'no sweep: reference (blog) / facetag default',
          refMs(refNoSweep, 'total'),
          noSweepDefault.wallMs,
          ratios12.noSweepVsDefault,
          ratios12.noSweepCpuVsDefault,
          '',
        ),
        ratioRow(
          'no sweep: reference (blog) / facetag blog-equivalent',
          refMs(refNoSweep, 'total'),
          noSweepBlog.wallMs,
          ratios12.noSweepVsBlogEquivalent,
          ratios12.noSweepCpuVsBlogEquivalent,
          '',
        ),
        ratioRow(
          '15° sweep, detection only (no decode), blog-equivalent',
          refMs(refSweep, 'find'),
          detectOnly(sweepBlog),
          ratios12.sweepDetectOnlyVsBlogEquivalent,
          undefined,
          '',
        ),
        ratioRow(
          'no sweep, detection only (no decode), blog-equivalent',
          refMs(refNoSweep, 'find'),
          detectOnly(noSweepBlog),
          ratios12.noSweepDetectOnlyVsBlogEquivalent,
          undefined,
          '',
        ),
      ],
    ),
  );
  say(`  reference: 1 thread on ${PHOTO_W}x${PHOTO_H}; facetag: ${threads} worker threads on its ${detSide} px image.`);

  // 5. Detection set: per-image speed, default sweep against the reference's evaluation settings.
  const setDir = join(shared, 'data', 'detection', 'images');
  const files = sampleFiles(setDir, args.sample);
  const listFile = join(tmp, 'set.json');
  writeFileSync(listFile, JSON.stringify(files));
  say();
  say(`== detection set: ${files.length} images of ${setDir} (sorted by name, every k-th), 15° sweep ==`);
  phase = meter.start();
  process.stderr.write(`[facetag] detection set: ${files.length} images\n`);
  // Both set measurements sweep at 15°: one pool for the two.
  const runner = workerRunner(defaultCascadePath(), sweepAngles(def.rotationStep), threads);
  const options = (detection: Config['detection'], sizes?: SizeOverrides): DetectorOptions =>
    detectorOptions(runner, detection, sizes);
  const facetagSet = await measureSet(files, options(def));
  rss.afterSet = process.resourceUsage().maxRSS;
  meter.end(`facetag default, detection set (${files.length} images)`, phase);
  // Like-for-like: the reference's evaluation settings (step 2.0, min 24, max 2000 detection px).
  phase = meter.start();
  process.stderr.write(`[facetag] detection set, reference-equivalent settings: ${files.length} images\n`);
  const refEquivalentSet = await measureSet(
    files,
    options(
      { ...def, scaleFactor: REF_SET.scaleFactor, stepRatio: REF_SET.stepRatio },
      { minSize: REF_SET.minSize, maxSize: REF_SET.maxSize },
    ),
  );
  meter.end(`facetag reference-equivalent, detection set (${files.length} images)`, phase);
  await runner.close();
  let refSet: RefResult<RefSet> | undefined;
  if (avail.ok) {
    phase = meter.start();
    refSet = await runReference<RefSet>(script, [
      '--seedlib-dir',
      seedlibDir,
      ...detectorArgs(REF_SET),
      '--rotation-step',
      '15',
      'set',
      listFile,
    ]);
    meter.end(`reference, detection set (${files.length} images)`, phase, refSet.ok ? refSet.value.cpu_seconds : 0);
  }
  const refPer = refSet?.ok ? refSet.value.seconds_per_image : undefined;
  const setRows: string[][] = [
    [
      `facetag default (step ${def.stepRatio}, min ${def.minFaceFraction * 100}% of side, >= 24 px), ${threads} threads`,
      fmt(facetagSet.secondsPerImage, 3),
      fmt(facetagSet.detectSecondsPerImage, 3),
      fmt(facetagSet.cpuSecondsPerImage, 3),
      String(facetagSet.faces),
    ],
    [
      `facetag reference-equivalent (step ${REF_SET.stepRatio}, min ${REF_SET.minSize}, max ${REF_SET.maxSize}), ${threads} threads`,
      fmt(refEquivalentSet.secondsPerImage, 3),
      fmt(refEquivalentSet.detectSecondsPerImage, 3),
      fmt(refEquivalentSet.cpuSecondsPerImage, 3),
      String(refEquivalentSet.faces),
    ],
    !refSet
      ? ['reference', `skipped: ${avail.ok ? 'not run' : avail.reason}`]
      : refSet.ok && refPer
        ? [
            `reference (step ${REF_SET.stepRatio}, min ${REF_SET.minSize}, max ${REF_SET.maxSize}), 1 thread`,
            fmt(refPer.total, 3),
            fmt(refPer.find, 3),
            fmt(refPer.cpu, 3),
            String(refSet.value.faces),
          ]
        : ['reference', `failed: ${refSet.ok ? 'no figures' : refSet.reason}`],
  ];
  say(table(['configuration', 's/image', 'detect s/image', 'CPU s/image', 'faces'], setRows));
  say('  s/image: wall incl. decode; detect: without decode; CPU: whole process (all threads), incl. decode.');
  say(
    `  facetag stages per image (ms; * = thread-ms over workers): ${STAGES.map((s) => `${s}${WORKER_STAGES.has(s) ? '*' : ''} ${facetagSet.stagesMsPerImage[s]}`).join(', ')}`,
  );
  const ratiosSet = {
    wall: ratio(refPer?.total, facetagSet.secondsPerImage),
    detectOnly: ratio(refPer?.find, facetagSet.detectSecondsPerImage),
    cpu: ratio(refPer?.cpu, facetagSet.cpuSecondsPerImage),
    refEquivalentWall: ratio(refPer?.total, refEquivalentSet.secondsPerImage),
    refEquivalentDetectOnly: ratio(refPer?.find, refEquivalentSet.detectSecondsPerImage),
    refEquivalentCpu: ratio(refPer?.cpu, refEquivalentSet.cpuSecondsPerImage),
  };
  say(
    `  reference / facetag default: ${fmtRatio(ratiosSet.wall)} wall per image (target >= 3x), ` +
      `${fmtRatio(ratiosSet.detectOnly)} detection only, ${fmtRatio(ratiosSet.cpu)} CPU per image`,
  );
  say(
    `  reference / facetag reference-equivalent: ${fmtRatio(ratiosSet.refEquivalentWall)} wall per image, ` +
      `${fmtRatio(ratiosSet.refEquivalentDetectOnly)} detection only, ${fmtRatio(ratiosSet.refEquivalentCpu)} CPU per image`,
  );

  // 3. Memory.
  say();
  say('== peak RSS (getrusage maxRSS; MB = 1024 KiB) ==');
  const memRows: string[][] = [
    ['facetag process after start-up (test photo made in a child process)', fmt(mb(rss.start ?? 0), 1)],
    ['facetag after 12 MP default no-sweep runs', fmt(mb(rss.afterDefaultNoSweep ?? 0), 1)],
    ['facetag after 12 MP default 15° sweep runs', fmt(mb(rss.afterDefaultSweep ?? 0), 1)],
    ['facetag after all 12 MP runs', fmt(mb(rss.after12mp ?? 0), 1)],
    ['facetag after the detection set (whole run)', fmt(mb(rss.afterSet ?? 0), 1)],
  ];
  if (refNoSweep?.ok)
    memRows.push(['reference 12 MP, no sweep (own process)', fmt(mb(refNoSweep.value.max_rss_kib), 1)]);
  if (refSweep?.ok) memRows.push(['reference 12 MP, 15° sweep (own process)', fmt(mb(refSweep.value.max_rss_kib), 1)]);
  if (refSet?.ok)
    memRows.push(['reference detection set, 15° sweep (own process)', fmt(mb(refSet.value.max_rss_kib), 1)]);
  say(table(['process', 'peak RSS MB'], memRows));

  // Load.
  say();
  say('== machine load per phase (from /proc/stat: CPU used by processes other than this benchmark) ==');
  say(
    table(
      ['phase', 'wall s', 'bench CPU s', 'other CPU s', 'other cores', 'loadavg after'],
      meter.phases.map((p) => [
        p.phase,
        fmt(p.wallSeconds, 1),
        fmt(p.benchCpuSeconds, 1),
        p.otherCpuSeconds === null ? '?' : fmt(p.otherCpuSeconds, 1),
        p.otherCores === null ? '?' : fmt(p.otherCores, 2),
        fmtLoad(p.loadAvgAtEnd),
      ]),
    ),
  );
  say(`  ${threads} cores in all; "other cores" is the average number of cores other processes kept busy.`);

  rmSync(tmp, { recursive: true, force: true });

  const refPhotoJson = (r: RefResult<RefPhoto> | undefined) =>
    r === undefined
      ? null
      : r.ok
        ? {
            runs: r.value.runs.length,
            angles: r.value.params.angles,
            wallMs: round(r.value.median.total * 1000, 1),
            cpuMs: round(r.value.median.cpu * 1000, 1),
            loadMs: round(r.value.median.load * 1000, 1),
            warpMs: round(r.value.median.warp * 1000, 1),
            cascadeMs: round(r.value.median.detect * 1000, 1),
            faces: r.value.faces,
            peakRssMB: mb(r.value.max_rss_kib),
          }
        : { error: r.reason };
  const facetagJson = (r: FacetagRun) => ({
    angles: r.angles,
    minSize: r.minSize,
    maxSize: r.maxSize,
    stepRatio: r.stepRatio,
    wallMs: round(r.wallMs, 1),
    wallRunsMs: r.wallRunsMs.map((v) => round(v, 1)),
    cpuMs: round(r.cpuMs, 1),
    photosPerSecond: round(r.photosPerSecond, 3),
    photosPerSecond2InFlight: round(r.inFlight2.photosPerSecond, 3),
    stagesMs: Object.fromEntries(STAGES.map((s) => [s, round(r.stagesMs[s], 1)])),
    faces: r.faces,
  });
  const json = {
    date: startedAt.toISOString(),
    node: process.version,
    threads,
    cpu: cpus()[0]?.model ?? null,
    runs: args.runs,
    photo: {
      source: PHOTO_SOURCE,
      width: photoInfo.width,
      height: photoInfo.height,
      bytes: photoInfo.bytes,
      detectionWidth: sweepDefault.detectionWidth,
      detectionHeight: sweepDefault.detectionHeight,
      blogEquivalentSizes: blogSizes,
    },
    facetag12mp: {
      defaultSweep: facetagJson(sweepDefault),
      defaultNoSweep: facetagJson(noSweepDefault),
      blogEquivalentSweep: facetagJson(sweepBlog),
      blogEquivalentNoSweep: facetagJson(noSweepBlog),
    },
    reference12mp: avail.ok
      ? { sweep: refPhotoJson(refSweep), noSweep: refPhotoJson(refNoSweep) }
      : { skipped: avail.reason },
    ratios12mp: Object.fromEntries(Object.entries(ratios12).map(([k, v]) => [k, ratioJson(v)])),
    detectionSet: {
      images: files.length,
      sample: args.sample,
      facetag: facetagSet,
      facetagReferenceEquivalent: refEquivalentSet,
      reference:
        refSet === undefined
          ? { skipped: avail.ok ? 'not run' : avail.reason }
          : refSet.ok
            ? {
                secondsPerImage: Object.fromEntries(
                  Object.entries(refSet.value.seconds_per_image).map(([k, v]) => [k, round(v, 4)]),
                ),
                faces: refSet.value.faces,
                peakRssMB: mb(refSet.value.max_rss_kib),
              }
            : { error: refSet.reason },
      ratios: Object.fromEntries(Object.entries(ratiosSet).map(([k, v]) => [k, ratioJson(v)])),
    },
    peakRssMB: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, mb(v)])),
    load: { start: loadAtStart.map((v) => round(v, 2)), phases: meter.phases },
  };
  say();
  say(`BENCH_JSON ${JSON.stringify(json)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:detect failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
