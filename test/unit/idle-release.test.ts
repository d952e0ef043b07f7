import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idleReleased, type Timers } from '../../src/workers/idle-release.js';

/** Timers under the test's control: `fire()` runs what is due. */
function manualTimers() {
  let pending: (() => void) | undefined;
  const timers: Timers = {
    setTimeout: (fn) => {
      pending = fn;
      return fn;
    },
    clearTimeout: (handle) => {
      if (handle === pending) pending = undefined;
    },
  };
  return {
    timers,
    armed: () => pending !== undefined,
    fire: () => {
      const fn = pending;
      pending = undefined;
      fn?.();
    },
  };
}

function counted() {
  const log: string[] = [];
  let n = 0;
  const create = () => {
    const id = ++n;
    log.push(`open ${id}`);
    return {
      id,
      close: async () => {
        log.push(`close ${id}`);
      },
    };
  };
  return { log, create };
}

test('made on first use, kept while busy, released when idle, made again on the next use', async () => {
  const t = manualTimers();
  const { log, create } = counted();
  const idle = idleReleased(create, 1000, t.timers);
  assert.equal(idle.live, false, 'nothing made before it is used');
  assert.equal(await idle.use(async (r) => r.id), 1);
  assert.equal(await idle.use(async (r) => r.id), 1, 'reused while not idle');
  assert.ok(t.armed());
  t.fire();
  await new Promise((r) => setImmediate(r));
  assert.equal(idle.live, false);
  assert.equal(await idle.use(async (r) => r.id), 2, 'a new one after the release');
  await idle.close();
  assert.deepEqual(log, ['open 1', 'close 1', 'open 2', 'close 2']);
  await assert.rejects(
    idle.use(async () => 0),
    /workers are closed/,
  );
});

test('never released while a use is in flight; the idle clock starts when the last one ends', async () => {
  const t = manualTimers();
  const { log, create } = counted();
  const idle = idleReleased(create, 1000, t.timers);
  let finish: () => void = () => {};
  const long = idle.use((r) => new Promise<number>((resolve) => (finish = () => resolve(r.id))));
  await idle.use(async () => 0);
  assert.equal(t.armed(), false, 'no idle clock while the long use runs');
  finish();
  assert.equal(await long, 1);
  assert.ok(t.armed());
  // A use that arrives before the clock fires stops it.
  await idle.use(async () => 0);
  t.fire();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['open 1', 'close 1']);
  await idle.close();
  assert.deepEqual(log, ['open 1', 'close 1'], 'nothing left to close');
});
