/**
 * What a plugin's error means for delivery. Plugins say it with the context's `retryLater` and
 * `photoFailed` (api.ts), which make errors carrying a `code`; the host reads the code, not the
 * class, so a plugin with its own copy of the API (or none) can say the same. Anything else is a
 * failure of the plugin or its target: it counts towards tripping and disabling the plugin.
 */
import { isAbsolute } from 'node:path';
import { PHOTO_FAILED, type PhotoFailedOptions, RETRY_LATER, type RetryLaterOptions } from './api.js';

export type ErrorOutcome =
  | { readonly kind: 'later'; readonly retryAfterMs?: number }
  | { readonly kind: 'photo'; readonly watch: readonly string[] }
  | { readonly kind: 'failure' };

/** Longest Retry-After honoured: a gallery asking for more is asked again after an hour. */
export const MAX_RETRY_AFTER_MS = 3600_000;
/** Files one parked event may watch. */
const MAX_WATCH = 8;

class SignalError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryAfterMs?: number,
    readonly watch?: readonly string[],
  ) {
    super(message);
    this.name = code === PHOTO_FAILED ? 'PhotoFailed' : 'RetryLater';
  }
}

export function retryLaterError(reason: string, options: RetryLaterOptions = {}): Error {
  return new SignalError(reason, RETRY_LATER, options.retryAfterMs);
}

export function photoFailedError(reason: string, options: PhotoFailedOptions = {}): Error {
  return new SignalError(reason, PHOTO_FAILED, undefined, options.watch);
}

/** Reads what an error says; its extra fields are checked, as they come from plugin code. */
export function errorOutcome(err: unknown): ErrorOutcome {
  if (typeof err !== 'object' || err === null) return { kind: 'failure' };
  const code = Reflect.get(err, 'code');
  if (code === RETRY_LATER) {
    const after = Reflect.get(err, 'retryAfterMs');
    return typeof after === 'number' && Number.isFinite(after) && after > 0
      ? { kind: 'later', retryAfterMs: Math.min(after, MAX_RETRY_AFTER_MS) }
      : { kind: 'later' };
  }
  if (code === PHOTO_FAILED) {
    const watch: unknown = Reflect.get(err, 'watch');
    const paths = Array.isArray(watch)
      ? watch.filter((p): p is string => typeof p === 'string' && isAbsolute(p)).slice(0, MAX_WATCH)
      : [];
    return { kind: 'photo', watch: paths };
  }
  return { kind: 'failure' };
}
