/** Persons: the list with face counts, a person's photos, rename and merge. */
import { Router } from 'express';
import { personFaceCounts } from '../../store/faces.js';
import { mergePersons, personById, renamePerson } from '../../store/person-admin.js';
import { photosOfPerson } from '../../store/person-photos.js';
import type { HttpApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { mergeBody, parseBody, parseId, parseQuery, personPhotosQuery, renameBody } from '../validate.js';

export function personRoutes(deps: HttpApiDeps): Router {
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
    const next = photos.length === q.limit ? photos[photos.length - 1].id : null;
    res.json({ person: { id: person.id, name: person.name }, photos, next });
  });

  router.post('/api/persons/:id/rename', (req, res) => {
    const id = parseId(req.params.id, 'person id');
    const { name } = parseBody(renameBody, req.body);
    const r = renamePerson(db, id, name, deps.now());
    if (!r.ok) {
      if (r.code === 'person-not-found') throw notFound(`person ${id}`);
      if (r.code === 'name-taken') {
        throw new HttpError(409, `a person named ${JSON.stringify(name)} exists: merge into it instead`, {
          existingId: r.existingId,
        });
      }
      throw new HttpError(400, 'invalid person name');
    }
    // Models are named after persons: a new name means retraining.
    if (r.changed) deps.labelChanges.publish({ kind: 'person-renamed', personId: id });
    res.json({ person: { id: r.person.id, name: r.person.name } });
  });

  router.post('/api/persons/:id/merge', (req, res) => {
    const id = parseId(req.params.id, 'person id');
    const { into } = parseBody(mergeBody, req.body);
    const r = mergePersons(db, id, into, deps.now());
    if (!r.ok) {
      if (r.code === 'person-not-found') throw notFound(`person ${id}`);
      if (r.code === 'target-not-found') throw notFound(`person ${into} (the merge target)`);
      throw new HttpError(400, 'a person cannot be merged into itself');
    }
    deps.labelChanges.publish({ kind: 'persons-merged', from: id, into: r.into.id });
    res.json({ into: { id: r.into.id, name: r.into.name }, moved: r.moved });
  });

  return router;
}
