/**
 * Who may call the API (issue 5 §3 "Security"). Writes always need the bearer token. When the
 * server listens beyond loopback, every request does. Unauthenticated loopback reads must carry
 * a loopback Host header: otherwise any web page the user visits could read the library through
 * DNS rebinding (a hostile name resolving to 127.0.0.1). The decision is a pure function so it
 * can be tested without binding to a public address.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';

/** Whether an address or host name is loopback only: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower-cased; undefined when malformed. */
export function hostOfHeader(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  try {
    return new URL(`http://${header}/`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Compare in constant time. Hashing first gives equal-length inputs, so not even the token's
 * length leaks through timingSafeEqual's length check.
 */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 6750). */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return m?.[1];
}

export interface AuthRequest {
  /** The server listens beyond loopback. */
  readonly exposed: boolean;
  /** Anything but GET and HEAD. */
  readonly write: boolean;
  /** The configured token; undefined or '' when none is set. */
  readonly token: string | undefined;
  readonly authorization: string | undefined;
  readonly host: string | undefined;
}

export type AuthDecision =
  | { readonly allow: true }
  | { readonly allow: false; readonly status: 401 | 403; readonly error: string; readonly challenge?: string };

const REALM = 'Bearer realm="facetag"';

export function authDecision(r: AuthRequest): AuthDecision {
  const token = r.token === '' ? undefined : r.token;
  const given = bearerToken(r.authorization);
  if (r.authorization !== undefined && given === undefined) {
    return { allow: false, status: 401, error: 'Authorization header must be "Bearer <token>"', challenge: REALM };
  }
  if (token !== undefined && given !== undefined) {
    return tokenMatches(given, token)
      ? { allow: true }
      : { allow: false, status: 401, error: 'wrong token', challenge: `${REALM}, error="invalid_token"` };
  }
  if (r.exposed || r.write) {
    if (token === undefined) {
      return {
        allow: false,
        status: 403,
        error: 'no API token is configured: set http.token or FACETAG_TOKEN to allow this request',
      };
    }
    return { allow: false, status: 401, error: 'this request needs "Authorization: Bearer <token>"', challenge: REALM };
  }
  const host = hostOfHeader(r.host);
  if (host === undefined || !isLoopbackHost(host)) {
    return { allow: false, status: 403, error: 'Host header must name localhost when no token is sent' };
  }
  return { allow: true };
}

/** The listening state the middleware reads; startHttpServer sets `exposed`. */
export interface AuthPolicy {
  exposed: boolean;
}

export function authMiddleware(policy: Readonly<AuthPolicy>, token: string | undefined): RequestHandler {
  return (req, res, next) => {
    const decision = authDecision({
      exposed: policy.exposed,
      write: req.method !== 'GET' && req.method !== 'HEAD',
      token,
      authorization: req.get('authorization'),
      host: req.get('host'),
    });
    if (decision.allow) return next();
    if (decision.challenge) res.set('WWW-Authenticate', decision.challenge);
    res.status(decision.status).json({ error: decision.error });
  };
}
