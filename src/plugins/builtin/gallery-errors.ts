/**
 * What a gallery's answer means for delivery (api.ts: retryLater, photoFailed): "busy" (429) is
 * retry later, honouring Retry-After; "no such photo" is that photo's failure; anything else
 * (5xx, a refused key, the network) is the gallery's, and counts towards disabling the plugin.
 */
import type { PluginContext } from '../api.js';
import { HttpError } from './http.js';

/**
 * The error to throw for `err`. `isNotFound` says which answers mean "this photo is not there"
 * (each gallery says it its own way).
 */
export function galleryError(
  err: unknown,
  ctx: Pick<PluginContext, 'retryLater' | 'photoFailed'>,
  isNotFound: (err: HttpError) => boolean,
): unknown {
  if (!(err instanceof HttpError)) return err;
  if (err.status === 429) {
    const when = err.retryAfterMs === undefined ? '' : ` (asked to wait ${Math.ceil(err.retryAfterMs / 1000)} s)`;
    return ctx.retryLater(
      `gallery busy${when}: ${err.message}`,
      err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs },
    );
  }
  if (isNotFound(err)) return ctx.photoFailed(err.message);
  return err;
}
