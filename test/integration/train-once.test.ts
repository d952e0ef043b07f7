/**
 * Labels given through the API are trained on once (issue 15 §6). The label poll notices changes
 * made by `facetag label` in another process; after "Train now" it must not take the labels that
 * run trained on for new ones and train them a second time. Driven by hand, without timers: the
 * poll is called directly, as its interval would.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configSchema, withEngine } from '../../src/config/schema.js';
import { modelSetOf } from '../../src/daemon/model-set.js';
import { createTrainingService, type TrainingService } from '../../src/daemon/training.js';
import { facesOfPhoto, setFaceLabel } from '../../src/store/faces.js';
import { until } from '../helpers/daemon.js';
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
  training = createTrainingService({
    db: fx.db,
    config,
    modelsDir: join(fx.dir, 'data', 'models'),
    labelsDir: join(fx.dir, 'data', 'labels'),
    log,
    now: () => fx.clock.now,
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
  fx.clock.now += 1000;
  setFaceLabel(fx.db, face.id, { state: 'confirmed', person: 'Bea' }, fx.clock.now);
  training.noticeLabelChanges();
  assert.equal(training.status()?.phase, 'waiting');
});
