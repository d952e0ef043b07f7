import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../src/config/schema.js';
import type { AngleRunner } from '../src/detect/sweep.js';
import { type DetectorOptions, detectDecoded } from '../src/engine/detector.js';
import { embedFaces, type NeuralEngine } from '../src/neural/neural-engine.js';
import { neuralPool } from '../src/neural/neural-pool.js';
import { decodeImage } from '../src/vision/decode.js';
import { fmtLoad, makeTestPhoto, mb, median, PHOTO_SOURCE, repoRoot, round, say } from './common.js';

const noCascade: AngleRunner = {
  run: () => Promise.reject(new Error('not used')),
  close: async () => {},
};

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
  const engine: NeuralEngine = { pool, settings };
  const options: DetectorOptions = {
    detection: config.detection,
    maxPixels: config.decode.maxPixels,
    runner: noCascade,
    neural: engine,
  };
  const detectTimes: number[] = [];
  const fullTimes: number[] = [];
  let faces = 0;
  try {
    for (let i = 0; i <= runs; i++) {
      // As the pipeline does it: one decode at detection size, detect, then embed the kept faces.
      let t = performance.now();
      const image = await decodeImage(photo, { maxPixels: config.decode.maxPixels, maxSide: config.detection.maxSide });
      const d = await detectDecoded(image, options);
      const detectS = (performance.now() - t) / 1000;
      t = performance.now();
      const embeddings = await embedFaces(
        engine,
        image,
        d.faces.map((f) => f.hit),
      );
      const embedS = (performance.now() - t) / 1000;
      faces = d.faces.length;
      if (i === 0) {
        say(`  warm-up (loads the nets): detect ${detectS.toFixed(2)} s, embed ${embedS.toFixed(2)} s`);
        continue;
      }
      detectTimes.push(detectS);
      fullTimes.push(detectS + embedS);
      if (embeddings.some((e) => e === null)) say('  note: a face got no embedding');
    }
  } finally {
    await pool.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const peak = process.resourceUsage().maxRSS;
  const result = {
    workers: pool.threads,
    rotationStep: settings.rotationStep,
    faces,
    runs,
    detectSecondsPerPhoto: round(median(detectTimes)),
    detectAndEmbedSecondsPerPhoto: round(median(fullTimes)),
    detectSeconds: detectTimes.map((v) => round(v)),
    peakRssMb: mb(peak),
    loadAverageAtEnd: loadavg().map((v) => round(v, 2)),
  };
  say(
    `  ${result.workers} worker(s), ${360 / settings.rotationStep} angle(s), ${faces} face(s): ` +
      `detect ${result.detectSecondsPerPhoto} s/photo, detect + embeddings ${result.detectAndEmbedSecondsPerPhoto} s/photo ` +
      `(median of ${runs}); peak RSS ${result.peakRssMb} MB`,
  );
  say(`  load average at end: ${fmtLoad(loadavg())}`);
  say(JSON.stringify(result));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench neural: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
