/**
 * HTTP errors as JSON `{ error }` with a clear message and the right 4xx, and one final handler
 * that never sends a stack trace: a 5xx says only "internal error" and the details go to the log.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../core/logger.js';
import { storageFaultCode, storageFaultText } from '../files/storage-fault.js';
import type { LabelProblem } from '../labelling/problems.js';

/** An expected failure of a request: its status and the message the client sees. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra JSON fields for the body (e.g. the id of a conflicting person). */
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`);

/** A label action the labelling module refused, with the registry's status and words. */
export const refused = (problem: LabelProblem): HttpError =>
  new HttpError(problem.status, problem.message, problem.details ?? {});

/** No route matched. */
export const noRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no such endpoint: ${req.method} ${req.path}` });
};

/** What body-parser and the router throw: http-errors objects with a status and a `type`. */
function clientErrorOf(err: unknown): { status: number; type: string | undefined; message: string } | undefined {
  if (typeof err !== 'object' || err === null || !('status' in err) || typeof err.status !== 'number') return;
  if (err.status < 400 || err.status > 499) return;
  const type = 'type' in err && typeof err.type === 'string' ? err.type : undefined;
  const message = err instanceof Error ? err.message : 'bad request';
  return { status: err.status, type, message };
}

/** Messages for body-parser's failures, which otherwise say e.g. "request entity too large". */
function clientMessage(type: string | undefined, message: string, maxBodyBytes: number): string {
  switch (type) {
    case 'entity.too.large':
      return `request body is larger than the limit of ${maxBodyBytes} bytes`;
    case 'entity.parse.failed':
      return `request body is not valid JSON (${message})`;
    case 'entity.verify.failed':
    case 'request.aborted':
    case 'request.size.invalid':
      return 'request body could not be read';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'request body must be UTF-8 JSON';
    default:
      return message;
  }
}

export function errorHandler(log: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // Failed after the headers went out: the response cannot become an error any more. Cut the
    // connection (express's fallback would print a stack trace to stderr instead of a log line).
    if (res.headersSent) {
      log.error('response failed after it started', { method: req.method, path: req.path, err });
      res.destroy();
      return;
    }
    // A handler may have set an image or text type before it failed.
    res.type('application/json');
    if (err instanceof HttpError) {
      res.status(err.status).json({ ...err.details, error: err.message });
      return;
    }
    const client = clientErrorOf(err);
    if (client) {
      res.status(client.status).json({ error: clientMessage(client.type, client.message, maxBodyBytes) });
      return;
    }
    const storage = storageFaultCode(err);
    if (storage) {
      // The daemon pauses on it too; the client may try again once there is space.
      log.warn('request failed: cannot write', { method: req.method, path: req.path, code: storage });
      res
        .status(503)
        .set('Retry-After', '60')
        .json({ error: `facetag cannot write now: ${storageFaultText(storage)} (${storage}); try again later` });
      return;
    }
    log.error('request failed', { method: req.method, path: req.path, err });
    res.status(500).json({ error: 'internal error' });
  };
}
