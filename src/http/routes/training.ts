/** Training: the state per person and of the service (the page polls it for live progress), and "train now". */
import { Router } from 'express';
import { personFaceCounts } from '../../store/faces.js';
import { latestModels } from '../../store/models.js';
import type { HttpApiDeps } from '../deps.js';
import { HttpError } from '../errors.js';

export function trainingRoutes(deps: HttpApiDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/api/training', (_req, res) => {
    const models = new Map(latestModels(db).map((m) => [m.person_id, m]));
    const persons = personFaceCounts(db).map((p) => {
      const m = models.get(p.id);
      return {
        id: p.id,
        name: p.name,
        chips: p.confirmed,
        model: m ? { version: m.version, trainedAt: m.created_at, cvScore: m.cv_score, cvMetric: m.cv_metric } : null,
      };
    });
    res.json({ service: deps.training.status(), persons });
  });

  router.post('/api/training', (_req, res) => {
    if (!deps.training.trainNow()) {
      res.set('Retry-After', '5');
      throw new HttpError(503, 'training starts once the daemon has finished starting; try again shortly');
    }
    res.status(202).json({ service: deps.training.status() });
  });

  return router;
}
