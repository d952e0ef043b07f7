/**
 * JSON over HTTP for the gallery plugins (Node's fetch). Every response body a plugin uses is
 * checked with a zod schema: a gallery that answers something else fails the delivery with a
 * message naming the call and the field, rather than a TypeError three calls later. Errors never
 * include request headers (they carry the API key).
 */
import type * as z from 'zod';
import { VERSION } from '../../version.js';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly status: number,
    /** The answer's Retry-After, in ms from now, when it had a usable one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; undefined if absent or bad. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface JsonRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly signal: AbortSignal;
}

export const USER_AGENT = `facetag/${VERSION}`;

/** Sends the request; a non-2xx answer throws HttpError. Returns the body text. */
export async function send(req: JsonRequest): Promise<string> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT, ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(req.url, {
    method: req.method,
    headers,
    ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
    signal: req.signal,
    redirect: 'error',
  });
  const text = await res.text();
  if (!res.ok) {
    const what = `${req.method} ${req.url.pathname}`;
    throw new HttpError(
      `${what}: HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      res.status,
      retryAfterMs(res.headers.get('retry-after'), Date.now()),
    );
  }
  return text;
}

/** Sends the request and checks the JSON answer against `schema`. */
export async function sendJson<T>(req: JsonRequest, schema: z.ZodType<T>): Promise<T> {
  const what = `${req.method} ${req.url.pathname}`;
  const text = await send(req);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${what}: the answer is not JSON: ${text.slice(0, 100)}`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  throw new Error(`${what}: unexpected answer: ${where}: ${issue?.message ?? 'invalid'}`);
}

/** `base` + `path`, keeping a base path prefix (`https://host/immich` + `/api/x`). */
export function apiUrl(base: string, path: string, query?: Readonly<Record<string, string>>): URL {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  return url;
}
