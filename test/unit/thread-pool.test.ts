import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadPool } from '../../src/workers/thread-pool.js';

interface Task {
  readonly id: number;
  readonly value: string;
}
interface Reply {
  readonly id: number;
  readonly echo: string;
}

const echoPool = () =>
  threadPool<Task, Reply>({ url: new URL('../helpers/echo-worker.js', import.meta.url), size: 2, label: 'test' });

test('a pool answers each task from the worker it was sent to, by id', async () => {
  const pool = echoPool();
  try {
    const replies = await Promise.all(['a', 'b', 'c', 'd'].map((value, i) => pool.send(i % 2, { value })));
    assert.deepEqual(
      replies.map((r) => r.echo),
      ['a', 'b', 'c', 'd'],
    );
    assert.equal(new Set(replies.map((r) => r.id)).size, 4, 'fresh ids');
    await assert.rejects(pool.send(2, { value: 'x' }), /test worker 2 does not exist/);
  } finally {
    await pool.close();
  }
});

test('a crashed worker fails its task and is replaced; one that keeps crashing makes the pool give up', async () => {
  const pool = echoPool();
  try {
    await assert.rejects(pool.send(0, { value: 'crash' }), /test worker exited with code 3/);
    assert.equal((await pool.send(0, { value: 'after' })).echo, 'after', 'a new worker took the slot');
    assert.equal((await pool.send(1, { value: 'other' })).echo, 'other', 'the other worker carried on');
    for (let i = 0; i < 3; i++) await assert.rejects(pool.send(i % 2, { value: 'crash' }), /exited with code 3/);
    assert.throws(() => pool.checkUsable(), /test workers keep failing; last error: test worker exited with code 3/);
    await assert.rejects(pool.send(0, { value: 'x' }), /keep failing/, 'a send to a pool that gave up fails at once');
  } finally {
    await pool.close();
  }
  assert.throws(() => pool.checkUsable(), /test workers are closed/);
});

test('closing rejects what is still pending', async () => {
  const pool = echoPool();
  await pool.send(0, { value: 'warm' });
  const pending = pool.send(1, { value: 'silent' });
  const outcome = pending.then(
    () => 'answered',
    (err: Error) => err.message,
  );
  await pool.close();
  assert.equal(await outcome, 'test workers were closed');
  assert.throws(() => pool.checkUsable(), /test workers are closed/);
  await assert.rejects(
    pool.send(0, { value: 'too late' }),
    /test workers are closed/,
    'a send after close never hangs',
  );
});

test('queued counts the tasks a worker has not answered yet', async () => {
  const pool = echoPool();
  try {
    void pool.send(0, { value: 'silent' }).catch(() => {});
    const answered = pool.send(0, { value: 'a' });
    assert.deepEqual([pool.queued(0), pool.queued(1), pool.queued(5)], [2, 0, 0]);
    await answered;
    assert.equal(pool.queued(0), 1, 'the silent task is still waiting');
  } finally {
    await pool.close();
  }
  assert.equal(pool.queued(0), 0, 'closing rejects what was waiting');
});
