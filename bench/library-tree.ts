/**
 * A generated photo library for the benchmarks: tiny files under year/event folders, and a store
 * that already holds them as analysed and announced (what a daemon finds after its first backfill).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIPELINE_VERSION } from '../src/daemon/backfill.js';
import { hashBytes } from '../src/files/content-hash.js';
import { recordAnalysis } from '../src/store/analysis.js';
import { openDatabase } from '../src/store/db.js';

export function buildTree(root: string, files: number, dirs: number): string[] {
  const paths: string[] = [];
  const perDir = Math.ceil(files / dirs);
  for (let d = 0; d < dirs && paths.length < files; d++) {
    // Two levels, like year/event folders.
    const folder = join(root, `${2000 + (d % 25)}`, `event-${String(d).padStart(4, '0')}`);
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < perDir && paths.length < files; i++) {
      const path = join(folder, `IMG_${String(i).padStart(4, '0')}.jpg`);
      writeFileSync(path, `photo ${d}/${i}`);
      paths.push(path);
    }
  }
  return paths;
}

export function seed(dataDir: string, paths: readonly string[]): void {
  const db = openDatabase(dataDir);
  const face = { rect: { cx: 50, cy: 50, width: 30, height: 30, angle: 0 }, strength: 3, support: 3 };
  // One outer transaction: each recordAnalysis becomes a savepoint, so seeding takes seconds.
  db.transaction(() => {
    for (const path of paths) {
      const s = statSync(path);
      const bytes = readFileSync(path);
      recordAnalysis(
        db,
        null,
        {
          path,
          size: s.size,
          mtimeMs: Math.trunc(s.mtimeMs),
          hash: hashBytes(bytes),
          pipelineVersion: PIPELINE_VERSION,
          modelVersion: null,
          width: 100,
          height: 100,
          orientation: 1,
          takenAt: null,
          faces: [face],
        },
        Date.now(),
      );
    }
    // After a first backfill the sidecars are written and the plugins told: without this, the
    // daemon under test would spend its "idle" minute delivering 100k seeded announcements.
    db.prepare('UPDATE outbox SET delivered_at = created_at WHERE delivered_at IS NULL').run();
  })();
  db.close();
}
