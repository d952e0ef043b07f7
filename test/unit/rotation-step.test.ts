import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema, withEngine } from '../../src/config/schema.js';
import { isRotationStep, sweepAngles } from '../../src/core/rotation.js';
import { photoDetection } from '../../src/detect/settings.js';
import { buildEngines } from '../../src/engine/engines.js';
import { neuralEngine } from '../../src/neural/neural-engine.js';
import type { NeuralPool } from '../../src/neural/neural-pool.js';

test('a rotation step is whole degrees dividing the circle; the sweep holds to the same rule', () => {
  for (const step of [1, 15, 45, 90, 120, 360]) assert.equal(isRotationStep(step), true, String(step));
  for (const step of [0, -15, 7, 22.5, 361, Number.NaN]) {
    assert.equal(isRotationStep(step), false, String(step));
    assert.throws(() => sweepAngles(step), /whole divisor of 360/);
  }
  assert.deepEqual(sweepAngles(90), [0, 90, 180, 270]);
  assert.deepEqual(sweepAngles(360), [0]);
});

test('the step becomes angles once, in the engine factory: what detects a photo never holds it', () => {
  const config = configSchema.parse({ detection: { rotationStep: 90, workers: 3 }, neural: { rotationStep: 45 } });
  const cascade = photoDetection(config.detection);
  assert.equal('rotationStep' in cascade, false);
  assert.equal('workers' in cascade, false);
  assert.equal(cascade.scaleFactor, config.detection.scaleFactor);
  const unused = () => Promise.reject(new Error('not used here'));
  const pool: NeuralPool = { workers: 1, detect: unused, embed: unused, close: async () => {} };
  const neural = neuralEngine(pool, config.neural);
  assert.deepEqual(neural.angles, [0, 45, 90, 135, 180, 225, 270, 315]);
  assert.equal('rotationStep' in neural.settings, false);
  assert.equal(neural.settings.minConfidence, config.neural.minConfidence);
});

test('the engine factory hands the detector the section without the step', async () => {
  const config = withEngine(configSchema.parse({ engine: 'cascade', detection: { workers: 1, rotationStep: 90 } }));
  const engines = buildEngines(config);
  try {
    assert.equal('rotationStep' in engines.options.detection, false);
    assert.equal('workers' in engines.options.detection, false);
    assert.equal(engines.options.detection.minNeighbours, config.detection.minNeighbours);
  } finally {
    await engines.close();
  }
});
