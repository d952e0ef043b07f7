import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInside } from '../../src/http/library-file.js';
import { changesQuery, labelBody, parseBody, parseId, parseQuery } from '../../src/http/validate.js';

test('parseId accepts positive decimal integers only', () => {
  assert.equal(parseId('1', 'face id'), 1);
  assert.equal(parseId('999999999999999', 'face id'), 999_999_999_999_999);
  for (const bad of [
    '0',
    '01',
    '-1',
    '+1',
    '1.0',
    '1e3',
    '0x10',
    ' 1',
    '1 ',
    '../1',
    '1/..',
    '',
    '9999999999999999',
    undefined,
    3,
  ]) {
    assert.throws(() => parseId(bad, 'face id'), { status: 400, message: 'face id must be a positive integer' });
  }
});

test('query and body failures name the field', () => {
  assert.deepEqual(parseQuery(changesQuery, {}), { since: 0, limit: 100 });
  assert.deepEqual(parseQuery(changesQuery, { since: '42', limit: '7', extra: 'ignored' }), { since: 42, limit: 7 });
  assert.throws(() => parseQuery(changesQuery, { since: ['1', '2'] }), {
    status: 400,
    message: /^invalid query: since: /,
  });
  assert.throws(() => parseBody(labelBody, { action: 'confirm' }), { status: 400, message: /person/ });
  assert.throws(() => parseBody(labelBody, undefined), { status: 400, message: /^invalid request body: / });
  assert.deepEqual(parseBody(labelBody, { action: 'reject' }), { action: 'reject' });
  assert.deepEqual(parseBody(labelBody, { action: 'name', person: ' Ann ' }), { action: 'name', person: 'Ann' });
});

test('isInside treats .. as a whole path segment', () => {
  assert.equal(isInside('/lib/a.jpg', '/lib'), true);
  assert.equal(isInside('/lib', '/lib'), true);
  assert.equal(isInside('/lib/..a.jpg', '/lib'), true);
  assert.equal(isInside('/library/a.jpg', '/lib'), false);
  assert.equal(isInside('/etc/passwd', '/lib'), false);
  assert.equal(isInside('/x', '/'), true);
});
