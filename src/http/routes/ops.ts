/** Operations: liveness, readiness and Prometheus metrics. */
import { Router } from 'express';
import { readSidecarSummary } from '../../sidecar/report.js';
import { queueStats } from '../../store/jobs.js';
import { outboxDepth } from '../../store/outbox.js';
import { statusCounts } from '../../store/photos.js';
import type { HttpApiDeps } from '../deps.js';
import { formatPrometheus, metricFamilies, PROMETHEUS_CONTENT_TYPE, type StoreMetrics } from '../metrics.js';

export function opsRoutes(deps: HttpApiDeps): Router {
  const router = Router();

  // The process answers: that is all liveness means (systemd's watchdog covers a stuck loop).
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  router.get('/readyz', (_req, res) => {
    const r = deps.readiness();
    if (r.ready) res.json({ ready: true });
    else res.status(503).json({ ready: false, reason: r.reason ?? 'not ready' });
  });

  router.get('/metrics', (_req, res) => {
    const q = queueStats(deps.db, deps.now());
    const s = statusCounts(deps.db);
    const store: StoreMetrics = {
      queue: q,
      photos: { pending: s.pending, done: s.done, failed: s.failed, removed: s.removed },
      outboxUndelivered: outboxDepth(deps.db),
    };
    const text = formatPrometheus(metricFamilies(store, deps.metrics(), readSidecarSummary(deps.dataDir, 0)));
    res.type(PROMETHEUS_CONTENT_TYPE).send(text);
  });

  return router;
}
