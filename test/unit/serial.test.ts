import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serially } from '../../src/core/serial.js';

test('serially: tasks run one at a time in order, and a failed task does not stop the ones after it', async () => {
  const oneAtATime = serially();
  const seen: string[] = [];
  let release = () => {};
  const first = oneAtATime(async () => {
    seen.push('first starts');
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    seen.push('first ends');
  });
  const failing = oneAtATime(async () => {
    seen.push('second');
    throw new Error('disk full');
  });
  const third = oneAtATime(async () => {
    seen.push('third');
    return 3;
  });
  await Promise.resolve();
  assert.deepEqual(seen, ['first starts'], 'the others wait for the first');
  release();
  await first;
  await assert.rejects(failing, /disk full/);
  assert.equal(await third, 3);
  assert.deepEqual(seen, ['first starts', 'first ends', 'second', 'third']);
});
