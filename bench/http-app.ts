/** The HTTP app as the page benches serve it: a store and its photos, no daemon services behind it. */
import type express from 'express';
import { createHttpApi } from '../src/http/app.js';
import type { HttpApiDeps } from '../src/http/deps.js';

export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

export function benchHttpApi(
  deps: Pick<HttpApiDeps, 'db' | 'dataDir' | 'photoRoots' | 'log'> & Partial<Pick<HttpApiDeps, 'clusters'>>,
): express.Express {
  return createHttpApi({
    token: BENCH_TOKEN,
    now: Date.now,
    labelChanges: { publish: () => {} },
    readiness: () => ({ ready: true }),
    recognizer: () => undefined,
    training: { status: () => null, trainNow: () => false },
    drawnFaceChip: () => Promise.reject(new Error('not in this bench')),
    metrics: () => ({
      photos: { analysed: 0, reused: 0, failed: 0, retried: 0 },
      stageSeconds: {},
      sidecarWriteErrors: 0,
      watcher: { roots: [], pending: 0 },
    }),
    clusters: { takeOut: () => undefined },
    ...deps,
  });
}
