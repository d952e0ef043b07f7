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
import { errnoCode } from '../../files/errno.js';
import { PAGE_CSS, PAGE_HTML, PAGE_ICON } from '../../web/page.js';
import type { HttpApiDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { unknownFaceRoutes } from './unknown-faces.js';

/** The page's modules, compiled by src/web/tsconfig.json next to this build's src/web/. */
const SCRIPT_DIR = new URL('../../web/client/', import.meta.url);
/** A module name as tsc emits them; nothing else (no dots, no slashes) is ever read. */
const MODULE_NAME = /^[a-z][a-z-]{0,40}\.mjs$/;

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
  const scripts = new Map<string, Promise<string>>();

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
  // Browsers ask for /favicon.ico whatever the page links: answer both with the icon.
  router.get(
    ['/web/icon.svg', '/favicon.ico'],
    page('image/svg+xml', () => PAGE_ICON),
  );
  router.get('/web/:module', (req, res, next) => {
    const name = req.params.module;
    if (!MODULE_NAME.test(name)) {
      next();
      return;
    }
    const load = (): Promise<string> => {
      // Read once; a failed read (a build without the page script) is retried next time.
      let text = scripts.get(name);
      if (!text) {
        text = readFile(new URL(name, SCRIPT_DIR), 'utf8').catch((err: unknown) => {
          scripts.delete(name);
          if (errnoCode(err) === 'ENOENT') throw notFound(`page module ${name}`);
          throw err;
        });
        scripts.set(name, text);
      }
      return text;
    };
    return page('text/javascript; charset=utf-8', load)(req, res, next);
  });
  return router;
}

/** The page's data routes, behind the same auth as the rest of the API. */
export function webDataRoutes(deps: HttpApiDeps): Router {
  const router = unknownFaceRoutes(deps);
  // What the first visit needs to say: where the token is and what prints it. Behind the read
  // rule, so beyond loopback only a token holder learns the data folder's path.
  router.get('/api/page-info', (_req, res) => {
    const dataDir = deps.dataDir === '' ? [] : ['--data-dir', shellQuote(deps.dataDir)];
    res.json({
      tokenFile: deps.tokenFile ?? null,
      // `cat` works wherever facetag is installed (a checkout has it under bin/, not on the PATH).
      tokenCommands: [
        ['facetag', 'token', ...dataDir].join(' '),
        ...(deps.tokenFile ? [`cat ${shellQuote(deps.tokenFile)}`] : []),
      ],
      sureFrom: deps.sureFrom ?? DEFAULT_SURE_FROM,
    });
  });
  return router;
}

/** The sidecar plugin's default: an auto name goes out from this decision value on. */
const DEFAULT_SURE_FROM = 0.5;

/** A path as one POSIX shell word, for a command a person copies. */
const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
