import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LabelChange, labelChanges } from '../../src/labelling/labelling.js';

test('every subscriber hears each change, in order, until it unsubscribes', () => {
  const hub = labelChanges((err) => {
    throw err;
  });
  const a: LabelChange[] = [];
  const b: LabelChange[] = [];
  const stopA = hub.subscribe((c) => a.push(c));
  hub.subscribe((c) => b.push(c));
  hub.publish({ kind: 'faces-labelled', faceIds: [1, 2] });
  stopA();
  hub.publish({ kind: 'person-renamed', personId: 7 });
  assert.deepEqual(a, [{ kind: 'faces-labelled', faceIds: [1, 2] }]);
  assert.deepEqual(b, [
    { kind: 'faces-labelled', faceIds: [1, 2] },
    { kind: 'person-renamed', personId: 7 },
  ]);
});

test('a listener that throws does not keep the change from the others; its error is reported', () => {
  const reported: [string, LabelChange][] = [];
  const hub = labelChanges((err, change) => reported.push([(err as Error).message, change]));
  const heard: LabelChange[] = [];
  hub.subscribe(() => {
    throw new Error('training is gone');
  });
  hub.subscribe((c) => heard.push(c));
  const change: LabelChange = { kind: 'face-drawn', faceId: 3 };
  hub.publish(change);
  assert.deepEqual(heard, [change]);
  assert.deepEqual(reported, [['training is gone', change]]);
});

test('the same function subscribed twice is two subscriptions, each ended by its own unsubscribe', () => {
  const hub = labelChanges((err) => {
    throw err;
  });
  let calls = 0;
  const listener = () => {
    calls++;
  };
  const first = hub.subscribe(listener);
  hub.subscribe(listener);
  hub.publish({ kind: 'label-action-undone', actionId: 1 });
  first();
  hub.publish({ kind: 'label-action-undone', actionId: 2 });
  assert.equal(calls, 3);
});
