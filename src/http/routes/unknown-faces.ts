/**
 * The labelling page's two lists: unknown faces (neural engine: the stored clusters; cascade: grouped
 * by the models' best guess or by HOG likeness), and suggestions per person.
 * Reads only; labels change through POST /api/faces/:id/label.
 */
import { Router } from 'express';
import * as z from 'zod';
import { groupUnknownFaces, limitFaces } from '../../cluster/unknown-groups.js';
import { needsStoredChip, recogniseStored } from '../../recognize/stored-chip.js';
import { unknownFaces } from '../../store/clusters.js';
import { suggestedFaces, unknownFaceChips } from '../../store/unknown-faces.js';
import { decodeChipPng } from '../../vision/chip-png.js';
import { bestGuess, GUESS_FLOOR, groupByGuess } from '../../web/best-guess.js';
import { groupByLikeness, likenessVector } from '../../web/likeness.js';
import type { HttpApiDeps } from '../deps.js';
import { parseQuery } from '../validate.js';

/** Faces grouped per request: HOG of a chip is ~0.1 ms, decoding it a little more. */
const MAX_UNKNOWN = 2000;

const queryInt = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,6}$/, 'expected a non-negative integer')
    .transform(Number)
    .pipe(z.int().min(1).max(max))
    .default(fallback);

const unknownQuery = z.object({ limit: queryInt(MAX_UNKNOWN, 500) });
const suggestionsQuery = z.object({ perPerson: queryInt(500, 48) });

export function unknownFaceRoutes(deps: HttpApiDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/api/unknown-faces', async (req, res) => {
    const { limit } = parseQuery(unknownQuery, req.query);
    if (deps.clusters) {
      // Stored clusters (neural engine): read, never recomputed here.
      const cut = limitFaces(groupUnknownFaces(unknownFaces(db)), limit);
      res.json({
        groups: cut.groups.map((g) => ({
          kind: g.kind,
          clusterId: g.clusterId,
          guess: null,
          faces: g.faces.map((f) => ({ id: f.id, photoId: f.photo_id, guessValue: null })),
        })),
        truncated: cut.truncated,
      });
      return;
    }
    const rows = unknownFaceChips(db, limit);
    const recognizer = deps.recognizer();
    const models = recognizer && recognizer.size > 0 ? recognizer : undefined;
    // Chips are decoded where they are read: by HOG models, and for likeness of the unguessed.
    const chips = await Promise.all(
      rows.map((row) => (models && needsStoredChip(models) ? decodeChipPng(row.chip) : undefined)),
    );
    // With models: group by each face's best guess; faces without one (or no models yet) by likeness.
    const floor = deps.guessFloor === undefined ? GUESS_FLOOR : deps.guessFloor;
    const guesses = rows.map((row, i) =>
      models && floor !== null
        ? bestGuess(recogniseStored(models, { chip: chips[i], features: row.features }).decisions, floor)
        : undefined,
    );
    // The groupings give back indices of the lists they were given.
    const face = (i: number) => {
      const row = rows[i]!;
      return { id: row.id, photoId: row.photo_id, guessValue: guesses[i]?.value ?? null };
    };
    const guessed = groupByGuess(guesses).map((g) => ({ guess: g.person, faces: g.members.map(face) }));
    const rest = rows.map((_, i) => i).filter((i) => !guesses[i]);
    const restChips = await Promise.all(rest.map((i) => chips[i] ?? decodeChipPng(rows[i]!.chip)));
    const alike = groupByLikeness(restChips.map(likenessVector)).map((members) => ({
      guess: null,
      faces: members.map((m) => face(rest[m]!)),
    }));
    const groups = [...guessed, ...alike]
      .sort((a, b) => b.faces.length - a.faces.length)
      .map((g) => ({ kind: g.guess ? 'guess' : 'likeness', clusterId: null, ...g }));
    res.json({ groups, truncated: rows.length === limit });
  });

  router.get('/api/suggestions', (req, res) => {
    const { perPerson } = parseQuery(suggestionsQuery, req.query);
    const persons = new Map<
      number,
      { id: number; name: string; faces: { id: number; photoId: number; decisionValue: number | null }[] }
    >();
    for (const r of suggestedFaces(db, perPerson)) {
      let p = persons.get(r.person_id);
      if (!p) {
        p = { id: r.person_id, name: r.person, faces: [] };
        persons.set(r.person_id, p);
      }
      p.faces.push({ id: r.id, photoId: r.photo_id, decisionValue: r.decision_value });
    }
    res.json({ persons: [...persons.values()] });
  });

  return router;
}
