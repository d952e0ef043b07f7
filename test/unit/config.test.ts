import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { configFlagSettings } from '../../src/cli/detection-context.js';
import { generatedConfigFiles } from '../../src/config/example.js';
import { ConfigError, loadConfig, resolveDataDir } from '../../src/config/load.js';
import { configSchema, defaultConfig, withEngine } from '../../src/config/schema.js';
import { repoRoot, tmpDir } from '../helpers/paths.js';

/** Environment with none of the variables loadConfig reads, so the host's own cannot leak in. */
const cleanEnv: NodeJS.ProcessEnv = { HOME: '/home/test' };

async function writeConfig(json: string): Promise<string> {
  const file = join(await tmpDir('facetag-config-'), 'config.json');
  writeFileSync(file, json);
  return file;
}

/** Runs loadConfig on `json` and returns the ConfigError it must throw. */
async function configError(json: string, env: NodeJS.ProcessEnv = cleanEnv): Promise<ConfigError> {
  const file = await writeConfig(json);
  try {
    loadConfig({ file, env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.exitCode, 78);
    return error;
  }
  assert.fail(`loadConfig accepted ${json}`);
}

for (const { file, text } of generatedConfigFiles()) {
  test(`${file} matches the schema (regenerate with npm run gen:config)`, () => {
    const onDisk = readFileSync(join(repoRoot, file), 'utf8');
    assert.equal(onDisk, text);
  });
}

test('config.example.json parses back to the defaults', () => {
  const example: unknown = JSON.parse(readFileSync(join(repoRoot, 'config.example.json'), 'utf8'));
  const { $schema, ...rest } = configSchema.parse(example);
  assert.equal($schema, './config.schema.json');
  assert.deepEqual(withEngine(rest), defaultConfig());
  assert.equal(rest.engine, undefined, 'the example leaves the engine to the library (a copy must not switch it)');
});

test('an empty object parses to the defaults', () => {
  const config = configSchema.parse({});
  assert.deepEqual(config.photos, []);
  assert.equal(config.dataDir, '');
  assert.equal(config.decode.maxPixels, 100_000_000);
  assert.equal(config.detection.rotationStep, 15);
  assert.equal(config.detection.parity, false);
  assert.equal(config.chips.padding, 0.25);
  assert.deepEqual(withEngine(config), defaultConfig());
  assert.deepEqual([defaultConfig().engine, defaultConfig().engineChosen], ['neural', false]);
});

test('a partial section keeps the defaults of its other fields', async () => {
  const config = loadConfig({ file: await writeConfig('{"detection": {"rotationStep": 90}}'), env: cleanEnv });
  assert.equal(config.detection.rotationStep, 90);
  assert.equal(config.detection.maxSide, defaultConfig().detection.maxSide);
});

test('loadConfig without a file gives the defaults with a resolved dataDir', () => {
  const config = loadConfig({ env: cleanEnv });
  assert.deepEqual({ ...config, dataDir: '' }, defaultConfig());
  assert.equal(config.dataDir, '/home/test/.local/share/facetag');
});

test('an unknown key is an error naming the key and the closest known one', async () => {
  const error = await configError('{"detection": {"rotationstep": 15}}');
  assert.match(error.message, /config\.json: detection\.rotationstep: unknown key \(did you mean "rotationStep"\?\)/);
});

test('an unknown top-level key is an error naming the key', async () => {
  const error = await configError('{"photo": ["/srv/photos"]}');
  assert.match(error.message, /config\.json: photo: unknown key/);
});

test('a wrong type is an error naming the field and the value', async () => {
  const error = await configError('{"detection": {"maxSide": "big"}}');
  assert.match(error.message, /config\.json: detection\.maxSide: expected number \(got "big"\)/);
});

test('a rotation step that does not divide 360 is an error naming the field', async () => {
  const error = await configError('{"detection": {"rotationStep": 7}}');
  assert.match(error.message, /config\.json: detection\.rotationStep: must divide 360 \(got 7\)/);
});

test('every failing field is reported, one line each', async () => {
  const error = await configError('{"detection": {"maxSide": 8}, "chips": {"padding": 2}, "photos": ["/a", 3]}');
  assert.equal(error.problems.length, 3, error.message);
  assert.match(error.message, /detection\.maxSide: must be >= 64 \(got 8\)/);
  assert.match(error.message, /chips\.padding: must be <= 1 \(got 2\)/);
  assert.match(error.message, /photos\[1\]: expected string \(got 3\)/);
});

test('a minimum face fraction above the maximum is an error', async () => {
  const error = await configError('{"detection": {"minFaceFraction": 0.5, "maxFaceFraction": 0.2}}');
  assert.match(error.message, /detection\.minFaceFraction: minFaceFraction must not exceed maxFaceFraction/);
});

test('a top level that is not an object is an error', async () => {
  const error = await configError('["/srv/photos"]');
  assert.match(error.message, /config\.json: expected a JSON object at the top level \(got an array\)/);
});

test('FACETAG_PHOTOS overrides photos from the file', async () => {
  const file = await writeConfig('{"photos": ["/from/file"]}');
  const config = loadConfig({ file, env: { ...cleanEnv, FACETAG_PHOTOS: '/srv/a:/srv/b:' } });
  assert.deepEqual(config.photos, ['/srv/a', '/srv/b']);
});

test('command-line photos override FACETAG_PHOTOS', () => {
  const config = loadConfig({ env: { ...cleanEnv, FACETAG_PHOTOS: '/srv/a' }, overrides: { photos: ['/cli'] } });
  assert.deepEqual(config.photos, ['/cli']);
});

test('malformed JSON is an error naming the file, line and column', async () => {
  const file = await writeConfig('{\n  "photos": []\n  "dataDir": ""\n}\n');
  assert.throws(
    () => loadConfig({ file, env: cleanEnv }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(`${file}:3:3: invalid JSON`), error.message);
      return true;
    },
  );
});

test('a missing file is an error naming the file', () => {
  const file = join(repoRoot, 'no-such-config.json');
  assert.throws(() => loadConfig({ file, env: cleanEnv }), {
    name: 'ConfigError',
    message: `${file}: config file not found`,
  });
});

test('dataDir prefers STATE_DIRECTORY, then XDG_DATA_HOME, then ~/.local/share', () => {
  assert.equal(resolveDataDir({ ...cleanEnv, STATE_DIRECTORY: '/var/lib/facetag:/var/lib/other' }), '/var/lib/facetag');
  assert.equal(resolveDataDir({ ...cleanEnv, XDG_DATA_HOME: '/xdg' }), '/xdg/facetag');
  assert.equal(resolveDataDir({ ...cleanEnv, XDG_DATA_HOME: 'relative' }), '/home/test/.local/share/facetag');
  assert.equal(resolveDataDir(cleanEnv), '/home/test/.local/share/facetag');
});

test('an explicit dataDir is kept', async () => {
  const config = loadConfig({ file: await writeConfig('{"dataDir": "/data"}'), env: { STATE_DIRECTORY: '/state' } });
  assert.equal(config.dataDir, '/data');
});

test('FACETAG_PORT and FACETAG_TOKEN override the HTTP settings; a bad port names the variable', () => {
  const config = loadConfig({ env: { ...cleanEnv, FACETAG_PORT: '9000', FACETAG_TOKEN: 's3cret' } });
  assert.equal(config.http.port, 9000);
  assert.equal(config.http.token, 's3cret');
  assert.equal(config.http.host, '127.0.0.1');
  assert.throws(
    () => loadConfig({ env: { ...cleanEnv, FACETAG_PORT: 'http' } }),
    /FACETAG_PORT: must be a port number/,
  );
  assert.throws(() => loadConfig({ env: { ...cleanEnv, FACETAG_PORT: '70000' } }), /FACETAG_PORT: http\.port/);
});

test('command-line flags are laid over the file and checked by the same schema, named by their flag (exit 64)', async () => {
  const file = await writeConfig('{"detection": {"rotationStep": 30, "maxSide": 900}, "neural": {"workers": 1}}');
  const flags = configFlagSettings({ 'rotation-step': '90', workers: '3', engine: 'cascade', model: 'tree' });
  const config = loadConfig({ file, env: cleanEnv, overrides: { settings: flags } });
  assert.deepEqual(
    [config.detection.rotationStep, config.neural.rotationStep, config.detection.maxSide],
    [90, 90, 900],
    'the flag wins; what it does not set stays the file’s',
  );
  assert.deepEqual([config.detection.workers, config.neural.workers], [3, 3]);
  assert.deepEqual([config.engine, config.engineChosen, config.recognition.model], ['cascade', true, 'tree']);

  const refused = (values: Parameters<typeof configFlagSettings>[0]): ConfigError => {
    try {
      loadConfig({ file, env: cleanEnv, overrides: { settings: configFlagSettings(values) } });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error;
    }
    assert.fail(`accepted ${JSON.stringify(values)}`);
  };
  const step = refused({ 'rotation-step': '7' });
  // The flag sets both engines' steps; the mistake is said once, in the file's own words.
  assert.deepEqual(step.problems, ['--rotation-step: must divide 360 (got 7)']);
  assert.equal(step.exitCode, 64);
  assert.deepEqual(refused({ engine: 'dlib' }).problems, ['--engine: must be neural or cascade (got "dlib")']);
  assert.deepEqual(refused({ 'max-side': 'big' }).problems, ['--max-side: expected number (got "big")']);
  assert.deepEqual(refused({ 'min-confidence': '1' }).problems, ['--min-confidence: must be < 1 (got 1)']);
  assert.deepEqual(refused({ workers: '1.5' }).problems, ['--workers: expected an integer (got 1.5)']);

  // A mistake in the file is still the file's, with the config exit code.
  const bad = await writeConfig('{"detection": {"maxSide": 8}}');
  try {
    loadConfig({ file: bad, env: cleanEnv, overrides: { settings: configFlagSettings({ workers: '2' }) } });
    assert.fail('accepted maxSide 8');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.exitCode, 78);
    assert.match(error.message, /config\.json: detection\.maxSide: must be >= 64/);
  }
});
