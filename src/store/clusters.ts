/**
 * Clusters of unknown faces, as kept: `faces.cluster_id` and the faces people took out of a cluster.
 * The clustering itself is in cluster/face-clusters.ts; the daemon's clustering service writes here,
 * and the unknown-faces list only reads (a request never recomputes a cluster).
 */
import * as z from 'zod';
import { type Db, prepared, writeTransaction } from './db.js';
import { storedFloat32 } from './faces.js';

/** Unknown: no label, and no model names it. Only these are clustered and listed. */
const UNKNOWN_FACE = "f.label_state = 'auto' AND f.predicted_person_id IS NULL";

const clusterableRow = z.object({ id: z.int(), cluster_id: z.int().nullable() });

/** Every unknown face with features of spec `key`, and its cluster (null: not placed yet). */
export function clusterableFaces(db: Db, key: string): z.infer<typeof clusterableRow>[] {
  return z.array(clusterableRow).parse(
    prepared(
      db,
      `SELECT f.id, f.cluster_id FROM faces f
         WHERE ${UNKNOWN_FACE} AND f.feature_key = ? AND f.features IS NOT NULL ORDER BY f.id`,
    ).all(key),
  );
}

const vectorRow = z.object({ id: z.int(), features: z.instanceof(Buffer) });

/** The stored feature vectors of these faces (missing ones are left out). */
export function faceVectors(db: Db, ids: readonly number[]): Map<number, Float32Array> {
  const out = new Map<number, Float32Array>();
  const query = prepared(
    db,
    'SELECT id, features FROM faces WHERE id IN (SELECT value FROM json_each(?)) AND features IS NOT NULL',
  );
  for (let i = 0; i < ids.length; i += 5000) {
    for (const r of z.array(vectorRow).parse(query.all(JSON.stringify(ids.slice(i, i + 5000))))) {
      out.set(r.id, storedFloat32(r.features));
    }
  }
  return out;
}

/** Record where faces now belong (one transaction). */
export function setClusters(db: Db, placements: Iterable<readonly [faceId: number, clusterId: number]>): number {
  return writeTransaction(db, () => {
    const update = prepared(db, 'UPDATE faces SET cluster_id = ? WHERE id = ? AND cluster_id IS NOT ?');
    let changed = 0;
    for (const [faceId, clusterId] of placements) changed += update.run(clusterId, faceId, clusterId).changes;
    return changed;
  });
}

const exclusionRow = z.object({ face_id: z.int(), cluster_id: z.int() });

/** Which face was taken out of which cluster. */
export function clusterExclusions(db: Db): z.infer<typeof exclusionRow>[] {
  return z
    .array(exclusionRow)
    .parse(prepared(db, 'SELECT face_id, cluster_id FROM cluster_exclusions ORDER BY face_id').all());
}

/** A person took the face out of its cluster: it goes to `newClusterId`, and never back. */
export function takeOutOfCluster(db: Db, faceId: number, fromClusterId: number, newClusterId: number): void {
  writeTransaction(db, () => {
    prepared(db, 'INSERT OR IGNORE INTO cluster_exclusions (face_id, cluster_id) VALUES (?, ?)').run(
      faceId,
      fromClusterId,
    );
    prepared(db, 'UPDATE faces SET cluster_id = ? WHERE id = ?').run(newClusterId, faceId);
  });
}

/** The largest cluster id ever given out (faces keep theirs after naming, so it never goes back). */
export function highestClusterId(db: Db): number {
  const row: unknown = prepared(
    db,
    `SELECT max(coalesce((SELECT max(cluster_id) FROM faces), 0),
                coalesce((SELECT max(cluster_id) FROM cluster_exclusions), 0),
                coalesce((SELECT CAST(value AS INT) FROM settings WHERE key = 'cluster_id_high'), 0)) AS id`,
  ).get();
  return z.object({ id: z.int() }).parse(row).id;
}

/** Remember the largest id given out, so an id is never reused even if its faces are deleted. */
export function recordHighestClusterId(db: Db, id: number): void {
  prepared(
    db,
    `INSERT INTO settings (key, value) VALUES ('cluster_id_high', ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(value AS INT) < CAST(excluded.value AS INT)`,
  ).run(String(id));
}

const unknownRow = z.object({
  id: z.int(),
  photo_id: z.int(),
  cluster_id: z.int().nullable(),
  strength: z.int(),
});
export type UnknownFace = z.infer<typeof unknownRow>;

/**
 * Every unknown face with a chip, newest first, with its cluster and detector strength: ids and
 * numbers only, so 10,000 of them are one quick read. Only faces of photos still present, each
 * with the lowest live photo id that shows it. `+id`: ordering by the rowid itself makes SQLite
 * walk the table (~10 KB of chip per face) instead of the covering index faces_unknown and a sort
 * (15,000 unknown faces: 319 ms -> 32 ms).
 */
export function unknownFaces(db: Db): UnknownFace[] {
  return z.array(unknownRow).parse(
    prepared(
      db,
      `SELECT id, photo_id, cluster_id, strength FROM (
         SELECT f.id, f.cluster_id, f.strength,
           (SELECT min(id) FROM photos WHERE content_id = f.content_id AND status <> 'removed') AS photo_id
         FROM faces f WHERE ${UNKNOWN_FACE} AND f.chip IS NOT NULL)
       WHERE photo_id IS NOT NULL ORDER BY +id DESC`,
    ).all(),
  );
}
