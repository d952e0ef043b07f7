/**
 * Keeps the clusters of unknown faces up to date inside the daemon (neural engine). Each new face
 * is placed as soon as its photo is analysed (a wake after each analysis), faces named or ignored
 * leave, and once the library is quiet the whole clustering is redone in a fixed order and written
 * back under the ids it had (refine). The store holds the result, so requests only read it and the
 * ids survive restarts. Takes out a face a person says does not belong, for good.
 */
import { DEFAULT_CLUSTER_OPTIONS, FaceClusters, keepIds } from '../cluster/face-clusters.js';
import { systemTimers, type Timers } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { serially } from '../core/serial.js';
import {
  clusterableFaces,
  clusterExclusions,
  faceVectors,
  highestClusterId,
  recordHighestClusterId,
  setClusters,
  takeOutOfCluster,
} from '../store/clusters.js';
import type { Db } from '../store/db.js';

export interface ClusteringOptions {
  readonly db: Db;
  /** The feature key of the engine's embeddings: only faces described by it are clustered. */
  readonly featureKey: string;
  readonly dimensions: number;
  readonly log: Logger;
  /** Look for changes made elsewhere (`facetag label`) this often. */
  readonly pollMs?: number;
  /** Refine once nothing new has been placed for this long. */
  readonly refineAfterMs?: number;
  /** The poll's and the refinement's timers (a fake clock in tests). */
  readonly timers?: Timers;
  /**
   * Above this many unknown faces a refine is skipped: it places every face again, which is
   * quadratic (10k faces: 24 s of CPU, bench:clusters). Placement stays incremental.
   */
  readonly refineLimit?: number;
}

export interface ClusteringStatus {
  readonly faces: number;
  readonly clusters: number;
  readonly lastRefine: { readonly faces: number; readonly moved: number; readonly seconds: number } | null;
}

export interface ClusteringService {
  /** Something changed (a photo analysed, labels, new models): place and drop faces soon. */
  wake(): void;
  /** Place and drop faces now; resolves when done. */
  sync(): Promise<void>;
  /** Redo the whole clustering in a fixed order, keeping ids; resolves when written. */
  refine(): Promise<void>;
  /** A person took the face out of its cluster: its new cluster id, or undefined if it has none. */
  takeOut(faceId: number): number | undefined;
  status(): ClusteringStatus;
  stop(): Promise<void>;
}

export function createClusteringService(options: ClusteringOptions): ClusteringService {
  const { db, featureKey, dimensions, log } = options;
  const pollMs = options.pollMs ?? 30_000;
  const refineAfterMs = options.refineAfterMs ?? 60_000;
  const refineLimit = options.refineLimit ?? 10_000;
  let next = highestClusterId(db) + 1;
  const newId = () => next++;
  let index = new FaceClusters(dimensions, DEFAULT_CLUSTER_OPTIONS, newId);
  let placedSinceRefine = 0;
  let lastRefine: ClusteringStatus['lastRefine'] = null;
  let stopped = false;
  const oneAtATime = serially();
  /** The last work queued: stop waits for it. */
  let running: Promise<void> = Promise.resolve();
  let woken: NodeJS.Immediate | undefined;
  const timers = options.timers ?? systemTimers;
  let cancelRefine = () => {};

  const loadExclusions = (into: FaceClusters) => {
    for (const e of clusterExclusions(db)) into.exclude(e.face_id, e.cluster_id);
  };
  loadExclusions(index);

  /**
   * Placing a face costs a distance to every clustered face (bench:clusters: 2-6 ms with 10k faces
   * clustered, 54 ms with 100k): long passes hand the event loop back every 50 ms, so the API and the
   * watchdog keep answering, and give up when the daemon stops.
   */
  let lastYield = performance.now();
  const pause = async (): Promise<boolean> => {
    if (performance.now() - lastYield > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    return stopped;
  };

  /** One pass: drop faces that are no longer unknown, restore kept ones, place new ones. */
  const syncNow = async () => {
    const rows = clusterableFaces(db, featureKey);
    const live = new Set(rows.map((r) => r.id));
    for (const [, members] of index.clusters()) for (const f of members) if (!live.has(f)) index.remove(f);
    const missing = rows.filter((r) => !index.has(r.id));
    if (missing.length === 0) return;
    const vectors = faceVectors(
      db,
      missing.map((r) => r.id),
    );
    const before = new Map(rows.map((r) => [r.id, r.cluster_id]));
    let placed = 0;
    const into = index;
    for (const r of missing) {
      const v = vectors.get(r.id);
      if (!v || v.length !== dimensions) continue;
      if (r.cluster_id === null) {
        into.add(r.id, v);
        placed++;
        if (await pause()) break;
      } else into.restore(r.id, v, r.cluster_id);
    }
    // A refine replaced the index meanwhile: it has these faces already, under its own ids.
    if (into !== index) return;
    if (placed > 0) {
      const changed: [number, number][] = [];
      for (const [clusterId, members] of index.clusters()) {
        for (const f of members) if (before.get(f) !== clusterId) changed.push([f, clusterId]);
      }
      setClusters(db, changed);
      recordHighestClusterId(db, next - 1);
      placedSinceRefine += placed;
      log.debug('faces clustered', { placed, faces: index.size });
      scheduleRefine();
    }
  };

  const refineNow = async () => {
    const t = performance.now();
    const rows = clusterableFaces(db, featureKey);
    if (rows.length > refineLimit) {
      log.info('clusters not refined: too many unknown faces; new faces are still placed one by one', {
        faces: rows.length,
        limit: refineLimit,
      });
      placedSinceRefine = 0;
      return;
    }
    const vectors = faceVectors(
      db,
      rows.map((r) => r.id),
    );
    let temp = 0;
    const fresh = new FaceClusters(dimensions, DEFAULT_CLUSTER_OPTIONS, () => --temp);
    loadExclusions(fresh);
    // Exclusions name kept ids; a fresh clustering knows only its own, so it is checked after.
    for (const r of rows) {
      const v = vectors.get(r.id);
      if (v && v.length === dimensions) fresh.add(r.id, v);
      if (await pause()) return;
    }
    const oldOf = new Map<number, number>();
    for (const r of rows) if (r.cluster_id !== null) oldOf.set(r.id, r.cluster_id);
    const ids = keepIds(oldOf, fresh.clusters().values(), newId);
    const excluded = new Map<number, Set<number>>();
    for (const e of clusterExclusions(db)) {
      const set = excluded.get(e.face_id) ?? new Set<number>();
      set.add(e.cluster_id);
      excluded.set(e.face_id, set);
    }
    for (const [f, c] of ids) if (excluded.get(f)?.has(c)) ids.set(f, newId());
    const moved = setClusters(db, ids);
    recordHighestClusterId(db, next - 1);
    // The index becomes the refined clustering under the kept ids.
    const rebuilt = new FaceClusters(dimensions, DEFAULT_CLUSTER_OPTIONS, newId);
    loadExclusions(rebuilt);
    for (const [f, c] of ids) {
      const v = vectors.get(f);
      if (v) rebuilt.restore(f, v, c);
    }
    index = rebuilt;
    placedSinceRefine = 0;
    lastRefine = { faces: rows.length, moved, seconds: Math.round(performance.now() - t) / 1000 };
    log.info('clusters refined', { ...lastRefine, clusters: index.clusters().size });
  };

  /** Work runs one at a time, in order; a failure is logged and the next wake tries again. */
  const enqueue = (work: () => Promise<void>): Promise<void> => {
    running = oneAtATime(async () => {
      if (stopped) return;
      try {
        await work();
      } catch (err) {
        log.error('clustering failed', { err });
      }
    });
    return running;
  };

  function scheduleRefine() {
    cancelRefine();
    cancelRefine = timers.after(refineAfterMs, () => {
      if (placedSinceRefine > 0) void enqueue(refineNow);
    });
  }

  const stopPoll = timers.every(pollMs, () => void enqueue(syncNow));

  return {
    wake() {
      if (stopped || woken) return;
      woken = setImmediate(() => {
        woken = undefined;
        void enqueue(syncNow);
      });
    },
    sync: () => enqueue(syncNow),
    refine: () => enqueue(refineNow),
    takeOut(faceId) {
      const from = index.clusterOf(faceId);
      if (from === undefined) return undefined;
      const to = index.takeOut(faceId);
      if (to === undefined) return undefined;
      takeOutOfCluster(db, faceId, from, to);
      recordHighestClusterId(db, next - 1);
      return to;
    },
    status: () => ({ faces: index.size, clusters: index.clusters().size, lastRefine }),
    async stop() {
      stopped = true;
      stopPoll();
      cancelRefine();
      if (woken) clearImmediate(woken);
      await running;
    },
  };
}
