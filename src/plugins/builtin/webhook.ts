/**
 * `webhook`: POSTs each event as JSON to a URL. The receiver can check that it came from facetag:
 * `X-Facetag-Signature: sha256=<hex>` is the HMAC-SHA256 of the exact body bytes with the shared
 * secret. `X-Facetag-Delivery` (the event id) is the same on a redelivery, so a receiver can drop
 * repeats. Any non-2xx answer, a timeout or a network error fails the delivery; the host retries.
 */
import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { definePlugin, PLUGIN_API_VERSION, type PluginEvent } from '../api.js';
import { HttpError, USER_AGENT } from './http.js';

const EVENT_KINDS = ['photo.tagged', 'photo.removed'] as const;
const RESERVED = /^(content-type|content-length|host|x-facetag-.*)$/i;

const optionsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe('Where to POST the events.'),
  secret: z.string().min(16, 'use at least 16 characters').describe('Shared secret for the HMAC-SHA256 signature.'),
  events: z
    .array(z.enum(EVENT_KINDS))
    .min(1)
    .default([...EVENT_KINDS])
    .describe('Which events to send.'),
  headers: z
    .record(z.string(), z.string())
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (RESERVED.test(name))
          ctx.addIssue({ code: 'custom', path: [name], message: 'reserved header, set by facetag' });
      }
    })
    .default({})
    .describe('Extra request headers (e.g. an Authorization for the receiver).'),
});

/** `sha256=<hex>` for `body`: what the receiver recomputes to verify a delivery. */
export function webhookSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export const webhookPlugin = definePlugin({
  name: 'webhook',
  apiVersion: PLUGIN_API_VERSION,
  optionsSchema,
  create(options) {
    const post = async (event: PluginEvent, signal: AbortSignal) => {
      if (!options.events.includes(event.kind)) return;
      const body = JSON.stringify(event);
      const res = await fetch(options.url, {
        method: 'POST',
        headers: {
          ...options.headers,
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'x-facetag-event': event.kind,
          'x-facetag-delivery': String(event.eventId),
          'x-facetag-signature': webhookSignature(options.secret, body),
        },
        body,
        signal,
        redirect: 'error',
      });
      await res.body?.cancel(); // the answer's body is not used; free the connection
      if (!res.ok) throw new HttpError(`POST ${new URL(options.url).pathname}: HTTP ${res.status}`, res.status);
    };
    return { photoTagged: post, photoRemoved: post };
  },
});
