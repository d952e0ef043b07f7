/**
 * How good the unknown-faces groups are before anyone names a face, for bench/teaching.ts. Pure:
 * truth text, photos with their faces and the listed groups in; figures out.
 *
 * The truth is about the face centred in each photo, found by the same rule as
 * ../shared/tools/teach.py, so both tools score the same faces. Faces with no truth (background
 * people, faces off-centre) are not scored.
 */
import { posix } from 'node:path';
import { splitCsvLine } from './identity-rows.js';

export interface Truth {
  /** Person per photo, keyed by the path relative to the photos folder (truth.csv's `file` less `photos/`). */
  readonly personOf: ReadonlyMap<string, string>;
  /** `family`, `friend` or `stranger` per person. */
  readonly roleOf: ReadonlyMap<string, string>;
}

/** truth.csv (`file,person,role,...`); `file` is relative to the library folder, photos under `photos/`. */
export function parseTruth(text: string): Truth {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const file = header.indexOf('file');
  const person = header.indexOf('person');
  const role = header.indexOf('role');
  if (file < 0 || person < 0 || role < 0) throw new Error('truth.csv: needs the columns file, person and role');
  const personOf = new Map<string, string>();
  const roleOf = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const f = splitCsvLine(line);
    personOf.set(posix.relative('photos', f[file] ?? ''), f[person] ?? '');
    roleOf.set(f[person] ?? '', f[role] ?? '');
  }
  return { personOf, roleOf };
}

export interface FaceOnPhoto {
  readonly id: number;
  /** Centre and width in the photo's pixels, as the API gives them. */
  readonly box: { readonly cx: number; readonly cy: number; readonly width: number };
}

export interface PhotoFaces {
  /** Relative to the photos folder, with `/`. */
  readonly rel: string;
  /** Null while the photo is not analysed. */
  readonly width: number | null;
  readonly height: number | null;
  readonly faces: readonly FaceOnPhoto[];
}

/**
 * The face the photo is of: nearest to the centre, within 25 % of the photo's shorter side, and at
 * least 20 % of it wide (the first of equally near faces). Undefined when no face qualifies.
 */
export function centredFace(photo: PhotoFaces): number | undefined {
  const { width: w, height: h } = photo;
  if (w === null || h === null) return undefined;
  const side = Math.min(w, h);
  let best: number | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const f of photo.faces) {
    // Computed as teach.py does, so a face on the edge falls the same way.
    const distance = Math.sqrt((f.box.cx - w / 2) ** 2 + (f.box.cy - h / 2) ** 2);
    if (distance <= 0.25 * side && f.box.width >= 0.2 * side && distance < bestDistance) {
      best = f.id;
      bestDistance = distance;
    }
  }
  return best;
}

/** Person per face id: the centred face of each photo that has a truth row. */
export function truthOfFaces(
  photos: readonly PhotoFaces[],
  personOf: ReadonlyMap<string, string>,
): Map<number, string> {
  // Keyed by photo first, as teach.py does: should two photos share a face (same content), the last one wins.
  const centred = new Map<string, number>();
  for (const photo of photos) {
    const id = centredFace(photo);
    if (id !== undefined && personOf.has(photo.rel)) centred.set(photo.rel, id);
  }
  const out = new Map<number, string>();
  for (const [rel, id] of centred) out.set(id, personOf.get(rel) as string);
  return out;
}

export interface Group {
  readonly faceIds: readonly number[];
  /**
   * Unrelated faces listed together (the daemon's "seen once" and "likely not a face" lists), not a
   * cluster: they are not scored for purity, and each of their faces counts as a group of its own.
   */
  readonly gathered: boolean;
}

export interface GroupPurity {
  /** Position in the list given. */
  readonly index: number;
  readonly size: number;
  /** Faces of the group with a truth. */
  readonly known: number;
  /** The person most of the known faces belong to (the first one met, on a tie); null if none is known. */
  readonly majority: string | null;
  readonly role: string | null;
  /** Share of the known faces that are the majority person's; null if none is known. */
  readonly purity: number | null;
}

/** Purity of the `top` biggest clusters (gathered lists left out; equal sizes keep their order). */
export function groupPurities(
  groups: readonly Group[],
  personOf: ReadonlyMap<number, string>,
  roleOf: ReadonlyMap<string, string>,
  top = 10,
): GroupPurity[] {
  const clusters = groups
    .map((g, index) => ({ g, index }))
    .filter(({ g }) => !g.gathered)
    .sort((a, b) => b.g.faceIds.length - a.g.faceIds.length || a.index - b.index)
    .slice(0, top);
  return clusters.map(({ g, index }) => {
    const counts = new Map<string, number>();
    for (const id of g.faceIds) {
      const person = personOf.get(id);
      if (person !== undefined) counts.set(person, (counts.get(person) ?? 0) + 1);
    }
    let majority: string | null = null;
    let most = 0;
    for (const [person, n] of counts) {
      if (n > most) [majority, most] = [person, n];
    }
    const known = [...counts.values()].reduce((a, b) => a + b, 0);
    return {
      index,
      size: g.faceIds.length,
      known,
      majority,
      role: majority === null ? null : (roleOf.get(majority) ?? null),
      purity: known === 0 ? null : most / known,
    };
  });
}

export interface MemberSpread {
  readonly person: string;
  /** Faces with this person's truth (centred faces that were detected). */
  readonly detected: number;
  /** Of those, in any group (gathered lists included). */
  readonly grouped: number;
  /** Of those, in a cluster. */
  readonly clustered: number;
  /** Share of `detected` in the group holding most of them. */
  readonly biggestShare: number;
  /**
   * Fewest groups that together hold `share` of `detected`, taking the groups holding most first;
   * null when all the groups together hold less.
   */
  readonly groupsNeeded: number | null;
}

/** How many groups each person's faces are spread over. */
export function memberSpreads(
  groups: readonly Group[],
  personOf: ReadonlyMap<number, string>,
  members: readonly string[],
  share = 0.9,
): MemberSpread[] {
  const detected = new Map<string, number>();
  for (const person of personOf.values()) detected.set(person, (detected.get(person) ?? 0) + 1);
  return members.map((person) => {
    // Faces of the person per group; each face of a gathered list is a group of its own.
    const perGroup: number[] = [];
    let clustered = 0;
    for (const g of groups) {
      const n = g.faceIds.filter((id) => personOf.get(id) === person).length;
      if (n === 0) continue;
      if (g.gathered) perGroup.push(...Array<number>(n).fill(1));
      else {
        perGroup.push(n);
        clustered += n;
      }
    }
    perGroup.sort((a, b) => b - a);
    const total = detected.get(person) ?? 0;
    // The epsilon keeps a product such as 0.14 × 50 = 7.000000000000001 from asking for an 8th face.
    const need = Math.ceil(share * total - 1e-9);
    let held = 0;
    let used = 0;
    while (held < need && used < perGroup.length) held += perGroup[used++] as number;
    return {
      person,
      detected: total,
      grouped: perGroup.reduce((a, b) => a + b, 0),
      clustered,
      biggestShare: total === 0 ? 0 : (perGroup[0] ?? 0) / total,
      groupsNeeded: held >= need ? used : null,
    };
  });
}

/** Mean of the values that are not null; null if there are none. */
export function meanOf(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}
