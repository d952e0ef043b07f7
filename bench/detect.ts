/**
 * Detection benchmark: prints figures and ratios, never passes or fails.
 *
 *   npm run bench:detect -- [--sample N|all] [--runs N] [--skip-reference]
 *
 * 1. A 12 MP (4000x3000) test photo, upscaled with Lanczos from a shared/data detection image.
 * 2. facetag on it (default config; full 15° sweep and no sweep; plus the blog's settings scaled to
 *    the detection image), median wall time, per-stage times, photos/s with 1 and 2 in flight.
 * 3. The Python reference (shared/reference/seedlib.py via bench/reference_detect.py) on the same
 *    photo with the blog's settings, and both on a sample of the detection set.
 * 4. Peak RSS of both, ratios, and one `BENCH_JSON {...}` line with every figure.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { defaultConfig } from '../src/config/schema.js';
import { type DetectionTimes, type DetectorOptions, detectFile, type ImageDetection } from '../src/detect/detector.js';
import type { DetectionConfig, SizeOverrides } from '../src/detect/settings.js';
import { workerRunner } from '../src/detect/worker-runner.js';
import { defaultCascadePath } from '../src/vision/cascade/default-model.js';

const execFileAsync = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const STAGES = ['decode', 'grey', 'rotate', 'integral', 'scan', 'group', 'dedup'] as const;
const WORKER_STAGES = new Set<string>(['rotate', 'integral', 'scan', 'group']);
const PHOTO_SOURCE = 'data/detection/images/pic03263.jpg';
const PHOTO_W = 4000;
const PHOTO_H = 3000;
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
    process.stdout.write('usage: node dist/bench/detect.js [--sample N|all] [--runs N] [--skip-reference]\n');
    process.exit(0);
  }
  const sample = values.sample === 'all' ? 'all' : Number.parseInt(values.sample, 10);
  if (sample !== 'all' && !(sample >= 1)) throw new Error(`--sample must be a positive integer or "all"`);
  const runs = Number.parseInt(values.runs, 10);
  if (!(runs >= 1)) throw new Error('--runs must be a positive integer');
  return { sample, runs, skipReference: values['skip-reference'] };
}

/** The repository root: the nearest folder above this module holding package.json (works from dist/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json)');
    dir = parent;
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Small numeric and formatting helpers

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const round = (v: number, digits = 3): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);
const mb = (kib: number): number => round(kib / 1024, 1);
const fmt = (v: number | undefined, digits = 0): string =>
  v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || !(b > 0) ? undefined : a / b;
const fmtRatio = (r: number | undefined): string => (r === undefined ? 'n/a' : `${r.toFixed(1)}x`);
const loadText = (): string =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
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
  readonly wallMs: number;
  readonly wallRunsMs: readonly number[];
  /** Median per-stage times; worker stages are CPU-ms summed over threads. */
  readonly stagesMs: StageMs;
  /** rotate + integral + scan + group (CPU-ms on the workers). */
  readonly workerCpuMs: number;
  readonly photosPerSecond: number;
  /** Throughput with two photos in flight on the same worker pool. */
  readonly concurrent2?: { readonly photos: number; readonly seconds: number; readonly photosPerSecond: number };
}

function stageMedians(all: readonly DetectionTimes[]): StageMs {
  const out = {} as StageMs;
  for (const s of STAGES) out[s] = median(all.map((t) => t[s]));
  return out;
}

async function timeOne(file: string, options: DetectorOptions): Promise<{ ms: number; det: ImageDetection }> {
  const t = performance.now();
  const det = await detectFile(file, options);
  return { ms: performance.now() - t, det };
}

async function measurePhoto(
  label: string,
  file: string,
  options: DetectorOptions,
  runs: number,
  inFlightPhotos: number,
): Promise<FacetagRun> {
  const warm = await timeOne(file, options); // warm-up: JIT, worker start-up, sharp caches
  const walls: number[] = [];
  const times: DetectionTimes[] = [];
  let last = warm.det;
  for (let i = 0; i < runs; i++) {
    const { ms, det } = await timeOne(file, options);
    walls.push(ms);
    times.push(det.times);
    last = det;
  }
  // Two photos in flight: decode of one overlaps the sweep of the other; both share the pool.
  const queue = Array.from({ length: inFlightPhotos }, () => file);
  const t0 = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      for (let f = queue.pop(); f !== undefined; f = queue.pop()) await detectFile(f, options);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const stagesMs = stageMedians(times);
  const wallMs = median(walls);
  const scan = options.sizes ?? {};
  const settingsMin = scan.minSize ?? Math.max(24, Math.round(options.detection.minFaceFraction * maxSide(last)));
  const settingsMax =
    scan.maxSize ?? Math.max(settingsMin + 1, Math.round(options.detection.maxFaceFraction * maxSide(last)));
  return {
    label,
    angles: 360 / options.detection.rotationStep,
    minSize: settingsMin,
    maxSize: settingsMax,
    stepRatio: options.detection.stepRatio,
    detectionWidth: last.detectionWidth,
    detectionHeight: last.detectionHeight,
    faces: last.faces.length,
    wallMs,
    wallRunsMs: walls,
    stagesMs,
    workerCpuMs: stagesMs.rotate + stagesMs.integral + stagesMs.scan + stagesMs.group,
    photosPerSecond: 1000 / wallMs,
    concurrent2: { photos: inFlightPhotos, seconds, photosPerSecond: inFlightPhotos / seconds },
  };
}

const maxSide = (d: ImageDetection): number => Math.max(d.detectionWidth, d.detectionHeight);

interface FacetagSet {
  readonly images: number;
  readonly faces: number;
  readonly seconds: number;
  readonly secondsPerImage: number;
  readonly detectSecondsPerImage: number;
  readonly workerCpuSecondsPerImage: number;
  readonly stagesMsPerImage: StageMs;
}

async function measureSet(files: readonly string[], options: DetectorOptions): Promise<FacetagSet> {
  let wall = 0;
  let decode = 0;
  let faces = 0;
  const sums = Object.fromEntries(STAGES.map((s) => [s, 0])) as StageMs;
  for (const f of files) {
    const { ms, det } = await timeOne(f, options);
    wall += ms;
    decode += det.times.decode;
    faces += det.faces.length;
    for (const s of STAGES) sums[s] += det.times[s];
  }
  const n = files.length;
  const perImage = {} as StageMs;
  for (const s of STAGES) perImage[s] = round(sums[s] / n, 1);
  return {
    images: n,
    faces,
    seconds: round(wall / 1000),
    secondsPerImage: round(wall / 1000 / n, 4),
    detectSecondsPerImage: round((wall - decode) / 1000 / n, 4),
    workerCpuSecondsPerImage: round((sums.rotate + sums.integral + sums.scan + sums.group) / 1000 / n, 4),
    stagesMsPerImage: perImage,
  };
}

// ---------------------------------------------------------------------------------------------
// The Python reference, as a child process

interface RefTimes {
  readonly load: number;
  readonly find: number;
  readonly total: number;
  readonly warp: number;
  readonly detect: number;
}

interface RefPhoto {
  readonly mode: 'photo';
  readonly params: Record<string, number>;
  readonly median: RefTimes;
  readonly runs: readonly RefTimes[];
  readonly faces: number;
  readonly shape: readonly number[];
  readonly max_rss_kib: number;
  readonly omp_num_threads: string | null;
  readonly skimage?: string;
}

interface RefSet {
  readonly mode: 'set';
  readonly params: Record<string, number>;
  readonly images: number;
  readonly faces: number;
  readonly seconds_per_image: RefTimes;
  readonly sum: RefTimes;
  readonly max_rss_kib: number;
}

type RefResult<T> =
  | { readonly ok: true; readonly value: T; readonly wallSeconds: number }
  | { readonly ok: false; readonly reason: string };

function referenceAvailable(seedlibDir: string): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} not found` };
  if (!existsSync(join(seedlibDir, 'seedlib.py'))) return { ok: false, reason: `no seedlib.py in ${seedlibDir}` };
  const probe = spawnSync(PYTHON, ['-c', 'import skimage, sklearn'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: probe.error.message };
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
    return { ok: false, reason: `python3 cannot import skimage/sklearn: ${last}` };
  }
  return { ok: true };
}

function runReference<T extends { mode: string }>(script: string, args: readonly string[]): Promise<RefResult<T>> {
  return new Promise((done) => {
    const t0 = performance.now();
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
      const wallSeconds = (performance.now() - t0) / 1000;
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
        if (typeof parsed !== 'object' || parsed === null || !('mode' in parsed)) throw new Error('no mode');
        done({ ok: true, value: parsed as T, wallSeconds });
      } catch (err) {
        done({ ok: false, reason: `cannot parse reference output (${err instanceof Error ? err.message : err})` });
      }
    });
  });
}

const detParams = (p: { scaleFactor: number; stepRatio: number; minSize: number; maxSize: number }): string[] => [
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

  say('facetag detection benchmark');
  say(`  node ${process.version}, ${threads} threads (availableParallelism), ${cpus()[0]?.model ?? 'unknown CPU'}`);
  say(`  load average at start (1/5/15 min): ${loadText()}   (other jobs on the machine make every timing noisy)`);
  say(`  shared data: ${shared}`);
  say(`  runs per configuration: ${args.runs} after 1 warm-up; medians shown`);

  // 1. The 12 MP test photo, made in a child process so its buffers do not inflate our peak RSS.
  const tmp = mkdtempSync(join(tmpdir(), 'facetag-bench-'));
  const photo = join(tmp, 'photo12mp.jpg');
  const made = await execFileAsync(process.execPath, [
    join(dirname(fileURLToPath(import.meta.url)), 'make-photo.js'),
    join(shared, PHOTO_SOURCE),
    photo,
    String(PHOTO_W),
    String(PHOTO_H),
  ]);
  const photoInfo = JSON.parse(made.stdout.trim()) as { crop: number[]; width: number; height: number; bytes: number };
  say(
    `  test photo: ${photoInfo.width}x${photoInfo.height} JPEG q92 (${(photoInfo.bytes / 1e6).toFixed(2)} MB), ` +
      `Lanczos upscale of ${PHOTO_SOURCE} crop [${photoInfo.crop.join(', ')}]`,
  );
  rss.start = process.resourceUsage().maxRSS;

  // 2. facetag on the 12 MP photo.
  const config = defaultConfig();
  const runner = workerRunner(defaultCascadePath(), threads);
  const base = (detection: DetectionConfig, sizes?: SizeOverrides): DetectorOptions => ({
    detection,
    maxPixels: config.decode.maxPixels,
    runner,
    ...(sizes ? { sizes } : {}),
  });
  const def = config.detection;
  const inFlight = Math.max(4, 2 * args.runs);
  const photoRuns: FacetagRun[] = [];
  const noSweepDefault = await measurePhoto(
    'facetag default, no sweep',
    photo,
    base({ ...def, rotationStep: 360 }),
    args.runs,
    inFlight,
  );
  photoRuns.push(noSweepDefault);
  rss.afterNoSweep = process.resourceUsage().maxRSS;
  const sweepDefault = await measurePhoto('facetag default, 15° sweep', photo, base(def), args.runs, inFlight);
  photoRuns.push(sweepDefault);
  rss.afterSweep = process.resourceUsage().maxRSS;

  // The blog's settings (min 100, max 2000 px of the 4000 px photo, step 2.0) scaled to the detection image.
  const detW = Math.max(sweepDefault.detectionWidth, sweepDefault.detectionHeight);
  const blogSizes: SizeOverrides = {
    minSize: Math.round((BLOG.minSize * detW) / PHOTO_W),
    maxSize: Math.round((BLOG.maxSize * detW) / PHOTO_W),
  };
  const blogDetection: DetectionConfig = { ...def, scaleFactor: BLOG.scaleFactor, stepRatio: BLOG.stepRatio };
  const noSweepBlog = await measurePhoto(
    'facetag blog-equivalent, no sweep',
    photo,
    base({ ...blogDetection, rotationStep: 360 }, blogSizes),
    args.runs,
    inFlight,
  );
  photoRuns.push(noSweepBlog);
  const sweepBlog = await measurePhoto(
    'facetag blog-equivalent, 15° sweep',
    photo,
    base(blogDetection, blogSizes),
    args.runs,
    inFlight,
  );
  photoRuns.push(sweepBlog);
  rss.after12mp = process.resourceUsage().maxRSS;
  const loadAfter12mp = loadavg();

  say();
  say(
    `== 12 MP photo, facetag: ${photoRuns[0]?.detectionWidth}x${photoRuns[0]?.detectionHeight} detection image, ` +
      `worker pool of ${threads} threads ==`,
  );
  say(
    table(
      [
        'configuration',
        'angles',
        'min..max px',
        'step',
        'wall ms',
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
        fmt(r.photosPerSecond, 2),
        fmt(r.concurrent2?.photosPerSecond, 2),
        ...STAGES.map((s) => fmt(r.stagesMs[s], WORKER_STAGES.has(s) && r.stagesMs[s] < 10 ? 1 : 0)),
        String(r.faces),
      ]),
    ),
  );
  say(
    `  * CPU-ms summed over the worker threads (not wall). wall ms = decode + grey + sweep wall + dedup, median of ${args.runs}.`,
  );
  say(`  2 in flight: ${inFlight} photos, two detectFile calls at a time on the same pool.`);
  say(
    `  blog-equivalent: scale 1.1, step 2.0, min ${BLOG.minSize}→${blogSizes.minSize} px, max ${BLOG.maxSize}→${blogSizes.maxSize} px (× ${detW}/${PHOTO_W}).`,
  );
  say(`  load average after facetag 12 MP runs: ${loadAfter12mp.map((v) => v.toFixed(2)).join(' ')}`);

  // 4. The reference on the same photo.
  const seedlibDir = join(shared, 'reference');
  const script = join(root, 'bench', 'reference_detect.py');
  const avail: { ok: true } | { ok: false; reason: string } = args.skipReference
    ? { ok: false, reason: '--skip-reference' }
    : referenceAvailable(seedlibDir);
  let refNoSweep: RefResult<RefPhoto> | undefined;
  let refSweep: RefResult<RefPhoto> | undefined;
  let refSet: RefResult<RefSet> | undefined;
  say();
  say('== 12 MP photo, Python reference (seedlib.load_rgb + find_faces, no models, OMP_NUM_THREADS=1) ==');
  if (!avail.ok) {
    say(`  reference skipped: ${avail.reason}`);
  } else {
    const common = ['--seedlib-dir', seedlibDir, ...detParams(BLOG)];
    say(`  running reference, no sweep (${args.runs} runs)...`);
    refNoSweep = await runReference<RefPhoto>(script, [
      ...common,
      '--rotation-step',
      '360',
      'photo',
      photo,
      '--runs',
      String(args.runs),
    ]);
    say('  running reference, 15° sweep (1 run: about a minute or more)...');
    refSweep = await runReference<RefPhoto>(script, [
      ...common,
      '--rotation-step',
      '15',
      'photo',
      photo,
      '--runs',
      '1',
    ]);
    const rows: string[][] = [];
    for (const [label, r] of [
      ['reference blog settings, no sweep', refNoSweep],
      ['reference blog settings, 15° sweep', refSweep],
    ] as const) {
      if (!r.ok) {
        rows.push([label, `failed: ${r.reason}`, '', '', '', '', '', '', '']);
        continue;
      }
      const m = r.value.median;
      rows.push([
        label,
        String(r.value.params.angles),
        `${r.value.params.min_size}..${r.value.params.max_size}`,
        String(r.value.runs.length),
        fmt(m.load * 1000),
        fmt(m.warp * 1000),
        fmt(m.detect * 1000),
        fmt(m.total * 1000),
        String(r.value.faces),
        `${mb(r.value.max_rss_kib)}`,
      ]);
    }
    say(
      table(
        [
          'configuration',
          'angles',
          'min..max px',
          'runs',
          'load ms',
          'warp ms',
          'cascade ms',
          'wall ms',
          'faces',
          'peak RSS MB',
        ],
        rows,
      ),
    );
    say(
      `  scikit-image ${refSweep.ok ? (refSweep.value.skimage ?? '?') : '?'}, single thread, on the full ${PHOTO_W}x${PHOTO_H} image, step 2.0.`,
    );
  }

  // Ratios on the 12 MP photo.
  const refSweepMs = refSweep?.ok ? refSweep.value.median.total * 1000 : undefined;
  const refNoSweepMs = refNoSweep?.ok ? refNoSweep.value.median.total * 1000 : undefined;
  const refSweepFindMs = refSweep?.ok ? refSweep.value.median.find * 1000 : undefined;
  const refNoSweepFindMs = refNoSweep?.ok ? refNoSweep.value.median.find * 1000 : undefined;
  const detectOnly = (r: FacetagRun) => r.wallMs - r.stagesMs.decode;
  const ratios12 = {
    sweepVsDefault: ratio(refSweepMs, sweepDefault.wallMs),
    sweepVsBlogEquivalent: ratio(refSweepMs, sweepBlog.wallMs),
    noSweepVsDefault: ratio(refNoSweepMs, noSweepDefault.wallMs),
    noSweepVsBlogEquivalent: ratio(refNoSweepMs, noSweepBlog.wallMs),
    sweepDetectOnlyVsBlogEquivalent: ratio(refSweepFindMs, detectOnly(sweepBlog)),
    noSweepDetectOnlyVsBlogEquivalent: ratio(refNoSweepFindMs, detectOnly(noSweepBlog)),
  };
  say();
  say('== 12 MP ratios: reference wall / facetag wall per photo (decode included on both sides) ==');
  say(
    table(
      ['comparison', 'reference ms', 'facetag ms', 'ratio', 'target'],
      [
        [
          '15° sweep: reference (blog) vs facetag default',
          fmt(refSweepMs),
          fmt(sweepDefault.wallMs),
          fmtRatio(ratios12.sweepVsDefault),
          '>= 20x',
        ],
        [
          '15° sweep: reference (blog) vs facetag blog-equivalent',
          fmt(refSweepMs),
          fmt(sweepBlog.wallMs),
          fmtRatio(ratios12.sweepVsBlogEquivalent),
          '>= 20x',
        ],
        [
          'no sweep: reference (blog) vs facetag default',
          fmt(refNoSweepMs),
          fmt(noSweepDefault.wallMs),
          fmtRatio(ratios12.noSweepVsDefault),
          '',
        ],
        [
          'no sweep: reference (blog) vs facetag blog-equivalent',
          fmt(refNoSweepMs),
          fmt(noSweepBlog.wallMs),
          fmtRatio(ratios12.noSweepVsBlogEquivalent),
          '',
        ],
        [
          '15° sweep, detection only (no decode), blog-equivalent',
          fmt(refSweepFindMs),
          fmt(detectOnly(sweepBlog)),
          fmtRatio(ratios12.sweepDetectOnlyVsBlogEquivalent),
          '',
        ],
        [
          'no sweep, detection only (no decode), blog-equivalent',
          fmt(refNoSweepFindMs),
          fmt(detectOnly(noSweepBlog)),
          fmtRatio(ratios12.noSweepDetectOnlyVsBlogEquivalent),
          '',
        ],
      ],
    ),
  );
  say(
    `  reference: 1 thread on ${PHOTO_W}x${PHOTO_H}; facetag: ${threads} worker threads on its ${detW}px detection image.`,
  );

  // 5. Detection set: per-image speed.
  const setDir = join(shared, 'data', 'detection', 'images');
  const files = sampleFiles(setDir, args.sample);
  const listFile = join(tmp, 'set.json');
  writeFileSync(listFile, JSON.stringify(files));
  say();
  say(`== detection set: ${files.length} images of ${setDir} (sorted by name, every k-th) ==`);
  const loadBeforeSet = loadavg();
  const facetagSet = await measureSet(files, base(def));
  rss.afterSet = process.resourceUsage().maxRSS;
  if (avail.ok) {
    say(`  running reference sweep over ${files.length} images (about 6 s/image)...`);
    refSet = await runReference<RefSet>(script, [
      '--seedlib-dir',
      seedlibDir,
      ...detParams(REF_SET),
      '--rotation-step',
      '15',
      'set',
      listFile,
    ]);
  }
  const refSetPer = refSet?.ok ? refSet.value.seconds_per_image : undefined;
  const setRows: string[][] = [
    [
      `facetag default (${def.stepRatio} step, min ${Math.round(def.minFaceFraction * 1000) / 10}% ≥24 px), 15° sweep, ${threads} threads`,
      fmt(facetagSet.secondsPerImage, 3),
      fmt(facetagSet.detectSecondsPerImage, 3),
      fmt(facetagSet.workerCpuSecondsPerImage, 3),
      String(facetagSet.faces),
    ],
  ];
  if (refSet) {
    setRows.push(
      refSet.ok && refSetPer
        ? [
            `reference (step ${REF_SET.stepRatio}, min ${REF_SET.minSize}, max ${REF_SET.maxSize}), 15° sweep, 1 thread`,
            fmt(refSetPer.total, 3),
            fmt(refSetPer.find, 3),
            fmt(refSetPer.find, 3),
            String(refSet.value.faces),
          ]
        : ['reference', `failed: ${refSet.ok ? '?' : refSet.reason}`, '', '', ''],
    );
  } else {
    setRows.push(['reference', `skipped: ${avail.ok ? '?' : avail.reason}`, '', '', '']);
  }
  say(table(['configuration', 's/image', 'detect s/image', 'CPU s/image', 'faces'], setRows));
  say(
    '  s/image = wall incl. decode; detect = without decode; CPU = facetag worker CPU (rotate+integral+scan+group), reference = its single thread.',
  );
  say(
    `  facetag per-image stages (ms; * = CPU over threads): ${STAGES.map((s) => `${s}${WORKER_STAGES.has(s) ? '*' : ''} ${facetagSet.stagesMsPerImage[s]}`).join(', ')}`,
  );
  const ratiosSet = {
    wall: ratio(refSetPer?.total, facetagSet.secondsPerImage),
    detectOnly: ratio(refSetPer?.find, facetagSet.detectSecondsPerImage),
    perCpu: ratio(refSetPer?.find, facetagSet.workerCpuSecondsPerImage),
  };
  say(
    `  ratio reference / facetag: ${fmtRatio(ratiosSet.wall)} wall (target >= 3x), ${fmtRatio(ratiosSet.detectOnly)} detection only, ` +
      `${fmtRatio(ratiosSet.perCpu)} per CPU-second`,
  );
  say(`  load average before the set: ${loadBeforeSet.map((v) => v.toFixed(2)).join(' ')}`);

  await runner.close();

  // 3. Memory.
  say();
  say('== peak RSS (maxRSS, 1 MB = 1024 KiB) ==');
  const memRows: string[][] = [
    ['facetag process after making the photo (child process) + start-up', `${mb(rss.start ?? 0)}`],
    ['facetag after default no-sweep runs', `${mb(rss.afterNoSweep ?? 0)}`],
    ['facetag after default 15° sweep runs', `${mb(rss.afterSweep ?? 0)}`],
    ['facetag after all 12 MP runs', `${mb(rss.after12mp ?? 0)}`],
    ['facetag after the detection set (whole run)', `${mb(rss.afterSet ?? 0)}`],
  ];
  if (refNoSweep?.ok) memRows.push(['reference 12 MP, no sweep (own process)', `${mb(refNoSweep.value.max_rss_kib)}`]);
  if (refSweep?.ok) memRows.push(['reference 12 MP, 15° sweep (own process)', `${mb(refSweep.value.max_rss_kib)}`]);
  if (refSet?.ok) memRows.push(['reference detection set, 15° sweep (own process)', `${mb(refSet.value.max_rss_kib)}`]);
  say(table(['process', 'peak RSS MB'], memRows));
  const loadAtEnd = loadavg();
  say(`  load average at end: ${loadText()}`);

  rmSync(tmp, { recursive: true, force: true });

  const refPhotoJson = (r: RefResult<RefPhoto> | undefined) =>
    r === undefined
      ? null
      : r.ok
        ? {
            runs: r.value.runs.length,
            angles: r.value.params.angles,
            wallMs: round(r.value.median.total * 1000, 1),
            loadMs: round(r.value.median.load * 1000, 1),
            warpMs: round(r.value.median.warp * 1000, 1),
            cascadeMs: round(r.value.median.detect * 1000, 1),
            faces: r.value.faces,
            peakRssMB: mb(r.value.max_rss_kib),
          }
        : { error: r.reason };
  const ftJson = (r: FacetagRun) => ({
    angles: r.angles,
    minSize: r.minSize,
    maxSize: r.maxSize,
    stepRatio: r.stepRatio,
    wallMs: round(r.wallMs, 1),
    wallRunsMs: r.wallRunsMs.map((v) => round(v, 1)),
    photosPerSecond: round(r.photosPerSecond, 3),
    photosPerSecond2InFlight: round(r.concurrent2?.photosPerSecond ?? Number.NaN, 3),
    stagesMs: Object.fromEntries(STAGES.map((s) => [s, round(r.stagesMs[s], 1)])),
    workerCpuMs: round(r.workerCpuMs, 1),
    faces: r.faces,
  });
  const r1 = (v: number | undefined) => (v === undefined ? null : round(v, 2));
  const json = {
    date: startedAt.toISOString(),
    node: process.version,
    threads,
    cpu: cpus()[0]?.model ?? null,
    loadAvg: {
      start: loadAtStart.map((v) => round(v, 2)),
      after12mp: loadAfter12mp.map((v) => round(v, 2)),
      end: loadAtEnd.map((v) => round(v, 2)),
    },
    runs: args.runs,
    photo: {
      source: PHOTO_SOURCE,
      width: photoInfo.width,
      height: photoInfo.height,
      bytes: photoInfo.bytes,
      detectionWidth: sweepDefault.detectionWidth,
      detectionHeight: sweepDefault.detectionHeight,
    },
    facetag12mp: {
      defaultSweep: ftJson(sweepDefault),
      defaultNoSweep: ftJson(noSweepDefault),
      blogEquivalentSweep: ftJson(sweepBlog),
      blogEquivalentNoSweep: ftJson(noSweepBlog),
    },
    reference12mp: avail.ok
      ? { sweep: refPhotoJson(refSweep), noSweep: refPhotoJson(refNoSweep) }
      : { skipped: avail.reason },
    ratios12mp: Object.fromEntries(Object.entries(ratios12).map(([k, v]) => [k, r1(v)])),
    detectionSet: {
      images: files.length,
      sample: args.sample,
      facetag: facetagSet,
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
      ratios: Object.fromEntries(Object.entries(ratiosSet).map(([k, v]) => [k, r1(v)])),
    },
    peakRssMB: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, mb(v)])),
  };
  say();
  say(`BENCH_JSON ${JSON.stringify(json)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:detect failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
