/**
 * Acceptance: "a failing or slow gallery does not slow or stop tagging". The real job runner
 * analyses photos (a fake analyser stands in for detection) while the plugin host delivers to the
 * immich plugin against a fake Immich that is slow, never answers, or fails every call. Tagging
 * must finish in the time it takes without any gallery, the event loop must stay responsive, and
 * delivery must lag behind rather than hold analysis up.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pluginsSchema } from '../../src/config/plugins.js';
import { createLogger } from '../../src/core/logger.js';
import type { AnalyseJobContext, Analyser } from '../../src/daemon/backfill.js';
import { startJobRunner } from '../../src/daemon/job-runner.js';
import { startPluginHost } from '../../src/plugins/host.js';
import { openDatabase } from '../../src/store/db.js';
import { queueStats } from '../../src/store/jobs.js';
import { queuePhotos } from '../../src/store/photos.js';
import { FakeGallery } from '../helpers/fake-gallery.js';
import { tmpDir } from '../helpers/paths.js';

let root = '';
before(async () => {
  root = await tmpDir('facetag-plugin-tagging-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const PHOTOS = 40;
const ANALYSIS_MS = 10;

/** Detection stand-in: a little async work, one named face per photo. */
const analyser: Analyser = async () => {
  await sleep(ANALYSIS_MS);
  return {
    ok: true,
    width: 400,
    height: 300,
    orientation: 1,
    takenAt: null,
    modelVersion: 'test',
    faces: [
      {
        rect: { cx: 100, cy: 100, width: 50, height: 60, angle: 0 },
        strength: 4,
        predictedPerson: 'Ann',
        decisionValue: 2,
      },
    ],
  };
};

type Mode = 'slow' | 'hanging' | 'failing' | 'none';

/** Tags PHOTOS photos with the gallery in `mode`; returns how long tagging took and the worst event-loop stall. */
async function tagWhileGallery(mode: Mode): Promise<{ tagMs: number; maxStallMs: number; galleryFaces: number }> {
  const dir = join(root, mode);
  await mkdir(join(dir, 'photos'), { recursive: true });
  const db = openDatabase(join(dir, 'data'));
  const gallery = await FakeGallery.start();
  const files = [];
  for (let i = 0; i < PHOTOS; i++) {
    const path = join(dir, 'photos', `p${i}.jpg`);
    await writeFile(path, `photo ${i}`);
    const s = await stat(path);
    files.push({ path, size: s.size, mtimeMs: Math.trunc(s.mtimeMs), reason: 'new' as const });
    gallery.immich.assets.push({ id: randomUUID(), originalPath: path, checksum: 'x' });
  }
  if (mode === 'slow') gallery.delayMs = 1500;
  if (mode === 'hanging') gallery.hang = true;
  if (mode === 'failing') {
    gallery.failNext = Number.MAX_SAFE_INTEGER;
    gallery.failStatus = 500;
  }
  const log = createLogger({ write: () => {}, rateLimit: false });
  const host =
    mode === 'none'
      ? undefined
      : await startPluginHost({
          db,
          dataDir: join(dir, 'data'),
          entries: pluginsSchema.parse([
            {
              name: 'immich',
              deadlineSeconds: 2,
              concurrency: 4,
              options: { baseUrl: gallery.url, apiKey: gallery.immichKey, matchByChecksum: false },
            },
          ]),
          log,
          delivery: { idlePollMs: 20, backoff: { baseMs: 50, maxMs: 200 } },
        });

  let maxStallMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const t = performance.now();
    maxStallMs = Math.max(maxStallMs, t - last - 5);
    last = t;
  }, 5);

  const ctx: AnalyseJobContext = { db, pipelineVersion: 1, analyse: analyser, now: Date.now };
  const started = performance.now();
  queuePhotos(db, files, Date.now());
  let analysed = 0;
  const runner = startJobRunner({
    ctx,
    concurrency: 2,
    log,
    idlePollMs: 20,
    onResult: (r) => {
      if (r.kind === 'analysed') analysed++;
      host?.wake(); // what the daemon does after each commit
    },
  });
  try {
    while (analysed < PHOTOS) {
      if (performance.now() - started > 20_000) throw new Error(`only ${analysed} photos tagged in 20 s (${mode})`);
      await sleep(5);
    }
    const tagMs = performance.now() - started;
    assert.equal(queueStats(db, Date.now()).total, 0);
    return { tagMs, maxStallMs, galleryFaces: gallery.immich.faces.length };
  } finally {
    clearInterval(ticker);
    await runner.stop();
    const stopping = performance.now();
    await host?.stop();
    assert.ok(performance.now() - stopping < 3000, `host stop bounded (${mode})`);
    await gallery.close();
    db.close();
  }
}

test('a slow, hanging or failing gallery does not slow or stop tagging', async () => {
  const baseline = await tagWhileGallery('none');
  for (const mode of ['slow', 'hanging', 'failing'] as const) {
    const r = await tagWhileGallery(mode);
    // The floor is PHOTOS × ANALYSIS_MS / 2 = 200 ms; allow the noise of a shared 2-core machine.
    assert.ok(
      r.tagMs < baseline.tagMs * 1.5 + 300,
      `${mode}: tagging took ${Math.round(r.tagMs)} ms, without a gallery ${Math.round(baseline.tagMs)} ms`,
    );
    assert.ok(r.maxStallMs < 150, `${mode}: the event loop stalled for ${Math.round(r.maxStallMs)} ms`);
    // Delivery lags instead of holding analysis: a 1.5 s gallery cannot have taken all 40 yet.
    assert.ok(r.galleryFaces < PHOTOS, `${mode}: ${r.galleryFaces} faces reached the gallery already`);
  }
});
