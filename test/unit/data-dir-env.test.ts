import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataDirOrigin, loadCommandConfig } from '../../src/cli/data-dir.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { tmpDir } from '../helpers/paths.js';

/** Only the variables each case names: the host's own environment cannot leak in. */
const base: NodeJS.ProcessEnv = { HOME: '/home/test' };

async function configFile(json: string): Promise<string> {
  const file = join(await tmpDir('facetag-data-dir-'), 'config.json');
  writeFileSync(file, json);
  return file;
}

test('the data folder: --data-dir, then FACETAG_DATA_DIR, then the config file, then the default', async () => {
  const file = await configFile('{"dataDir": "/from-config"}');
  const env = { ...base, FACETAG_DATA_DIR: '/from-env', STATE_DIRECTORY: '/state' };
  assert.equal(loadCommandConfig({ 'data-dir': '/from-flag', config: file }, env).dataDir, '/from-flag');
  assert.equal(loadCommandConfig({ config: file }, env).dataDir, '/from-env');
  assert.equal(loadCommandConfig({ config: file }, base).dataDir, '/from-config');
  assert.equal(loadCommandConfig({}, { ...base, STATE_DIRECTORY: '/state' }).dataDir, '/state');
  assert.equal(loadCommandConfig({}, base).dataDir, '/home/test/.local/share/facetag');
  // An empty variable is unset, as for FACETAG_PHOTOS.
  assert.equal(loadCommandConfig({}, { ...base, FACETAG_DATA_DIR: '' }).dataDir, '/home/test/.local/share/facetag');
  // loadConfig itself (commands without --data-dir: train, dataset, classify) reads it too.
  assert.equal(loadConfig({ env: { ...base, FACETAG_DATA_DIR: '/from-env' } }).dataDir, '/from-env');
});

test('a relative FACETAG_DATA_DIR is refused with the variable named, unless --data-dir overrides it', () => {
  const env = { ...base, FACETAG_DATA_DIR: 'data' };
  assert.throws(
    () => loadCommandConfig({}, env),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.exitCode === 78 &&
      /^FACETAG_DATA_DIR: must be an absolute path .*\(got "data"\)$/.test(err.message),
  );
  assert.equal(loadCommandConfig({ 'data-dir': 'rel' }, env).dataDir, 'rel');
});

test('messages say which setting chose the data folder', () => {
  assert.equal(dataDirOrigin({ 'data-dir': '/x' }, { FACETAG_DATA_DIR: '/y' }), '--data-dir');
  assert.equal(dataDirOrigin({}, { FACETAG_DATA_DIR: '/y' }), 'FACETAG_DATA_DIR');
  assert.equal(dataDirOrigin({}, {}), 'the default');
});
