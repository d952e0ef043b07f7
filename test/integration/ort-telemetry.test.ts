/**
 * onnxruntime-node sends Microsoft telemetry unless ORT_DISABLE_TELEMETRY is set: a device id and a
 * queue of events under $XDG_CACHE_HOME/Microsoft/DeveloperTools, uploaded to
 * mobile.events.data.microsoft.com. facetag turns it off. Without that, the neural run below leaves
 * both files in its cache folder (seen before the fix).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { disableOrtTelemetry } from '../../src/neural/onnxruntime.js';
import { cliPath } from '../helpers/detector.js';
import { neuralMissing, onnxruntimeMissing } from '../helpers/neural-skip.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const run = promisify(execFile);

test('the neural engine leaves no telemetry behind: nothing is written to the cache folder', {
  // Where onnxruntime cannot load, tfjs runs instead and the empty folder would prove nothing.
  skip: neuralMissing || onnxruntimeMissing,
}, async () => {
  const dir = await tmpDir('facetag-ort-');
  const home = join(dir, 'home');
  await mkdir(join(home, '.cache'), { recursive: true });
  await copyFile(join(sharedDir, 'data/detection/images/2007_007763.jpg'), join(dir, 'photo.jpg'));
  const { ORT_DISABLE_TELEMETRY: _, ...env } = process.env;
  const { stdout, stderr } = await run(
    process.execPath,
    [cliPath, 'detect', '--engine', 'neural', '--json', join(dir, 'photo.jpg')],
    { encoding: 'utf8', env: { ...env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') } },
  );
  const [row] = JSON.parse(stdout) as { faces?: unknown[] }[];
  assert.ok((row?.faces?.length ?? 0) > 0, 'the neural engine ran and found faces');
  assert.doesNotMatch(stderr, /using tfjs-wasm/, 'the nets ran on onnxruntime');
  assert.deepEqual(await readdir(join(home, '.cache'), { recursive: true }), []);
});

test("a person's own ORT_DISABLE_TELEMETRY is left as they set it", () => {
  const unset: NodeJS.ProcessEnv = {};
  disableOrtTelemetry(unset);
  assert.equal(unset.ORT_DISABLE_TELEMETRY, '1');
  const chosen: NodeJS.ProcessEnv = { ORT_DISABLE_TELEMETRY: '0' };
  disableOrtTelemetry(chosen);
  assert.equal(chosen.ORT_DISABLE_TELEMETRY, '0');
});
