/**
 * Clusters of unknown faces by their embeddings, kept up to date one face at a time. Pure: vectors
 * and ids in, cluster ids out; the store keeps the result and the daemon feeds it (daemon/clustering.ts).
 *
 * The method, chosen on the dev library's 533 faces (README, "Clusters of unknown faces"):
 * - A new face joins the cluster whose faces are nearest on average (average linkage), if that mean
 *   euclidean distance is within `maxDistance` (0.5); otherwise it starts a cluster of its own.
 * - The cluster it joined (or started) then merges with any cluster whose average distance to it is
 *   within `maxDistance`, nearest first. Average linkage needs one pair within the limit, so only
 *   clusters holding a face near the new one are candidates.
 * At 0.5 the 10 biggest clusters were pure and a family member needed 1.6 clusters for 90 % of their
 * faces; batch average linkage at 0.5 needed 2.0, Chinese whispers and DBSCAN (eps 0.5) mixed two
 * family members, and at 0.55 every method mixed some.
 *
 * Cost per new face: one distance to every clustered face (128 multiply-adds each, in typed
 * arrays, no per-face allocation), plus an exact merge check for the few clusters the face itself
 * could have joined; memory: one float32 vector and a few numbers per face (bench:clusters).
 */

export interface ClusterOptions {
  /** Largest mean distance between a face and a cluster (or two clusters) that still belong together. */
  readonly maxDistance: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = { maxDistance: 0.5 };

/** What changed when a face was added: its cluster, and clusters merged into it (their ids are gone). */
export interface Placement {
  readonly faceId: number;
  readonly clusterId: number;
  readonly merged: readonly number[];
}

interface Cluster {
  /** Index into the per-cluster scratch arrays, reused once the cluster is gone. */
  readonly dense: number;
  readonly members: Set<number>;
}

/**
 * The clustered faces and their clusters. Cluster ids come from `newId`, so they stay stable for as
 * long as the caller keeps them (the store keeps them across restarts).
 */
export class FaceClusters {
  private vectors: Float32Array;
  /** Per face slot: the face id, and its cluster's dense index. Slots stay packed (remove moves the last). */
  private faceAt: number[] = [];
  private denseAt: Int32Array;
  private count = 0;
  private readonly slotOf = new Map<number, number>();
  private readonly byId = new Map<number, Cluster>();
  private idOfDense: number[] = [];
  private readonly freeDense: number[] = [];
  /** Scratch for one placement: distance per face slot, summed distance per cluster, and reach. */
  private dist = new Float32Array(0);
  private sums = new Float64Array(0);
  private reach = new Uint8Array(0);
  /** Faces a person took out of a cluster: never put back into it. */
  private readonly excluded = new Map<number, Set<number>>();

  constructor(
    private readonly dims: number,
    private readonly options: ClusterOptions,
    private readonly newId: () => number,
  ) {
    this.vectors = new Float32Array(dims * 64);
    this.denseAt = new Int32Array(64);
  }

  get size(): number {
    return this.count;
  }

  has(faceId: number): boolean {
    return this.slotOf.has(faceId);
  }

  clusterOf(faceId: number): number | undefined {
    const slot = this.slotOf.get(faceId);
    return slot === undefined ? undefined : this.idOfDense[this.denseAt[slot] ?? -1];
  }

  /** Face ids of a cluster (empty for an unknown id). */
  membersOf(clusterId: number): number[] {
    return [...(this.byId.get(clusterId)?.members ?? [])];
  }

  /** Keep `faceId` out of `clusterId` from now on. */
  exclude(faceId: number, clusterId: number): void {
    const set = this.excluded.get(faceId) ?? new Set<number>();
    set.add(clusterId);
    this.excluded.set(faceId, set);
  }

  /** Put a face back with the cluster it had (loading what the store kept); no merging. */
  restore(faceId: number, vector: ArrayLike<number>, clusterId: number): void {
    this.insert(faceId, vector, clusterId);
  }

  /** Place a new face: join the nearest cluster within reach or start one, then merge what now belongs together. */
  add(faceId: number, vector: ArrayLike<number>): Placement {
    if (this.slotOf.has(faceId)) throw new Error(`face ${faceId} is clustered already`);
    const x = this.checked(faceId, vector);
    const near = this.nearClusters(x);
    const banned = this.excluded.get(faceId);
    let best: number | undefined;
    let bestMean = this.options.maxDistance;
    for (const [clusterId, mean] of near) {
      if (!banned?.has(clusterId) && mean <= bestMean) {
        best = clusterId;
        bestMean = mean;
      }
    }
    const clusterId = best ?? this.newId();
    this.insert(faceId, x, clusterId);
    // Two clusters apart on average can only come within reach through this face if it is within
    // reach of both on average: only the clusters it could have joined are checked exactly.
    const candidates = [...near].filter(([c, mean]) => c !== clusterId && mean <= this.options.maxDistance);
    const merged = this.mergeAround(
      clusterId,
      candidates.map(([c]) => c),
    );
    return { faceId, clusterId: this.clusterOf(faceId) ?? clusterId, merged };
  }

  /** Take a face out (it was named, ignored, or deleted); its cluster shrinks. */
  remove(faceId: number): void {
    const slot = this.slotOf.get(faceId);
    if (slot === undefined) return;
    this.leave(faceId, slot);
    // Move the last slot into the hole: vectors stay packed.
    const last = this.count - 1;
    if (slot !== last) {
      const d = this.dims;
      this.vectors.copyWithin(slot * d, last * d, (last + 1) * d);
      const lastFace = this.faceAt[last] ?? -1;
      this.faceAt[slot] = lastFace;
      this.denseAt[slot] = this.denseAt[last] ?? -1;
      this.slotOf.set(lastFace, slot);
    }
    this.faceAt.length = last;
    this.slotOf.delete(faceId);
    // Its exclusions stay: a face named and then un-named (undo) must not rejoin a cluster it left.
    this.count = last;
  }

  /**
   * Take a face out of its cluster for good (a person said it does not belong): it starts a cluster
   * of its own and never joins the old one again. Returns its new cluster id.
   */
  takeOut(faceId: number): number | undefined {
    const slot = this.slotOf.get(faceId);
    const old = this.clusterOf(faceId);
    if (slot === undefined || old === undefined) return undefined;
    this.exclude(faceId, old);
    this.leave(faceId, slot);
    const fresh = this.newId();
    this.join(faceId, slot, fresh);
    return fresh;
  }

  /** Every cluster with its face ids. */
  clusters(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const [id, c] of this.byId) out.set(id, [...c.members]);
    return out;
  }

  private checked(faceId: number, vector: ArrayLike<number>): Float32Array {
    if (vector.length !== this.dims) {
      throw new RangeError(`face ${faceId}: ${vector.length} values, clusters hold ${this.dims}`);
    }
    return vector instanceof Float32Array ? vector : Float32Array.from(vector);
  }

  private insert(faceId: number, vector: ArrayLike<number>, clusterId: number): void {
    const x = this.checked(faceId, vector);
    if (this.count === this.denseAt.length) {
      const vectors = new Float32Array(this.vectors.length * 2);
      vectors.set(this.vectors);
      this.vectors = vectors;
      const denseAt = new Int32Array(this.denseAt.length * 2);
      denseAt.set(this.denseAt);
      this.denseAt = denseAt;
    }
    const slot = this.count++;
    this.vectors.set(x, slot * this.dims);
    this.slotOf.set(faceId, slot);
    this.faceAt[slot] = faceId;
    this.join(faceId, slot, clusterId);
  }

  /** Put the face in `slot` into cluster `clusterId`, creating the cluster if need be. */
  private join(faceId: number, slot: number, clusterId: number): void {
    let c = this.byId.get(clusterId);
    if (!c) {
      const dense = this.freeDense.pop() ?? this.idOfDense.length;
      this.idOfDense[dense] = clusterId;
      c = { dense, members: new Set() };
      this.byId.set(clusterId, c);
    }
    c.members.add(faceId);
    this.denseAt[slot] = c.dense;
  }

  /** Take the face in `slot` out of its cluster; an emptied cluster is gone. */
  private leave(faceId: number, slot: number): void {
    const id = this.idOfDense[this.denseAt[slot] ?? -1];
    const c = id === undefined ? undefined : this.byId.get(id);
    if (!c || id === undefined) return;
    c.members.delete(faceId);
    if (c.members.size === 0) this.drop(id, c);
  }

  private drop(id: number, c: Cluster): void {
    this.byId.delete(id);
    this.freeDense.push(c.dense);
  }

  /** Mean distance from `x` to each cluster holding at least one face within reach of it. */
  private nearClusters(x: Float32Array): Map<number, number> {
    const { dims, vectors, count } = this;
    const clusters = this.idOfDense.length;
    if (this.dist.length < count) this.dist = new Float32Array(Math.max(64, count * 2));
    if (this.sums.length < clusters) {
      this.sums = new Float64Array(Math.max(64, clusters * 2));
      this.reach = new Uint8Array(this.sums.length);
    }
    const { dist, sums, reach, denseAt } = this;
    const limit = this.options.maxDistance;
    const touched: number[] = [];
    for (let s = 0, o = 0; s < count; s++, o += dims) {
      let d = 0;
      for (let k = 0; k < dims; k++) {
        const diff = (x[k] as number) - (vectors[o + k] as number);
        d += diff * diff;
      }
      const e = Math.sqrt(d);
      dist[s] = e;
      const c = denseAt[s] as number;
      if (e <= limit && reach[c] === 0) {
        reach[c] = 1;
        touched.push(c);
      }
    }
    for (let s = 0; s < count; s++) {
      const c = denseAt[s] as number;
      if (reach[c] === 1) sums[c] = (sums[c] as number) + (dist[s] as number);
    }
    const out = new Map<number, number>();
    for (const c of touched) {
      const id = this.idOfDense[c] ?? -1;
      out.set(id, (sums[c] as number) / (this.byId.get(id)?.members.size ?? 1));
      sums[c] = 0;
      reach[c] = 0;
    }
    return out;
  }

  /** Merge clusters into `clusterId` while one is within reach on average; returns the ids merged away. */
  private mergeAround(clusterId: number, candidates: readonly number[]): number[] {
    const merged: number[] = [];
    let target = clusterId;
    for (;;) {
      let best: number | undefined;
      let bestMean = this.options.maxDistance;
      for (const other of candidates) {
        if (other === target || merged.includes(other) || !this.byId.has(other)) continue;
        if (!this.mayMerge(target, other)) continue;
        const mean = this.meanBetween(target, other);
        if (mean <= bestMean) {
          best = other;
          bestMean = mean;
        }
      }
      if (best === undefined) return merged;
      const a = this.byId.get(target);
      const b = this.byId.get(best);
      if (!a || !b) return merged;
      // The bigger cluster's id survives: what a person saw named most stays named.
      const [keepId, keep, goneId, gone] =
        b.members.size > a.members.size ? [best, b, target, a] : [target, a, best, b];
      for (const faceId of gone.members) {
        const slot = this.slotOf.get(faceId);
        if (slot !== undefined) this.denseAt[slot] = keep.dense;
        keep.members.add(faceId);
      }
      this.drop(goneId, gone);
      merged.push(goneId);
      target = keepId;
    }
  }

  /** No face of either cluster was taken out of the other. */
  private mayMerge(a: number, b: number): boolean {
    for (const faceId of this.byId.get(a)?.members ?? []) if (this.excluded.get(faceId)?.has(b)) return false;
    for (const faceId of this.byId.get(b)?.members ?? []) if (this.excluded.get(faceId)?.has(a)) return false;
    return true;
  }

  private meanBetween(a: number, b: number): number {
    const { dims, vectors } = this;
    let sum = 0;
    let n = 0;
    for (const fa of this.byId.get(a)?.members ?? []) {
      const oa = (this.slotOf.get(fa) ?? 0) * dims;
      for (const fb of this.byId.get(b)?.members ?? []) {
        const ob = (this.slotOf.get(fb) ?? 0) * dims;
        let d = 0;
        for (let k = 0; k < dims; k++) {
          const diff = (vectors[oa + k] as number) - (vectors[ob + k] as number);
          d += diff * diff;
        }
        sum += Math.sqrt(d);
        n++;
      }
    }
    return n === 0 ? Number.POSITIVE_INFINITY : sum / n;
  }
}

/**
 * Ids for a fresh clustering that keep the old ones where they can: each fresh cluster, biggest
 * first, takes the old id most of its faces had, unless a bigger one took it already; the rest get
 * new ids. So a refinement that only adds or moves a few faces renames nothing. Pure.
 */
export function keepIds(
  oldOf: ReadonlyMap<number, number>,
  fresh: Iterable<readonly number[]>,
  newId: () => number,
): Map<number, number> {
  const out = new Map<number, number>();
  const taken = new Set<number>();
  const groups = [...fresh].sort((a, b) => b.length - a.length || (a[0] ?? 0) - (b[0] ?? 0));
  for (const faces of groups) {
    const votes = new Map<number, number>();
    for (const f of faces) {
      const old = oldOf.get(f);
      if (old !== undefined && !taken.has(old)) votes.set(old, (votes.get(old) ?? 0) + 1);
    }
    let id: number | undefined;
    let most = 0;
    for (const [old, n] of votes) {
      if (n > most || (n === most && id !== undefined && old < id)) {
        id = old;
        most = n;
      }
    }
    const clusterId = id ?? newId();
    taken.add(clusterId);
    for (const f of faces) out.set(f, clusterId);
  }
  return out;
}
