/**
 * The unknown-faces list from stored clusters, in the order a family works through it: clusters
 * biggest first (one person each, named in one go), then the faces seen only once gathered in one
 * group, then the likely non-faces (seen once, and a weak detection) last in a group of their own.
 * Pure: rows in, groups out.
 */

export type GroupKind = 'cluster' | 'once' | 'unlikely';

export interface UnknownFaceRow {
  readonly id: number;
  readonly photo_id: number;
  readonly cluster_id: number | null;
  /** Detector strength; for the neural engine the SSD score × 1000. */
  readonly strength: number;
}

export interface UnknownGroup {
  readonly kind: GroupKind;
  /** The stored cluster id (stable across requests and restarts); null for the gathered groups. */
  readonly clusterId: number | null;
  readonly faces: readonly UnknownFaceRow[];
}

/**
 * Below this SSD score a face alike to no other is more likely a texture than a face: on the dev
 * library 6.5 % of the faces in the photos' centres scored under 0.7, against 37 % of the others.
 */
export const UNLIKELY_BELOW = 700;

export function groupUnknownFaces(rows: readonly UnknownFaceRow[], unlikelyBelow = UNLIKELY_BELOW): UnknownGroup[] {
  const byCluster = new Map<number, UnknownFaceRow[]>();
  for (const r of rows) {
    if (r.cluster_id === null) continue;
    const list = byCluster.get(r.cluster_id) ?? [];
    list.push(r);
    byCluster.set(r.cluster_id, list);
  }
  const clusters: UnknownGroup[] = [];
  const once: UnknownFaceRow[] = [];
  const unlikely: UnknownFaceRow[] = [];
  for (const [clusterId, faces] of byCluster) {
    if (faces.length >= 2) clusters.push({ kind: 'cluster', clusterId, faces: [...faces].sort((a, b) => a.id - b.id) });
  }
  // Not yet placed (just analysed) counts as seen once until the clustering places it.
  for (const r of rows) {
    if (r.cluster_id !== null && (byCluster.get(r.cluster_id)?.length ?? 0) >= 2) continue;
    (r.strength < unlikelyBelow ? unlikely : once).push(r);
  }
  clusters.sort((a, b) => b.faces.length - a.faces.length || (a.clusterId ?? 0) - (b.clusterId ?? 0));
  const newestFirst = (a: UnknownFaceRow, b: UnknownFaceRow) => b.id - a.id;
  return [
    ...clusters,
    ...(once.length ? [{ kind: 'once' as const, clusterId: null, faces: once.sort(newestFirst) }] : []),
    ...(unlikely.length ? [{ kind: 'unlikely' as const, clusterId: null, faces: unlikely.sort(newestFirst) }] : []),
  ];
}

/** The groups cut to at most `limit` faces in all, in order; the last group kept may be partial. */
export function limitFaces(
  groups: readonly UnknownGroup[],
  limit: number,
): { groups: UnknownGroup[]; truncated: boolean } {
  const out: UnknownGroup[] = [];
  let left = limit;
  for (const g of groups) {
    if (left <= 0) return { groups: out, truncated: true };
    out.push(g.faces.length <= left ? g : { ...g, faces: g.faces.slice(0, left) });
    left -= g.faces.length;
  }
  return { groups: out, truncated: left < 0 };
}
