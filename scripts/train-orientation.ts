/**
 * Trains the face orientation network (src/recognize/face-orientation.ts) and writes
 * models/face-orientation.json. Data: the upright faces of ../shared/data/identity and
 * ../shared/data/library, swept by the SSD as the detector sweeps them; every box of the face in
 * the middle, at each angle it is found at, is a chip labelled by that angle, and 3 copies cut
 * from the photo shrunk so the face is 16-100 px. Every 10th face is held out to report accuracy.
 * Model: one hidden layer (ReLU) and softmax, mini-batch gradient descent with momentum and L2,
 * seeded: the same hits give the same file. The sweep (~7 min) is cached in the temp folder.
 * Run: `npm run build && node dist/scripts/train-orientation.js`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { defaultConfig } from '../src/config/schema.js';
import { sweepAngles } from '../src/core/rotation.js';
import { type NeuralPool, neuralPool } from '../src/neural/neural-pool.js';
import { passes } from '../src/neural/on-axis.js';
import { shrinkRaster } from '../src/neural/shrink.js';
import {
  ORIENTATION_CHIP,
  ORIENTATION_CLASSES,
  ORIENTATION_STEP,
  orientationFeatures,
} from '../src/recognize/face-orientation.js';
import type { AngleHit } from '../src/vision/detect-angle.js';
import { scaleRect } from '../src/vision/geometry.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const shared = process.env.FACETAG_SHARED ?? resolve(repoRoot, '../shared');
const JITTERS = 3;
const HIDDEN = 64;
const EPOCHS = 40;
const BATCH = 32;
const RATE = 0.02;
const MOMENTUM = 0.9;
const L2 = 1e-4;
/** Every VALIDATE-th source face is held out to report accuracy on faces the model never saw. */
const VALIDATE = 10;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.jpg') ? [join(dir, e.name)] : [],
  );
}

/** mulberry32: a small seeded generator, so the model is reproducible. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sample {
  x: Float64Array;
  y: number;
}

/**
 * The chips the detector will judge: the SSD's own boxes of each source face, at every angle of
 * the sweep it is found at (labelled by that angle, since the sources are upright). A model taught
 * on boxes cut around LFW's face centre kept a clear upright 86 px face of the detection set
 * upside down, because the SSD's box sits a tenth of a face higher and is taller than wide. Each
 * box is also cut from the photo shrunk so the face is 16-100 px across (log-uniform), as group
 * photos' faces are.
 */
async function samples(
  sources: readonly string[],
  rand: () => number,
  pool: NeuralPool,
  cache: Record<string, AngleHit[]>,
): Promise<Sample[]> {
  const { minConfidence, offAxisMinConfidence, rotationStep } = defaultConfig().neural;
  const angles = sweepAngles(rotationStep);
  const out: Sample[] = [];
  for (const [n, file] of sources.entries()) {
    const { data, info } = await sharp(file)
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const photo = { width: info.width, height: info.height, channels: 3 as const, pixels: new Uint8Array(data) };
    // Every angle at full size: the model learns from the faces at each angle (no orientation to trust yet).
    cache[file] ??= await pool.detect(photo, angles, Math.min(minConfidence, offAxisMinConfidence), () => false);
    const hits = cache[file];
    // The source's face is the one in the middle (LFW crops, the library's portraits).
    const centred = hits.filter(
      (h) =>
        passes(h.strength, h.rect.angle, minConfidence, offAxisMinConfidence) &&
        Math.hypot(h.rect.cx - photo.width / 2, h.rect.cy - photo.height / 2) < 0.15 * photo.width,
    );
    for (const hit of centred) {
      const q = Math.round((((hit.rect.angle % 360) + 360) % 360) / ORIENTATION_STEP) % ORIENTATION_CLASSES;
      out.push({ x: orientationFeatures(photo, hit.rect), y: q });
      for (let j = 0; j < JITTERS; j++) {
        const side = (hit.rect.width + hit.rect.height) / 2;
        const wanted = Math.exp(Math.log(16) + rand() * (Math.log(100) - Math.log(16)));
        if (wanted >= side) continue;
        const longest = Math.max(photo.width, photo.height);
        const { image, scale } = shrinkRaster(photo, Math.round((longest * wanted) / side));
        out.push({ x: orientationFeatures(image, scaleRect(hit.rect, scale)), y: q });
      }
    }
    if ((n + 1) % 100 === 0) process.stdout.write(`${n + 1} of ${sources.length} photos swept\n`);
  }
  return out;
}

/** A one-hidden-layer network (ReLU, softmax), as the model file stores it. */
interface Net {
  mean: Float64Array;
  scale: Float64Array;
  hidden: Float64Array[];
  out: Float64Array[];
}

function forward(net: Net, z: Float64Array): { h: Float64Array; p: Float64Array } {
  const d = z.length;
  const h = new Float64Array(net.hidden.length);
  for (let u = 0; u < h.length; u++) {
    const w = net.hidden[u] as Float64Array;
    let s = w[d] as number;
    for (let i = 0; i < d; i++) s += (w[i] as number) * (z[i] as number);
    h[u] = Math.max(0, s);
  }
  const p = new Float64Array(ORIENTATION_CLASSES);
  let max = -Infinity;
  for (let c = 0; c < p.length; c++) {
    const w = net.out[c] as Float64Array;
    let s = w[h.length] as number;
    for (let u = 0; u < h.length; u++) s += (w[u] as number) * (h[u] as number);
    p[c] = s;
    max = Math.max(max, s);
  }
  let sum = 0;
  for (let c = 0; c < p.length; c++) {
    p[c] = Math.exp((p[c] as number) - max);
    sum += p[c] as number;
  }
  for (let c = 0; c < p.length; c++) p[c] = (p[c] as number) / sum;
  return { h, p };
}

const standardise = (net: Net, x: Float64Array): Float64Array =>
  Float64Array.from(x, (v, i) => (v - (net.mean[i] as number)) / (net.scale[i] as number));

function accuracy(net: Net, set: readonly Sample[]): number {
  let right = 0;
  for (const s of set) {
    const { p } = forward(net, standardise(net, s.x));
    if (p.indexOf(Math.max(...p)) === s.y) right++;
  }
  return right / set.length;
}

/** Mini-batch gradient descent with momentum and L2, in a seeded order. */
function train(set: readonly Sample[], rand: () => number, report: (epoch: number, net: Net) => void): Net {
  const d = set[0]?.x.length ?? 0;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const s of set) for (let i = 0; i < d; i++) mean[i] = (mean[i] as number) + (s.x[i] as number) / set.length;
  for (const s of set)
    for (let i = 0; i < d; i++)
      scale[i] = (scale[i] as number) + ((s.x[i] as number) - (mean[i] as number)) ** 2 / set.length;
  for (let i = 0; i < d; i++) scale[i] = Math.sqrt(scale[i] as number) + 1e-6;
  // He initialisation from the seeded generator (Box-Muller).
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const layer = (rows: number, inputs: number) =>
    Array.from({ length: rows }, () => {
      const w = new Float64Array(inputs + 1);
      for (let i = 0; i < inputs; i++) w[i] = gauss() * Math.sqrt(2 / inputs);
      return w;
    });
  const net: Net = { mean, scale, hidden: layer(HIDDEN, d), out: layer(ORIENTATION_CLASSES, HIDDEN) };
  const zs = set.map((s) => standardise(net, s.x));
  const vHidden = net.hidden.map((w) => new Float64Array(w.length));
  const vOut = net.out.map((w) => new Float64Array(w.length));
  const gHidden = net.hidden.map((w) => new Float64Array(w.length));
  const gOut = net.out.map((w) => new Float64Array(w.length));
  const order = set.map((_, i) => i);
  const dh = new Float64Array(HIDDEN);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const rate = RATE * (epoch > EPOCHS * 0.75 ? 0.1 : 1);
    for (let b = 0; b < order.length; b += BATCH) {
      for (const g of gHidden) g.fill(0);
      for (const g of gOut) g.fill(0);
      const batch = order.slice(b, b + BATCH);
      for (const n of batch) {
        const z = zs[n] as Float64Array;
        const y = (set[n] as Sample).y;
        const { h, p } = forward(net, z);
        dh.fill(0);
        for (let c = 0; c < ORIENTATION_CLASSES; c++) {
          const e = (p[c] as number) - (c === y ? 1 : 0);
          const g = gOut[c] as Float64Array;
          const w = net.out[c] as Float64Array;
          for (let u = 0; u < HIDDEN; u++) {
            g[u] = (g[u] as number) + e * (h[u] as number);
            dh[u] = (dh[u] as number) + e * (w[u] as number);
          }
          g[HIDDEN] = (g[HIDDEN] as number) + e;
        }
        for (let u = 0; u < HIDDEN; u++) {
          if ((h[u] as number) <= 0) continue;
          const e = dh[u] as number;
          const g = gHidden[u] as Float64Array;
          for (let i = 0; i < d; i++) g[i] = (g[i] as number) + e * (z[i] as number);
          g[d] = (g[d] as number) + e;
        }
      }
      const step = (ws: Float64Array[], gs: Float64Array[], vs: Float64Array[]) => {
        for (let r = 0; r < ws.length; r++) {
          const w = ws[r] as Float64Array;
          const g = gs[r] as Float64Array;
          const v = vs[r] as Float64Array;
          const last = w.length - 1;
          for (let i = 0; i < w.length; i++) {
            const grad = (g[i] as number) / batch.length + (i < last ? L2 * (w[i] as number) : 0);
            v[i] = MOMENTUM * (v[i] as number) - rate * grad;
            w[i] = (w[i] as number) + (v[i] as number);
          }
        }
      };
      step(net.hidden, gHidden, vHidden);
      step(net.out, gOut, vOut);
    }
    report(epoch, net);
  }
  return net;
}

async function main(): Promise<void> {
  const sources = [...files(join(shared, 'data/identity')), ...files(join(shared, 'data/library/photos'))].sort();
  const rand = random(14);
  const heldOut = sources.filter((_, i) => i % VALIDATE === 0);
  const taught = sources.filter((_, i) => i % VALIDATE !== 0);
  // The sweep takes ~7 min and depends only on the photos and the SSD: kept between runs.
  const cacheFile = join(tmpdir(), 'facetag-orientation-hits.json');
  const cache: Record<string, AngleHit[]> = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
  const pool = neuralPool(2);
  const set = await samples(taught, rand, pool, cache);
  const check = await samples(heldOut, rand, pool, cache);
  await pool.close();
  writeFileSync(cacheFile, JSON.stringify(cache));
  const d = set[0]?.x.length ?? 0;
  process.stdout.write(
    `${taught.length} faces (${set.length} chips) taught, ${heldOut.length} held out, ${d} features\n`,
  );
  const net = train(set, rand, (epoch, n) => {
    if (epoch % 5 === 0 || epoch === 1)
      process.stdout.write(
        `epoch ${epoch}: accuracy taught ${accuracy(n, set).toFixed(4)}, held out ${accuracy(n, check).toFixed(4)}\n`,
      );
  });
  const out = resolve(repoRoot, 'models/face-orientation.json');
  const round = (v: number) => Number(v.toPrecision(5));
  const rows = (ws: Float64Array[]) => ws.map((w) => [...w].map(round));
  writeFileSync(
    out,
    `${JSON.stringify({
      version: 2,
      chip: ORIENTATION_CHIP,
      features: d,
      mean: [...net.mean].map(round),
      scale: [...net.scale].map(round),
      hidden: rows(net.hidden),
      weights: rows(net.out),
      trainedOn: `scripts/train-orientation.ts: ${taught.length} upright LFW faces (data/identity, data/library) (the SSD's boxes at every angle each is found at, and ${JITTERS} shrunk copies, faces 16-100 px); held-out accuracy ${accuracy(net, check).toFixed(4)} on ${heldOut.length} other faces`,
    })}\n`,
  );
  process.stdout.write(`wrote ${out}\n`);
}

await main();
