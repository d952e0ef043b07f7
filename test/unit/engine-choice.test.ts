import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema, withEngine } from '../../src/config/schema.js';
import { engineForLibrary, keptEngineAdvice } from '../../src/daemon/library.js';

const unset = withEngine(configSchema.parse({}));
const chosen = (engine: 'cascade' | 'neural') => withEngine(configSchema.parse({ engine }));

test('a new library gets the neural engine; a chosen engine always wins', () => {
  assert.deepEqual(engineForLibrary(unset, undefined), { config: unset });
  assert.equal(unset.engine, 'neural');
  assert.equal(engineForLibrary(chosen('cascade'), undefined).config.engine, 'cascade');
  assert.equal(engineForLibrary(chosen('neural'), 'cascade').config.engine, 'neural');
  assert.equal(engineForLibrary(chosen('cascade'), 'neural').config.engine, 'cascade');
});

test('a library the cascade analysed keeps it until the config says otherwise, and the advice says what to set', () => {
  const { config, kept } = engineForLibrary(unset, 'cascade');
  assert.equal(config.engine, 'cascade');
  assert.equal(kept, 'cascade');
  assert.match(keptEngineAdvice('cascade'), /"engine": "neural"/);
  // A neural library needs no advice.
  assert.deepEqual(engineForLibrary(unset, 'neural'), { config: unset });
});

test('an engine the store records but this code does not know is an error, not a guess', () => {
  assert.throws(() => engineForLibrary(unset, 'eigenfaces'), /unknown engine "eigenfaces"/);
});
