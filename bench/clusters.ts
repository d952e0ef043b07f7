/**
 * `npm run bench:clusters`: the cost of the clusters of unknown faces (issue 13, "Speed and scale").
 *
 * 1. A store with 10,000 unknown faces (synthetic 128-d embeddings shaped like face-api's on the dev
 *    library: same-person pairs ~0.45 apart, different persons ~1.0; 30 % of faces strangers seen
 *    once, the rest persons with 2-200 faces). The clustering service places all of them (per-face
 *    cost), refines once, then `GET /api/unknown-faces` is timed over the real HTTP API (median of 20).
 * 2. Scale: the per-face placement cost with 10k, 25k, 50k and 100k faces already clustered, and
 *    the process's peak RSS holding 100k (a 100,000-photo library has about that many faces).
 * Figures, not assertions: this machine is shared and noisy.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaceClusters } from '../src/cluster/face-clusters.js';
import { createLogger } from '../src/core/logger.js';
import { createClusteringService } from '../src/daemon/clustering.js';
import { startHttpServer } from '../src/http/app.js';
import { embeddingSpec, featureKey } from '../src/recognize/features.js';
import { recordAnalysis } from '../src/store/analysis.js';
import { openDatabase } from '../src/store/db.js';
import { fmt, median, table } from './common.js';
import { benchHttpApi } from './http-app.js';

const spec = embeddingSpec(0.5);
const KEY = featureKey(spec);
const D = spec.dimensions;

/** A seeded generator (mulberry32): the same population on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Embeddings of `n` faces: persons' centres ~0.88 apart, their faces spread ~0.45 around them. */
function population(n: number, seed = 1): Float32Array[] {
  const r = random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  const centreSd = Math.sqrt(0.00311);
  const faceSd = Math.sqrt(0.00079);
  const out: Float32Array[] = [];
  while (out.length < n) {
    const stranger = r() < 0.3;
    const size = stranger ? 1 : 2 + Math.floor(r() ** 3 * 199);
    const centre = Float32Array.from({ length: D }, () => gauss() * centreSd);
    for (let i = 0; i < size && out.length < n; i++) out.push(centre.map((c) => c + gauss() * faceSd));
  }
  // Interleaved, as photos of many people arrive over time.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as Float32Array, out[i] as Float32Array];
  }
  return out;
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function apiBench(faces: number): Promise<string[][]> {
  const dir = join(tmpdir(), `facetag-bench-clusters-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  const db = openDatabase(join(dir, 'data'));
  const chip = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const vectors = population(faces);
  let t = performance.now();
  db.transaction(() => {
    vectors.forEach((v, i) => {
      recordAnalysis(
        db,
        null,
        {
          path: join(dir, 'photos', `IMG_${i}.jpg`),
          size: 1000,
          mtimeMs: 1_700_000_000_000,
          hash: i.toString(16).padStart(64, '0'),
          pipelineVersion: 1,
          modelVersion: null,
          width: 4000,
          height: 3000,
          orientation: 1,
          takenAt: null,
          faces: [
            {
              rect: { cx: 100, cy: 100, width: 80, height: 80, angle: 0 },
              strength: 900,
              chip,
              chipPadding: 0.5,
              features: v,
              featureKey: KEY,
            },
          ],
        },
        1_700_000_000_000,
      );
    });
  })();
  const seedS = (performance.now() - t) / 1000;
  const log = createLogger({ write: () => {}, syslogPrefix: false });
  const service = createClusteringService({ db, featureKey: KEY, dimensions: D, log, refineLimit: faces });
  t = performance.now();
  await service.sync();
  const placeS = (performance.now() - t) / 1000;
  t = performance.now();
  await service.refine();
  const refineS = (performance.now() - t) / 1000;
  const { clusters } = service.status();

  const app = benchHttpApi({
    db,
    dataDir: join(dir, 'data'),
    photoRoots: [join(dir, 'photos')],
    log,
    clusters: { takeOut: (id) => service.takeOut(id) },
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  const rows: string[][] = [];
  for (const limit of [500, 2000]) {
    const ms: number[] = [];
    let groups = 0;
    for (let i = 0; i < 21; i++) {
      const s = performance.now();
      const res = await fetch(`${server.url}/api/unknown-faces?limit=${limit}`);
      const body = (await res.json()) as { groups: unknown[] };
      if (i > 0) ms.push(performance.now() - s);
      groups = body.groups.length;
    }
    rows.push([`GET /api/unknown-faces?limit=${limit}`, `${fmt(median(ms), 1)} ms`, `${groups} groups`]);
  }
  await server.close();
  await service.stop();
  db.close();
  await rm(dir, { recursive: true, force: true });
  return [
    [`seed ${faces} unknown faces`, `${fmt(seedS, 1)} s`, ''],
    [`place ${faces} faces (service sync)`, `${fmt(placeS, 1)} s`, `${fmt((placeS * 1000) / faces, 2)} ms/face`],
    ['refine (whole clustering again)', `${fmt(refineS, 1)} s`, `${clusters} clusters`],
    ...rows,
  ];
}

function scaleBench(): string[][] {
  const sizes = [10_000, 25_000, 50_000, 100_000];
  const all = population(sizes[sizes.length - 1] ?? 0, 2);
  const fresh = population(200, 3);
  const rows: string[][] = [];
  let next = 1;
  const clusters = new FaceClusters(D, { maxDistance: 0.5 }, () => next++);
  let loaded = 0;
  for (const n of sizes) {
    // What the store kept: faces restored under their clusters (one per face here: the cost of a
    // placement depends on how many faces there are, not on how they are grouped).
    for (; loaded < n; loaded++) clusters.restore(loaded + 1, all[loaded] as Float32Array, next++);
    const t = performance.now();
    for (const [i, v] of fresh.entries()) clusters.add(1_000_000 + n + i, v);
    const perFace = (performance.now() - t) / fresh.length;
    for (let i = 0; i < fresh.length; i++) clusters.remove(1_000_000 + n + i);
    rows.push([
      `${n.toLocaleString('en')} faces clustered`,
      `${fmt(perFace, 2)} ms per new face`,
      `${fmt(peakRssMb())} MB peak RSS`,
    ]);
  }
  return rows;
}

async function main(): Promise<void> {
  process.stdout.write('bench:clusters: 10,000 unknown faces through the store, the service and the HTTP API\n');
  process.stdout.write(`${table(['step', 'time', ''], await apiBench(10_000))}\n`);
  process.stdout.write('\nscale: placing one new face with many already clustered (FaceClusters alone)\n');
  process.stdout.write(`${table(['library', 'cost', 'memory'], scaleBench())}\n`);
}

await main();
