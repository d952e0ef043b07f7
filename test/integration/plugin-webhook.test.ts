import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { test } from 'node:test';
import { createLogger } from '../../src/core/logger.js';
import type { PhotoRemovedEvent, PhotoTaggedEvent, PluginContext, PluginInstance } from '../../src/plugins/api.js';
import { BUILTIN_PLUGINS } from '../../src/plugins/builtin/index.js';
import { parseOptions } from '../../src/plugins/loader.js';
import { FakeGallery } from '../helpers/fake-gallery.js';
import { take } from '../helpers/items.js';

const SECRET = 'a shared secret of some length';
const ctx: PluginContext = {
  id: 'webhook',
  log: createLogger({ write: () => {}, rateLimit: false }),
  deadlineMs: 5000,
  stateDir: '',
  retryLater: (r) => new Error(r),
  photoFailed: (r) => new Error(r),
};

async function webhook(url: string, options: Record<string, unknown> = {}): Promise<PluginInstance> {
  const plugin = BUILTIN_PLUGINS.get('webhook');
  assert.ok(plugin);
  return plugin.create(parseOptions(plugin, 'webhook', { url, secret: SECRET, ...options }), ctx);
}

const tagged: PhotoTaggedEvent = {
  kind: 'photo.tagged',
  eventId: 42,
  cause: 'analysed',
  photoId: 7,
  path: '/lib/ünïcode photo.jpg',
  movedFrom: null,
  copies: [],
  hash: 'ab'.repeat(32),
  orientation: 1,
  stored: { width: 10, height: 10 },
  displayed: { width: 10, height: 10 },
  faces: [],
  detectedFaces: 0,
  createdAt: 1,
};
const removed: PhotoRemovedEvent = {
  kind: 'photo.removed',
  eventId: 43,
  photoId: 7,
  path: '/lib/x.jpg',
  hash: null,
  createdAt: 2,
};

/** What a receiver does: recompute the HMAC over the raw body bytes and compare in constant time. */
function verify(raw: string, header: unknown): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', SECRET).update(Buffer.from(raw, 'utf8')).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

test('posts the event as JSON with a signature the receiver can verify', async () => {
  const receiver = await FakeGallery.start();
  try {
    const hook = await webhook(`${receiver.url}/hook`, { headers: { authorization: 'Bearer receiver' } });
    await hook.photoTagged(tagged, AbortSignal.timeout(5000));
    await hook.photoRemoved(removed, AbortSignal.timeout(5000));
    const [a, b] = take(receiver.calls('/hook'), 2, 'calls to the hook');
    assert.equal(a.method, 'POST');
    assert.equal(a.headers['content-type'], 'application/json');
    assert.equal(a.headers['x-facetag-event'], 'photo.tagged');
    assert.equal(a.headers['x-facetag-delivery'], '42');
    assert.equal(a.headers.authorization, 'Bearer receiver');
    assert.deepEqual(a.body, tagged);
    assert.ok(verify(a.raw, a.headers['x-facetag-signature']), 'signature verifies');
    assert.ok(verify(b.raw, b.headers['x-facetag-signature']));
    assert.equal(b.headers['x-facetag-event'], 'photo.removed');
    // A tampered body or another secret does not verify.
    assert.equal(verify(a.raw.replace('ünïcode', 'unicode'), a.headers['x-facetag-signature']), false);
    assert.notEqual(
      a.headers['x-facetag-signature'],
      `sha256=${createHmac('sha256', 'other secret of some length').update(a.raw).digest('hex')}`,
    );
  } finally {
    await receiver.close();
  }
});

test('a non-2xx answer fails the delivery (the host retries); events can be filtered', async () => {
  const receiver = await FakeGallery.start();
  try {
    receiver.hookStatus = 500;
    await assert.rejects(
      (await webhook(`${receiver.url}/hook`)).photoTagged(tagged, AbortSignal.timeout(5000)),
      /HTTP 500/,
    );
    receiver.hookStatus = 204;
    const onlyTagged = await webhook(`${receiver.url}/hook`, { events: ['photo.tagged'] });
    await onlyTagged.photoRemoved(removed, AbortSignal.timeout(5000));
    assert.equal(receiver.calls('/hook').length, 1, 'photo.removed not sent');
  } finally {
    await receiver.close();
  }
  const plugin = BUILTIN_PLUGINS.get('webhook');
  assert.ok(plugin);
  const forged = { url: 'https://x/h', secret: SECRET, headers: { 'X-Facetag-Signature': 'forged' } };
  assert.throws(() => parseOptions(plugin, 'webhook', forged), /options\.headers.*reserved header/);
});

test('a receiver that never answers is given up when the signal fires', async () => {
  const receiver = await FakeGallery.start();
  try {
    receiver.hang = true;
    const started = Date.now();
    await assert.rejects((await webhook(`${receiver.url}/hook`)).photoTagged(tagged, AbortSignal.timeout(150)));
    assert.ok(Date.now() - started < 2000);
  } finally {
    await receiver.close();
  }
});
