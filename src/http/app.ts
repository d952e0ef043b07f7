/**
 * The HTTP API (issue 5 §3): composition of the express app, and the listener. Order matters:
 * headers, then auth (before any body is read, so an unauthenticated client cannot make the
 * server parse anything), then the JSON body parser with its size limit, the routes, a JSON 404
 * and the error handler. No CORS: browsers on other origins get nothing readable.
 */
import { createServer } from 'node:http';
import express, { type RequestHandler } from 'express';
import { createLabelling } from '../labelling/labelling.js';
import { type AuthPolicy, authMiddleware, isLoopbackHost } from './auth.js';
import type { HttpApiDeps } from './deps.js';
import { errorHandler, HttpError, noRoute } from './errors.js';
import { changeRoutes } from './routes/changes.js';
import { faceRoutes } from './routes/faces.js';
import { opsRoutes } from './routes/ops.js';
import { personRoutes } from './routes/persons.js';
import { photoRoutes } from './routes/photos.js';
import { pluginRoutes } from './routes/plugins.js';
import { trainingRoutes } from './routes/training.js';
import { webDataRoutes, webPageRoutes } from './routes/web.js';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Visible ASCII without spaces (what fits a Bearer header), long enough not to be guessed. */
const TOKEN = /^[\x21-\x7e]{16,}$/;

interface AppState {
  readonly policy: AuthPolicy;
  readonly hasToken: boolean;
}
/** Each app's auth policy, for startHttpServer to set from the address it binds. */
const states = new WeakMap<express.Express, AppState>();

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    // JSON and images only: nothing here should run script, be framed or be embedded elsewhere.
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  next();
};

/** Writes take JSON only: no form posts from other sites, and no body-parser guessing. */
const jsonWrites: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  if (!req.is('application/json'))
    throw new HttpError(415, 'request body must be JSON (Content-Type: application/json)');
  next();
};

export function createHttpApi(deps: HttpApiDeps): express.Express {
  const token = deps.token === '' ? undefined : deps.token;
  if (token !== undefined && !TOKEN.test(token)) {
    throw new Error('the HTTP token must be at least 16 visible ASCII characters, without spaces');
  }
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = deps.log.child({ component: 'http' });
  // Closed until startHttpServer knows it binds loopback only: every request needs the token.
  const policy: AuthPolicy = { exposed: true };

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(webPageRoutes());
  app.use(authMiddleware(policy, token));
  app.use(jsonWrites);
  app.use(express.json({ limit: maxBodyBytes, strict: true, type: 'application/json' }));
  app.use(opsRoutes(deps));
  // Every label action goes through the labelling module, which publishes each change once stored.
  const labelling = createLabelling({ db: deps.db, now: deps.now, changes: deps.labelChanges });
  app.use(personRoutes(deps, labelling));
  app.use(photoRoutes(deps, labelling));
  app.use(faceRoutes(deps, labelling));
  app.use(changeRoutes(deps));
  app.use(trainingRoutes(deps));
  app.use(pluginRoutes(deps));
  app.use(webDataRoutes(deps));
  app.use(noRoute);
  app.use(errorHandler(log, maxBodyBytes));
  states.set(app, { policy, hasToken: token !== undefined });
  return app;
}

export interface HttpServer {
  readonly url: string;
  /** Stops listening and closes open connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Listen on `host:port` (port 0 picks a free one). Refuses a non-loopback address when the app
 * has no token: the API would otherwise be open to the network.
 */
export async function startHttpServer(
  app: express.Express,
  options: { readonly host: string; readonly port: number },
): Promise<HttpServer> {
  const state = states.get(app);
  if (!state) throw new Error('startHttpServer takes an app made by createHttpApi');
  const loopback = isLoopbackHost(options.host);
  if (!loopback && !state.hasToken) {
    throw new Error(
      `refusing to listen on ${options.host}, beyond loopback, without a token: set http.token or FACETAG_TOKEN`,
    );
  }
  state.policy.exposed = !loopback;

  const server = createServer(app);
  // Bound slow clients: a request must arrive whole within 30 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('HTTP server has no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Idle keep-alive connections would hold close() open until they time out.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
