/** The changes feed: what changed after a cursor (the outbox id), for galleries and scripts that poll. */
import { Router } from 'express';
import { changesSince } from '../../store/changes.js';
import type { HttpApiDeps } from '../deps.js';
import { changesQuery, parseQuery } from '../validate.js';

export function changeRoutes(deps: HttpApiDeps): Router {
  const router = Router();
  router.get('/api/changes', (req, res) => {
    const q = parseQuery(changesQuery, req.query);
    res.json(changesSince(deps.db, q.since, q.limit));
  });
  return router;
}
