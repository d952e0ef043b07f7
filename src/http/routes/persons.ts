/** Persons: the list with face counts, a person's photos, rename and merge. */
import { Router } from 'express';
import type { Labelling } from '../../labelling/labelling.js';
import { personById, personFaceCounts } from '../../store/faces.js';
import { photosOfPerson } from '../../store/person-photos.js';
import type { HttpApiDeps } from '../deps.js';
import { notFound, refused } from '../errors.js';
import { mergeBody, parseBody, parseId, parseQuery, personPhotosQuery, renameBody } from '../validate.js';

export function personRoutes(deps: HttpApiDeps, labelling: Labelling): Router {
  const { db } = deps;
  const router = Router();

  router.get('/api/persons', (_req, res) => {
    res.json({ persons: personFaceCounts(db) });
  });

  router.get('/api/persons/:id/photos', (req, res) => {
    const id = parseId(req.params.id, 'person id');
    const q = parseQuery(personPhotosQuery, req.query);
    const person = personById(db, id);
    if (!person) throw notFound(`person ${id}`);
    const photos = photosOfPerson(db, id, { which: q.which, limit: q.limit, afterId: q.after });
    // A full page may have more after it; a short one is the end.
    const last = photos[photos.length - 1];
    const next = photos.length === q.limit && last ? last.id : null;
    res.json({ person: { id: person.id, name: person.name }, photos, next });
  });

  router.post('/api/persons/:id/rename', (req, res) => {
    const r = labelling.rename(parseId(req.params.id, 'person id'), parseBody(renameBody, req.body).name);
    if (!r.ok) throw refused(r.problem);
    res.json({ person: { id: r.person.id, name: r.person.name } });
  });

  router.post('/api/persons/:id/merge', (req, res) => {
    const r = labelling.merge(parseId(req.params.id, 'person id'), parseBody(mergeBody, req.body).into);
    if (!r.ok) throw refused(r.problem);
    res.json({ into: { id: r.into.id, name: r.into.name }, moved: r.moved });
  });

  return router;
}
