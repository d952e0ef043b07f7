/**
 * Clusters of unknown faces by their embeddings, kept up to date one face at a time. Pure: vectors
 * and ids in, cluster ids out; the store keeps the result and the daemon feeds it (daemon/clustering.ts).
 *
 * The method, chosen on the dev library's 377 faces (README, "Clusters of unknown faces"):
 * - A new face joins the cluster whose faces are nearest on average (average linkage), if that mean
 *   euclidean distance is within `maxDistance` (0.5); otherwise it starts a cluster of its own.
 * - The cluster it joined (or started) then merges with any cluster whose average distance to it is
 *   within `maxDistance`, nearest first. Average linkage needs one pair within the limit, so only
 *   clusters holding a face near the new one are candidates.
 * At 0.5 the 10 biggest clusters were pure and a family member needed 1.6 clusters for 90 % of their
 * faces; batch average linkage at 0.5 needed 2.0, Chinese whispers and DBSCAN (eps 0.5) mixed two
 * family members, and at 0.55 every method mixed some.
 *
 * Cost per new face: one distance to every clustered face (128 multiply-adds each), plus the merge
 * check; memory: one float32 vector per face.
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

/**
 * The clustered faces and their clusters. Cluster ids come from `newId`, so they stay stable for as
 * long as the caller keeps them (the store keeps them across restarts).
 */
export class FaceClusters {
  private readonly dims: number;
  private vectors: Float32Array;
  private count = 0;
  private readonly slotOf = new Map<number, number>();
  private faceAt: number[] = [];
  private clusterAt: number[] = [];
  private readonly members = new Map<number, Set<number>>();
  /** Faces a person took out of a cluster: never put back into it. */
  private readonly excluded = new Map<number, Set<number>>();

  constructor(
    dims: number,
    private readonly options: ClusterOptions,
    private readonly newId: () => number,
  ) {
    this.dims = dims;
    this.vectors = new Float32Array(dims * 64);
  }

  get size(): number {
    return this.count;
  }

  has(faceId: number): boolean {
    return this.slotOf.has(faceId);
  }

  clusterOf(faceId: number): number | undefined {
    const slot = this.slotOf.get(faceId);
    return slot === undefined ? undefined : this.clusterAt[slot];
  }

  /** Face ids of a cluster (empty for an unknown id). */
  membersOf(clusterId: number): number[] {
    return [...(this.members.get(clusterId) ?? [])];
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
    const near = this.nearClusters(vector);
    let best: number | undefined;
    let bestMean = this.options.maxDistance;
    const banned = this.excluded.get(faceId);
    for (const [clusterId, sum] of near.sums) {
      if (banned?.has(clusterId)) continue;
      const mean = sum / (this.members.get(clusterId)?.size ?? 1);
      if (mean <= bestMean) {
        best = clusterId;
        bestMean = mean;
      }
    }
    const clusterId = best ?? this.newId();
    this.insert(faceId, vector, clusterId);
    const merged = this.mergeAround(
      clusterId,
      [...near.sums.keys()].filter((c) => c !== clusterId),
    );
    return { faceId, clusterId: this.clusterOf(faceId) ?? clusterId, merged };
  }

  /** Take a face out (it was named, ignored, or deleted); its cluster shrinks. */
  remove(faceId: number): void {
    const slot = this.slotOf.get(faceId);
    if (slot === undefined) return;
    const clusterId = this.clusterAt[slot];
    if (clusterId !== undefined) {
      const set = this.members.get(clusterId);
      set?.delete(faceId);
      if (set?.size === 0) this.members.delete(clusterId);
    }
    // Move the last slot into the hole: vectors stay dense.
    const last = this.count - 1;
    if (slot !== last) {
      this.vectors.copyWithin(slot * this.dims, last * this.dims, (last + 1) * this.dims);
      const lastFace = this.faceAt[last] ?? -1;
      this.faceAt[slot] = lastFace;
      this.clusterAt[slot] = this.clusterAt[last] ?? -1;
      this.slotOf.set(lastFace, slot);
    }
    this.faceAt.length = last;
    this.clusterAt.length = last;
    this.slotOf.delete(faceId);
    this.excluded.delete(faceId);
    this.count = last;
  }

  /**
   * Take a face out of its cluster for good (a person said it does not belong): it starts a cluster
   * of its own and never joins the old one again. Returns its new cluster id.
   */
  takeOut(faceId: number): number | undefined {
    const slot = this.slotOf.get(faceId);
    const old = slot === undefined ? undefined : this.clusterAt[slot];
    if (slot === undefined || old === undefined) return undefined;
    this.exclude(faceId, old);
    const fresh = this.newId();
    this.members.get(old)?.delete(faceId);
    if (this.members.get(old)?.size === 0) this.members.delete(old);
    this.clusterAt[slot] = fresh;
    this.members.set(fresh, new Set([faceId]));
    return fresh;
  }

  /** Every cluster with its face ids. */
  clusters(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const [id, set] of this.members) out.set(id, [...set]);
    return out;
  }

  private insert(faceId: number, vector: ArrayLike<number>, clusterId: number): void {
    if (vector.length !== this.dims) {
      throw new RangeError(`face ${faceId}: ${vector.length} values, clusters hold ${this.dims}`);
    }
    if (this.count * this.dims === this.vectors.length) {
      const grown = new Float32Array(this.vectors.length * 2);
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(vector, this.count * this.dims);
    this.slotOf.set(faceId, this.count);
    this.faceAt.push(faceId);
    this.clusterAt.push(clusterId);
    const set = this.members.get(clusterId) ?? new Set<number>();
    set.add(faceId);
    this.members.set(clusterId, set);
    this.count++;
  }

  /** Summed distances from `vector` to each cluster that holds at least one face within reach. */
  private nearClusters(vector: ArrayLike<number>): { sums: Map<number, number> } {
    const sums = new Map<number, number>();
    const reach = new Set<number>();
    const { dims, vectors } = this;
    for (let s = 0; s < this.count; s++) {
      let d = 0;
      const o = s * dims;
      for (let k = 0; k < dims; k++) {
        const diff = (vector[k] ?? 0) - (vectors[o + k] ?? 0);
        d += diff * diff;
      }
      const clusterId = this.clusterAt[s] ?? -1;
      const dist = Math.sqrt(d);
      sums.set(clusterId, (sums.get(clusterId) ?? 0) + dist);
      if (dist <= this.options.maxDistance) reach.add(clusterId);
    }
    // Average linkage within the limit needs at least one pair within it.
    for (const id of [...sums.keys()]) if (!reach.has(id)) sums.delete(id);
    return { sums };
  }

  /** Merge clusters into `clusterId` while one is within reach on average; returns the ids merged away. */
  private mergeAround(clusterId: number, candidates: number[]): number[] {
    const merged: number[] = [];
    let target = clusterId;
    for (;;) {
      let best: number | undefined;
      let bestMean = this.options.maxDistance;
      for (const other of candidates) {
        if (other === target || merged.includes(other) || !this.members.has(other)) continue;
        if (!this.mayMerge(target, other)) continue;
        const mean = this.meanBetween(target, other);
        if (mean <= bestMean) {
          best = other;
          bestMean = mean;
        }
      }
      if (best === undefined) return merged;
      // The bigger cluster's id survives: what a person saw named most stays named.
      const [keep, gone] =
        (this.members.get(best)?.size ?? 0) > (this.members.get(target)?.size ?? 0) ? [best, target] : [target, best];
      for (const faceId of this.members.get(gone) ?? []) {
        const slot = this.slotOf.get(faceId);
        if (slot !== undefined) this.clusterAt[slot] = keep;
        this.members.get(keep)?.add(faceId);
      }
      this.members.delete(gone);
      merged.push(gone);
      target = keep;
    }
  }

  /** No face of either cluster was taken out of the other. */
  private mayMerge(a: number, b: number): boolean {
    for (const faceId of this.members.get(a) ?? []) if (this.excluded.get(faceId)?.has(b)) return false;
    for (const faceId of this.members.get(b) ?? []) if (this.excluded.get(faceId)?.has(a)) return false;
    return true;
  }

  private meanBetween(a: number, b: number): number {
    const { dims, vectors } = this;
    let sum = 0;
    let n = 0;
    for (const fa of this.members.get(a) ?? []) {
      const oa = (this.slotOf.get(fa) ?? 0) * dims;
      for (const fb of this.members.get(b) ?? []) {
        const ob = (this.slotOf.get(fb) ?? 0) * dims;
        let d = 0;
        for (let k = 0; k < dims; k++) {
          const diff = (vectors[oa + k] ?? 0) - (vectors[ob + k] ?? 0);
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
