import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNeuralPackages, loadFaceApi, NeuralUnavailableError } from '../../src/neural/face-api.js';

const missing = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });

test('a missing neural package gives a clear message saying what to install', async () => {
  const importer = async (specifier: string) => {
    if (specifier === '@tensorflow/tfjs-backend-wasm') throw missing(specifier);
    return {};
  };
  await assert.rejects(loadFaceApi(importer), (err: unknown) => {
    assert.ok(err instanceof NeuralUnavailableError);
    assert.match(err.message, /@tensorflow\/tfjs-backend-wasm/);
    assert.match(err.message, /npm install/);
    assert.match(err.message, /--engine cascade/);
    return true;
  });
});

test('a face-api that does not look like face-api is refused, not used', async () => {
  const importer = async () => ({ tf: {}, nets: {} });
  await assert.rejects(loadFaceApi(importer), NeuralUnavailableError);
});

test('checkNeuralPackages fails early, without importing tfjs, when a package does not resolve', () => {
  const seen: string[] = [];
  assert.throws(
    () =>
      checkNeuralPackages((s) => {
        seen.push(s);
        if (s.startsWith('@vladmandic/face-api')) throw missing(s);
        return `/fake/${s}`;
      }),
    (err: unknown) => err instanceof NeuralUnavailableError && /@vladmandic\/face-api/.test(err.message),
  );
  assert.equal(seen.length, 3);
  assert.doesNotThrow(() => checkNeuralPackages((s) => `/fake/${s}`));
});
