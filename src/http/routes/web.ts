/**
 * The labelling page (issue 6): one HTML page, its stylesheet and its script, served read-only
 * from memory, plus the page's read routes. The page holds no data itself; everything comes
 * from the API, under the same auth as any other client.
 *
 * The token: the page asks for it once and keeps it in the browser's localStorage. The server
 * never puts it into the page, even for loopback requests: `<dataDir>/http-token` is mode 0600
 * so that other local users cannot write labels, and any local user can GET / on loopback, so
 * an injected token would hand them exactly what the file mode withholds.
 */
import { readFile } from 'node:fs/promises';
import { type RequestHandler, Router } from 'express';
import { PAGE_CSS, PAGE_HTML } from '../../web/page.js';
import type { HttpApiDeps } from '../deps.js';
import { unknownFaceRoutes } from './unknown-faces.js';

/** Compiled by src/web/tsconfig.json next to this build's src/web/. */
const SCRIPT_URL = new URL('../../web/client/app.mjs', import.meta.url);

/**
 * The API's CSP allows nothing; the page needs its own script, style, chips (fetched with the
 * token and shown as blob: URLs) and same-origin fetches. No inline script or style anywhere.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The page's three files. They hold no data, so they are mounted before the auth check: a browser
 * cannot send a bearer token when it opens a page, and the page must load even when the server
 * listens beyond loopback (every API call it then makes carries the token).
 */
export function webPageRoutes(): Router {
  const router = Router();
  let script: Promise<string> | undefined;

  const page =
    (type: string, body: () => Promise<string> | string): RequestHandler =>
    async (_req, res) => {
      const text = await body();
      res.set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-cache' }).type(type).send(text);
    };

  router.get(
    ['/', '/index.html'],
    page('text/html; charset=utf-8', () => PAGE_HTML),
  );
  router.get(
    '/web/style.css',
    page('text/css; charset=utf-8', () => PAGE_CSS),
  );
  router.get(
    '/web/app.mjs',
    page('text/javascript; charset=utf-8', () => {
      // Read once; a failed read (a build without the page script) is retried next time.
      script ??= readFile(SCRIPT_URL, 'utf8').catch((err: unknown) => {
        script = undefined;
        throw err;
      });
      return script;
    }),
  );
  return router;
}

/** The page's data routes, behind the same auth as the rest of the API. */
export function webDataRoutes(deps: HttpApiDeps): Router {
  return unknownFaceRoutes(deps);
}
