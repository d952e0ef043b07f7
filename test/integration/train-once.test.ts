/**
 * Labels given through the API are trained on once (issue 15 §6). The label poll notices changes
 * made by `facetag label` in another process; after "Train now" it must not take the labels that
 * run trained on for new ones and train them a second time. Driven by hand: the poll is called
 * directly, as its interval would, and the debounce runs on a fake clock.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configSchema, withEngine } from '../../src/config/schema.js';
import { modelSetOf } from '../../src/daemon/model-set.js';
import { createTrainingService, type TrainingService } from '../../src/daemon/training.js';
import { facesOfPhoto, setFaceLabel } from '../../src/store/faces.js';
import { until } from '../helpers/daemon.js';
import { fakeTimers } from '../helpers/fake-timers.js';
import { recordingLogger } from '../helpers/recording-logger.js';
import { type Fixture, startFixture } from './http-fixture.js';

let fx: Fixture;
let training: TrainingService;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await training?.stop();
  await fx?.close();
});

test('after Train now, the label poll does not train the same labels again', async () => {
  const config = { ...withEngine(configSchema.parse({ engine: 'cascade' })), dataDir: join(fx.dir, 'data') };
  const { log } = recordingLogger();
  const timers = fakeTimers(fx.clock.now);
  training = createTrainingService({
    db: fx.db,
    config,
    modelsDir: join(fx.dir, 'data', 'models'),
    labelsDir: join(fx.dir, 'data', 'labels'),
    log,
    timers,
    models: modelSetOf([], {}),
  });
  // A label given through the API (which would call labelsChanged), then "Train now".
  const [face] = facesOfPhoto(fx.db, fx.photos.solo);
  assert.ok(face);
  setFaceLabel(fx.db, face.id, { state: 'confirmed', person: 'Ann' }, fx.clock.now);
  training.trainNow();
  await until(() => training.status()?.last ?? undefined, 60_000, 'the training to finish');
  assert.equal(training.status()?.phase, 'idle');
  // The poll's next look: nothing changed since that run began.
  training.noticeLabelChanges();
  assert.equal(training.status()?.phase, 'idle', 'no second training is scheduled');
  // A change made after it (facetag label in another process) is still noticed.
  timers.advance(1000);
  setFaceLabel(fx.db, face.id, { state: 'confirmed', person: 'Bea' }, timers.now());
  training.noticeLabelChanges();
  const debounce = config.daemon.trainDebounceSeconds * 1000;
  assert.deepEqual(
    { phase: training.status()?.phase, startsAt: training.status()?.startsAt },
    { phase: 'waiting', startsAt: timers.now() + debounce },
  );
  // The debounce, on the fake clock: nothing until it has run out, then the second training.
  const first = training.status()?.last?.finishedAt;
  timers.advance(debounce - 1);
  assert.equal(training.status()?.phase, 'waiting', 'still waiting 1 ms before');
  timers.advance(1);
  assert.notEqual(training.status()?.phase, 'waiting', 'started when the debounce ran out');
  await until(
    () => (training.status()?.last?.finishedAt !== first ? true : undefined),
    60_000,
    'the second training to finish',
  );
  assert.equal(timers.pending(), 0);
});
