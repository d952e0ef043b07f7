import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AuthRequest,
  authDecision,
  bearerToken,
  hostOfHeader,
  isLoopbackHost,
  tokenMatches,
} from '../../src/http/auth.js';

const TOKEN = 'correct-horse-battery-staple';

describe('isLoopbackHost', () => {
  test('loopback names and addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(h), true, h);
    }
  });
  test('everything else, wildcards included', () => {
    for (const h of [
      '0.0.0.0',
      '::',
      '',
      '192.168.1.2',
      '10.0.0.1',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      '128.0.0.1',
      '::2',
    ]) {
      assert.equal(isLoopbackHost(h), false, h);
    }
  });
});

test('hostOfHeader strips the port and brackets v6 hosts', () => {
  assert.equal(hostOfHeader('localhost:8427'), 'localhost');
  assert.equal(hostOfHeader('[::1]:8427'), '[::1]');
  assert.equal(hostOfHeader('Example.COM'), 'example.com');
  assert.equal(hostOfHeader(undefined), undefined);
  assert.equal(hostOfHeader('bad host/'), undefined);
});

test('tokenMatches compares exactly and never accepts an empty expected token', () => {
  assert.equal(tokenMatches(TOKEN, TOKEN), true);
  assert.equal(tokenMatches(`${TOKEN} `, TOKEN), false);
  assert.equal(tokenMatches(TOKEN.slice(0, -1), TOKEN), false);
  assert.equal(tokenMatches('', ''), false);
});

test('bearerToken reads the RFC 6750 header, scheme in any case', () => {
  assert.equal(bearerToken(`Bearer ${TOKEN}`), TOKEN);
  assert.equal(bearerToken(`bearer ${TOKEN}`), TOKEN);
  assert.equal(bearerToken(`Basic ${TOKEN}`), undefined);
  assert.equal(bearerToken('Bearer'), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

describe('authDecision', () => {
  const base: AuthRequest = {
    exposed: false,
    write: false,
    token: TOKEN,
    authorization: undefined,
    host: 'localhost:8427',
  };
  const decide = (over: Partial<AuthRequest>) => authDecision({ ...base, ...over });
  const status = (over: Partial<AuthRequest>) => {
    const d = decide(over);
    return d.allow ? 200 : d.status;
  };

  test('beyond loopback every request needs the token, reads included', () => {
    assert.equal(status({ exposed: true }), 401);
    assert.equal(status({ exposed: true, host: '192.168.1.2:8427' }), 401);
    assert.equal(status({ exposed: true, authorization: 'Bearer wrong' }), 401);
    assert.equal(status({ exposed: true, authorization: `Bearer ${TOKEN}`, host: 'photos.lan' }), 200);
    assert.equal(status({ exposed: true, write: true, authorization: `Bearer ${TOKEN}` }), 200);
    assert.equal(status({ exposed: true, token: undefined }), 403);
    assert.equal(status({ exposed: true, token: '', authorization: 'Bearer ' }), 401);
  });

  test('on loopback reads are open to loopback Host headers; writes need the token', () => {
    assert.equal(status({}), 200);
    assert.equal(status({ host: 'evil.example' }), 403);
    assert.equal(status({ host: undefined }), 403);
    assert.equal(status({ write: true }), 401);
    assert.equal(status({ write: true, authorization: `Bearer ${TOKEN}x` }), 401);
    assert.equal(status({ write: true, authorization: `Bearer ${TOKEN}` }), 200);
    assert.equal(status({ write: true, token: undefined, authorization: `Bearer ${TOKEN}` }), 403);
  });

  test('a 401 carries a Bearer challenge', () => {
    const d = decide({ write: true });
    assert.ok(!d.allow && d.challenge === 'Bearer realm="facetag"');
    const wrong = decide({ write: true, authorization: 'Bearer nope' });
    assert.ok(!wrong.allow && wrong.challenge?.includes('invalid_token'));
  });
});
