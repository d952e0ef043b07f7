/**
 * Reconcile benchmark (issue 4: "100k unchanged files are reconciled in ≤ 10 s"), plus the content
 * hash's throughput. Not a test: it prints figures.
 *
 *   node <build>/bench/reconcile.js [--files 100000] [--dirs 1000] [--runs 3] [--keep]
 *
 * Builds a tree of tiny files under /tmp (files spread over `--dirs` folders), records every file
 * as analysed, then times reconcile of the unchanged tree in a fresh child process each run (so
 * RSS is reconcile's own, not the tree builder's), then once more after touching 1 %, moving 0.1 %
 * and deleting 0.1 % of the files. The tree is in the page cache, as it is for a daemon that
 * reconciles on a schedule; a cold NAS is slower on stat and that is the network, not this code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PIPELINE_VERSION } from '../src/daemon/backfill.js';
import { reconcile } from '../src/daemon/reconcile.js';
import { hashFile } from '../src/files/content-hash.js';
import { openDatabase } from '../src/store/db.js';
import { buildTree, seed } from './library-tree.js';

interface ChildResult {
  seconds: number;
  unchanged: number;
  queued: number;
  moved: number;
  removed: number;
  hashed: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  maxRssMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** In the child: open the store, reconcile once, report. */
async function child(root: string, dataDir: string): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const db = openDatabase(dataDir);
  const t = performance.now();
  const r = await reconcile({ db, roots: [root], pipelineVersion: PIPELINE_VERSION, now: Date.now });
  const seconds = (performance.now() - t) / 1000;
  db.close();
  const result: ChildResult = {
    seconds,
    unchanged: r.unchanged,
    queued: Object.values(r.queued).reduce((a, b) => a + b, 0),
    moved: r.moved,
    removed: r.removed,
    hashed: r.hashed,
    rssBeforeMb: mb(rssBefore),
    rssAfterMb: mb(process.memoryUsage().rss),
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
  };
  process.stdout.write(JSON.stringify(result));
}

function runChild(root: string, dataDir: string): ChildResult {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', root, dataDir], {
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`reconcile child failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as ChildResult;
}

async function hashSpeed(dir: string): Promise<number[]> {
  const file = join(dir, 'hash-bench.bin');
  const size = 256 * 1048576;
  const chunk = Buffer.alloc(1048576);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  writeFileSync(file, Buffer.concat(Array.from({ length: size / chunk.length }, () => chunk)));
  const speeds: number[] = [];
  for (let run = 0; run < 3; run++) {
    const t = performance.now();
    await hashFile(file);
    speeds.push(Math.round(size / 1e6 / ((performance.now() - t) / 1000)));
  }
  rmSync(file);
  return speeds;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      child: { type: 'boolean', default: false },
      files: { type: 'string', default: '100000' },
      dirs: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.child) {
    const [root, dataDir] = positionals;
    if (!root || !dataDir) throw new Error('--child needs <root> <dataDir>');
    await child(root, dataDir);
    return;
  }
  const files = Number(values.files);
  const dirs = Number(values.dirs);
  const base = mkdtempSync(join(tmpdir(), 'facetag-bench-reconcile-'));
  const root = join(base, 'photos');
  const dataDir = join(base, 'data');
  try {
    let t = performance.now();
    const paths = buildTree(root, files, dirs);
    process.stdout.write(
      `tree: ${paths.length} files in ${dirs} folders under ${root} (${((performance.now() - t) / 1000).toFixed(1)} s)\n`,
    );
    t = performance.now();
    seed(dataDir, paths);
    process.stdout.write(
      `store: ${paths.length} photos recorded as analysed (${((performance.now() - t) / 1000).toFixed(1)} s)\n\n`,
    );

    process.stdout.write('reconcile, unchanged tree (fresh process each run):\n');
    for (let run = 1; run <= Number(values.runs); run++) {
      const r = runChild(root, dataDir);
      process.stdout.write(
        `  run ${run}: ${r.seconds.toFixed(2)} s, ${r.unchanged} unchanged, ${r.queued} queued, ${r.hashed} hashed; ` +
          `RSS ${r.rssBeforeMb} MB at start, ${r.rssAfterMb} MB after, peak ${r.maxRssMb} MB\n`,
      );
    }

    // 1 % touched, 0.1 % moved (mv keeps mtime), 0.1 % deleted.
    const later = new Date(Date.now() + 3600_000);
    const step = Math.max(1, Math.floor(paths.length / 1000));
    const moveDir = join(root, 'moved');
    mkdirSync(moveDir, { recursive: true });
    let touched = 0;
    let moved = 0;
    let deleted = 0;
    for (let i = 0; i < paths.length; i += step) {
      const path = paths[i]!;
      const kind = (i / step) % 10;
      if (kind === 0) {
        renameSync(path, join(moveDir, `m${i}.jpg`));
        moved++;
      } else if (kind === 1) {
        rmSync(path);
        deleted++;
      } else {
        utimesSync(path, later, later);
        touched++;
      }
    }
    for (let i = Math.floor(step / 2); i < paths.length && touched < paths.length / 100; i += step) {
      utimesSync(paths[i]!, later, later);
      touched++;
    }
    const r = runChild(root, dataDir);
    process.stdout.write(
      `\nreconcile after ${touched} touched, ${moved} moved, ${deleted} deleted: ${r.seconds.toFixed(2)} s, ` +
        `${r.queued} queued, ${r.moved} moved, ${r.removed} removed, ${r.hashed} hashed; peak RSS ${r.maxRssMb} MB\n`,
    );

    const speeds = await hashSpeed(base);
    process.stdout.write(`\nsha256 of a 256 MiB file (page cache): ${speeds.join(', ')} MB/s\n`);
  } finally {
    if (values.keep) process.stdout.write(`kept ${base}\n`);
    else rmSync(base, { recursive: true, force: true });
  }
}

await main();
