import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callWithDeadline } from '../../src/plugins/events.js';

test('a call that answers in time gives its value; one that throws gives its error', async () => {
  assert.deepEqual(await callWithDeadline(async () => 7, 1000), { kind: 'ok', value: 7 });
  const boom = new Error('boom');
  assert.deepEqual(await callWithDeadline(() => Promise.reject(boom), 1000), { kind: 'error', error: boom });
  assert.deepEqual(
    await callWithDeadline(() => {
      throw boom;
    }, 1000),
    { kind: 'error', error: boom },
    'a synchronous throw too',
  );
});

test('a call that ignores its signal and never answers is given up at the deadline', async () => {
  let sawAbort = false;
  const started = Date.now();
  const outcome = await callWithDeadline((signal) => {
    signal.addEventListener('abort', () => {
      sawAbort = true;
    });
    return new Promise<never>(() => {});
  }, 80);
  const took = Date.now() - started;
  assert.deepEqual(outcome, { kind: 'deadline', ms: 80 });
  assert.ok(sawAbort, 'the signal fired');
  assert.ok(took >= 75 && took < 1000, `gave up after ${took} ms`);
});

test('stopping aborts a call in flight, and a call after stop is not made', async () => {
  const stop = new AbortController();
  const pending = callWithDeadline(() => new Promise<never>(() => {}), 10_000, stop.signal);
  setTimeout(() => stop.abort(), 20);
  assert.deepEqual(await pending, { kind: 'stopped' });
  let called = false;
  assert.deepEqual(
    await callWithDeadline(
      async () => {
        called = true;
      },
      1000,
      stop.signal,
    ),
    { kind: 'stopped' },
  );
  assert.equal(called, false);
});
