import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as z from 'zod';
import { createLogger } from '../../src/core/logger.js';
import { createHttpApi, startHttpServer } from '../../src/http/app.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { first } from '../helpers/items.js';
import { call, type Fixture, rawGet, SNAPSHOT, startFixture, TEST_PORTS, TOKEN } from './http-fixture.js';

const errorBody = z.object({ error: z.string() });

describe('with a token configured, on loopback', () => {
  let fx: Fixture;
  let faceId = 0;
  before(async () => {
    fx = await startFixture();
    faceId = first(facesOfPhoto(fx.db, fx.photos.family), 'faces of the family photo').id;
  });
  after(() => fx.close());

  test('path traversal in the URL never reaches a file: 4xx with a JSON error', async () => {
    const paths = [
      '/api/faces/..%2f..%2fetc/chip',
      '/api/faces/..%2F..%2F..%2Fetc%2Fpasswd/chip',
      '/api/photos/1%2F..',
      '/api/photos/1%2F../faces',
      '/api/photos/1%2F..%2F..%2Fetc%2Fpasswd/annotated',
      '/api/photos/..%5c..%5cwindows/faces',
      '/api/faces/../../../etc/passwd',
      '/api/photos/%2e%2e/%2e%2e/etc/passwd',
      '/api/photos/1%00/faces',
      '/api/photos/%E0%A4%A/faces',
      '/../../../../etc/passwd',
    ];
    for (const path of paths) {
      const r = await rawGet(fx, path, { host: 'localhost' });
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
      assert.match(String(r.headers['content-type']), /^application\/json/, path);
      const body = errorBody.parse(JSON.parse(r.body));
      assert.doesNotMatch(body.error, /root:|at .*\.js/, path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
    }
    assert.equal((await rawGet(fx, '/api/faces/..%2f..%2fetc/chip', { host: 'localhost' })).status, 400);
  });

  test('writes need the bearer token: missing or wrong is a 401 with a challenge, and changes nothing', async () => {
    const body = { action: 'not_a_face' };
    const missing = await call(fx, 'POST', `/api/faces/${faceId}/label`, { body });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="facetag"');
    assert.match(errorBody.parse(missing.json).error, /needs "Authorization: Bearer <token>"/);

    const wrong = await call(fx, 'POST', `/api/faces/${faceId}/label`, { body, token: `${TOKEN}x` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="facetag", error="invalid_token"');
    assert.deepEqual(wrong.json, { error: 'wrong token' });

    const basic = await call(fx, 'POST', `/api/faces/${faceId}/label`, {
      body,
      headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
    });
    assert.equal(basic.status, 401);

    for (const path of [`/api/persons/1/rename`, `/api/persons/1/merge`]) {
      assert.equal((await call(fx, 'POST', path, { body: { name: 'x', into: 2 } })).status, 401, path);
    }
    assert.equal(first(facesOfPhoto(fx.db, fx.photos.family), 'faces of the family photo').label_state, 'auto');
    assert.equal(fx.labelsChanged.count, 0);
    const ok = await call(fx, 'POST', `/api/faces/${faceId}/label`, { body, token: TOKEN });
    assert.equal(ok.status, 200);
  });

  test('reads on loopback need no token, but do need a loopback Host unless a token is sent', async () => {
    assert.equal((await rawGet(fx, '/api/persons', { host: 'localhost:8427' })).status, 200);
    assert.equal((await rawGet(fx, '/api/persons', { host: '[::1]:8427' })).status, 200);
    const rebound = await rawGet(fx, '/api/persons', { host: 'evil.example:8427' });
    assert.equal(rebound.status, 403);
    assert.match(errorBody.parse(JSON.parse(rebound.body)).error, /Host header/);
    const proxied = await rawGet(fx, '/api/persons', { host: 'photos.example', authorization: `Bearer ${TOKEN}` });
    assert.equal(proxied.status, 200);
    const wrong = await rawGet(fx, '/api/persons', { host: 'localhost', authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401, 'a wrong token is refused even where none is needed');
  });

  test('an oversized body is a 413 and malformed JSON a 400, each with a clear message', async () => {
    const path = `/api/faces/${faceId}/label`;
    const big = await call(fx, 'POST', path, {
      body: JSON.stringify({ action: 'name', person: 'x'.repeat(70 * 1024) }),
      token: TOKEN,
    });
    assert.equal(big.status, 413);
    assert.deepEqual(big.json, { error: 'request body is larger than the limit of 65536 bytes' });

    for (const text of ['{"action": "name",', '{action: name}', "{'a':1}", '']) {
      const r = await call(fx, 'POST', path, {
        body: text,
        token: TOKEN,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, 400, JSON.stringify(text));
      assert.match(errorBody.parse(r.json).error, /^(request body is not valid JSON|invalid request body)/);
    }
    const malformed = await call(fx, 'POST', path, { body: '{"action": ', token: TOKEN });
    assert.match(errorBody.parse(malformed.json).error, /^request body is not valid JSON \(/);

    const form = await call(fx, 'POST', path, {
      body: 'action=not_a_face',
      token: TOKEN,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
    assert.match(errorBody.parse(form.json).error, /must be JSON/);
  });

  test('unknown routes are a JSON 404; no CORS headers are ever sent', async () => {
    const r = await call(fx, 'GET', '/api/nothing', { headers: { origin: 'https://evil.example' } });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: 'no such endpoint: GET /api/nothing' });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const preflight = await call(fx, 'OPTIONS', '/api/persons', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.ok(preflight.status >= 400, `preflight ${preflight.status}`);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(preflight.headers.get('access-control-allow-methods'), null);
  });
});

test('a failing handler is a 500 "internal error" without a stack; the log gets the details', async () => {
  const fx = await startFixture({
    metrics: () => {
      throw new Error('snapshot exploded');
    },
  });
  try {
    const r = await call(fx, 'GET', '/metrics');
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { error: 'internal error' });
    assert.ok(fx.logLines.some((l) => l.includes('snapshot exploded') && l.includes('"request failed"')));
  } finally {
    await fx.close();
  }
});

test('without a token, writes are refused and the server will not listen beyond loopback', async () => {
  const fx = await startFixture({ token: '' });
  try {
    const faceId = first(facesOfPhoto(fx.db, fx.photos.family), 'faces of the family photo').id;
    const r = await call(fx, 'POST', `/api/faces/${faceId}/label`, {
      body: { action: 'not_a_face' },
      token: 'anything-long-enough',
    });
    assert.equal(r.status, 403);
    assert.match(errorBody.parse(r.json).error, /no API token is configured/);
    assert.equal((await call(fx, 'GET', '/api/persons')).status, 200);

    const deps = {
      db: fx.db,
      dataDir: join(fx.dir, 'data'),
      photoRoots: [fx.root],
      now: () => 0,
      log: createLogger({ write: () => undefined }),
      labelChanges: { publish: () => undefined },
      ...TEST_PORTS,
      readiness: () => ({ ready: true }),
      metrics: () => SNAPSHOT,
    };
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'photos.invalid']) {
      const outcome = await startHttpServer(createHttpApi(deps), { host, port: 0 }).then(
        (server) => server,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      );
      if (!(outcome instanceof Error)) {
        await outcome.close();
        assert.fail(`listened on ${host} without a token`);
      }
      assert.match(outcome.message, /refusing to listen on .* without a token/);
    }
    assert.throws(() => createHttpApi({ ...deps, token: 'short' }), /at least 16 visible ASCII/);
    assert.throws(() => createHttpApi({ ...deps, token: 'has a space in it, long' }), /without spaces/);
  } finally {
    await fx.close();
  }
});
