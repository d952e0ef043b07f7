import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { defaultConfig } from '../src/config/schema.js';
import { type DetectorOptions, detectDecoded } from '../src/engine/detector.js';
import { neuralDetectorOptions } from '../src/engine/engines.js';
import { embedFaces, type NeuralEngine } from '../src/neural/neural-engine.js';
import { neuralPool } from '../src/neural/neural-pool.js';
import { decodeImage } from '../src/vision/decode.js';
import { fmtLoad, makeTestPhoto, mb, median, PHOTO_SOURCE, repoRoot, round, say } from './common.js';

/** A family photo of one face (LFW, 250 px), shrunk to 150 px: the small photos of issue 17. */
const SMALL_SOURCE = 'data/library/photos/2019/01/IMG_0003.jpg';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, workers: { type: 'string' }, 'rotation-step': { type: 'string' } },
  });
  const runs = Number(values.runs ?? 5);
  const config = defaultConfig();
  const workers = Number(values.workers ?? config.neural.workers);
  const settings = { ...config.neural, rotationStep: Number(values['rotation-step'] ?? config.neural.rotationStep) };
  const shared = join(repoRoot(), '..', 'shared');
  const tmp = mkdtempSync(join(tmpdir(), 'facetag-bench-neural-'));
  const photo = join(tmp, 'photo12mp.jpg');
  const info = await makeTestPhoto(shared, photo, 4000, 3000);
  say('facetag neural engine benchmark');
  say(`  ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  say(`  test photo ${info.width}x${info.height} JPEG (${(info.bytes / 1e6).toFixed(2)} MB) from ${PHOTO_SOURCE}`);
  say(`  load average at start: ${fmtLoad(loadavg())}`);
  // npm run bench:neural sets it as deploy/facetag.service does; run directly to see without it.
  say(`  MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '(unset: glibc default)'}`);

  const pool = neuralPool(workers);
  const options = neuralDetectorOptions({ ...config, neural: settings }, pool);
  const engine = options.neural;
  const small = join(tmp, 'small150.jpg');
  await sharp(join(shared, SMALL_SOURCE)).resize(150, 150).jpeg({ quality: 90 }).toFile(small);
  let big: Measured;
  let little: Measured;
  try {
    big = await measure(photo, '12 MP', runs, options, engine);
    little = await measure(small, '150 px', runs, options, engine);
  } finally {
    await pool.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const peak = process.resourceUsage().maxRSS;
  const backends = pool.backends?.() ?? {};
  const result = {
    workers: pool.workers,
    backends,
    rotationStep: settings.rotationStep,
    faces: big.faces,
    runs,
    detectSecondsPerPhoto: big.detect,
    detectAndEmbedSecondsPerPhoto: big.full,
    detectSeconds: big.detectTimes,
    smallPhoto: { source: SMALL_SOURCE, faces: little.faces, detect: little.detect, detectAndEmbed: little.full },
    stagesMs: { '12 MP': big.stages, '150 px': little.stages },
    peakRssMb: mb(peak),
    loadAverageAtEnd: loadavg().map((v) => round(v, 2)),
  };
  say(`  nets on: detection ${backends.detect ?? '?'}, embeddings ${backends.embed ?? '?'}`);
  say(
    `  ${result.workers} worker(s), ${engine.angles.length} angle(s), ${big.faces} face(s): ` +
      `detect ${result.detectSecondsPerPhoto} s/photo, detect + embeddings ${result.detectAndEmbedSecondsPerPhoto} s/photo ` +
      `(median of ${runs}); peak RSS ${result.peakRssMb} MB`,
  );
  say(
    `  150 px photo (${SMALL_SOURCE}), ${little.faces} face(s): detect ${little.detect} s, detect + embeddings ` +
      `${little.full} s (median of ${runs}): at most ${Math.round(3600 / little.full)} photos/hour one at a time`,
  );
  say('');
  say('  where the time goes, ms per photo (median of the runs; worker stages summed over the workers):');
  say(`  ${'stage'.padEnd(44)}${'12 MP'.padStart(10)}${'150 px'.padStart(10)}`);
  for (const key of Object.keys(big.stages)) {
    say(`  ${key.padEnd(44)}${String(big.stages[key]).padStart(10)}${String(little.stages[key] ?? '').padStart(10)}`);
  }
  say(`  load average at end: ${fmtLoad(loadavg())}`);
  say(JSON.stringify(result));
}

interface Measured {
  readonly faces: number;
  readonly detect: number;
  readonly full: number;
  readonly detectTimes: number[];
  /** Median ms per stage. */
  readonly stages: Record<string, number>;
}

/** `runs` timed passes (after one warm-up) of one photo, as the pipeline does it, with the pool's stage times. */
async function measure(
  photo: string,
  label: string,
  runs: number,
  options: DetectorOptions,
  engine: NeuralEngine,
): Promise<Measured> {
  const detectTimes: number[] = [];
  const fullTimes: number[] = [];
  const perStage = new Map<string, number[]>();
  const add = (key: string, ms: number) => perStage.set(key, [...(perStage.get(key) ?? []), ms]);
  const stageMs = () => engine.pool.stageMs?.() ?? {};
  let faces = 0;
  for (let i = 0; i <= runs; i++) {
    const before = stageMs();
    // As the pipeline does it: one decode at detection size, detect, then embed the kept faces.
    let t = performance.now();
    const image = await decodeImage(photo, { maxPixels: options.maxPixels, maxSide: options.detection.maxSide });
    const decodeMs = performance.now() - t;
    t = performance.now();
    const d = await detectDecoded(image, options);
    const detectMs = performance.now() - t;
    t = performance.now();
    const embeddings = await embedFaces(
      engine,
      image,
      d.faces.map((f) => f.hit),
    );
    const embedMs = performance.now() - t;
    faces = d.faces.length;
    if (i === 0) {
      say(
        `  ${label}, warm-up (loads the nets): detect ${(detectMs / 1000).toFixed(2)} s, embed ${(embedMs / 1000).toFixed(2)} s`,
      );
      continue;
    }
    const after = stageMs();
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    const workerDetect =
      delta('detect.rotate') +
      delta('detect.ssd') +
      delta('detect.margin') +
      delta('detect.mosaic') +
      delta('detect.focus');
    add('decode (main thread, wall)', decodeMs);
    add('detect (wall)', detectMs);
    add('  shrink to the SSD input (main)', delta('detect.shrink'));
    add('  rotate the canvas (workers)', delta('detect.rotate'));
    add('  SSD at full size (workers)', delta('detect.ssd'));
    add('  SSD with margin, upright (workers)', delta('detect.margin'));
    add('  SSD, canvases four to a pass (workers)', delta('detect.mosaic'));
    add('  SSD, a closer look where the faces are (workers)', delta('detect.focus'));
    // A small photo's passes run on one worker; a large photo's are shared by all of them.
    const workersBusy = delta('detect.ssd') > 0 ? engine.pool.workers : 1;
    add('  rest: merge, orientation model, waiting', detectMs - delta('detect.shrink') - workerDetect / workersBusy);
    add('embed (wall)', embedMs);
    add('  crop the chip (worker)', delta('embed.crop'));
    add('  68 landmarks (worker)', delta('embed.landmarks'));
    add('  align (worker)', delta('embed.align'));
    add('  descriptor (worker)', delta('embed.descriptor'));
    detectTimes.push(detectMs / 1000);
    fullTimes.push((detectMs + embedMs) / 1000);
    if (embeddings.some((e) => e === null)) say(`  note (${label}): a face got no embedding`);
  }
  return {
    faces,
    detect: round(median(detectTimes)),
    full: round(median(fullTimes)),
    detectTimes: detectTimes.map((v) => round(v)),
    stages: Object.fromEntries([...perStage].map(([k, v]) => [k, Math.round(median(v))])),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench neural: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
