/**
 * Plugins: what each one is doing (running, disabled and why, pending and parked events with
 * their paths and reasons), and "retry": parked events go back to delivery and a disabled plugin
 * is enabled again. The page shows the first; the second needs the token, like every write.
 */
import { Router } from 'express';
import * as z from 'zod';
import type { HttpApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';

const pluginId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const retryBody = z.strictObject({ eventId: z.int().positive().optional() });

export function pluginRoutes(deps: HttpApiDeps): Router {
  const router = Router();

  router.get('/api/plugins', (_req, res) => {
    res.json({ plugins: deps.plugins?.status() ?? [] });
  });

  router.post('/api/plugins/:id/retry', (req, res) => {
    const id = pluginId.safeParse(req.params.id);
    if (!id.success) throw new HttpError(400, 'a plugin id is letters, digits, ".", "_" and "-"');
    const body = retryBody.safeParse(req.body ?? {});
    if (!body.success) throw new HttpError(400, 'the body is {} or { "eventId": <a parked event\'s id> }');
    const result = deps.plugins?.retry(id.data, body.data.eventId);
    if (!result) throw notFound(`running plugin ${id.data}`);
    res.json(result);
  });

  return router;
}
