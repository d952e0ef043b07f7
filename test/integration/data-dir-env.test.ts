import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/store/db.js';
import { ensurePerson } from '../../src/store/faces.js';
import { analysedLibrary } from '../helpers/analysed-library.js';
import { cliPath } from '../helpers/detector.js';

const execFileP = promisify(execFile);
let dir = '';
/** The daemon's data, found through FACETAG_DATA_DIR. */
let envData = '';
/** Another library with one person, named by --data-dir to show that the flag wins. */
let flagData = '';
let faceId = 0;

/** The CLI with exactly this environment: nothing from the test runner's own. */
function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  return execFileP(process.execPath, [cliPath, ...args], { env: { HOME: join(dir, 'home'), ...env } });
}
function fails(env: NodeJS.ProcessEnv, ...args: string[]) {
  return cli(env, ...args).then(
    () => assert.fail(`facetag ${args.join(' ')} should fail`),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

before(async () => {
  ({ dir, dataDir: envData } = await analysedLibrary('facetag-data-dir-env-', { 'a.jpg': '2007_007763.jpg' }));
  const db = openDatabase(envData);
  faceId = db.prepare('SELECT min(id) FROM faces').pluck().get() as number;
  db.close();
  flagData = join(dir, 'other-data');
  await mkdir(flagData);
  const other = openDatabase(flagData);
  ensurePerson(other, 'FromTheFlag', Date.now());
  other.close();
  await mkdir(join(dir, 'home'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('status, label and persons find the data through FACETAG_DATA_DIR; --data-dir wins over it', async () => {
  const env = { FACETAG_DATA_DIR: envData };
  const status = JSON.parse((await cli(env, 'status', '--json')).stdout) as {
    dataDir: string;
    photos: { done: number };
  };
  assert.equal(status.dataDir, envData);
  assert.equal(status.photos.done, 1);
  assert.ok(faceId > 0, 'the analysed photo has a face');
  assert.match((await cli(env, 'label', String(faceId), '--name', 'Ann')).stdout, /confirmed Ann/);
  const persons = JSON.parse((await cli(env, 'persons', '--json')).stdout) as { name: string; confirmed: number }[];
  assert.deepEqual(
    persons.map((p) => [p.name, p.confirmed]),
    [['Ann', 1]],
  );

  const flagged = JSON.parse((await cli(env, 'status', '--json', '--data-dir', flagData)).stdout) as {
    dataDir: string;
  };
  assert.equal(flagged.dataDir, flagData);
  const other = JSON.parse((await cli(env, 'persons', '--json', '--data-dir', flagData)).stdout) as { name: string }[];
  assert.deepEqual(
    other.map((p) => p.name),
    ['FromTheFlag'],
  );
  const missing = await fails(env, 'label', String(faceId), '--clear', '--data-dir', flagData);
  assert.equal(missing.code, 66);
  assert.match(missing.stderr, /face \d+ not found/);
});

test('without the variable the default folder is used, and the error says how to point elsewhere', async () => {
  const r = await fails({}, 'status');
  assert.equal(r.code, 66);
  assert.match(r.stderr, /home\/\.local\/share\/facetag\/facetag\.db: no database yet/);
  assert.match(r.stderr, /came from the default.*--data-dir DIR or set FACETAG_DATA_DIR/);
});

test('a relative FACETAG_DATA_DIR is refused with the variable named (exit 78)', async () => {
  const r = await fails({ FACETAG_DATA_DIR: 'data' }, 'persons');
  assert.equal(r.code, 78);
  assert.match(r.stderr, /FACETAG_DATA_DIR: must be an absolute path/);
});

test('facetag token prints the token from the data folder, or names the missing file', async () => {
  const env = { FACETAG_DATA_DIR: flagData };
  const none = await fails(env, 'token');
  assert.equal(none.code, 66);
  assert.equal(none.stdout, '');
  assert.ok(none.stderr.includes(`${join(flagData, 'http-token')}: no token yet`), none.stderr);
  assert.match(none.stderr, /came from FACETAG_DATA_DIR/);

  const token = 'abcdefghijklmnopqrstuvwxyz012345';
  await writeFile(join(flagData, 'http-token'), `${token}\n`, { mode: 0o600 });
  assert.equal((await cli(env, 'token')).stdout, `${token}\n`);
  // The flag wins over the variable here too.
  assert.equal((await fails(env, 'token', '--data-dir', envData)).code, 66);
  // A configured token is the daemon's token: it is printed instead of the file's.
  assert.equal(
    (await cli({ ...env, FACETAG_TOKEN: 'configured-token-0123' }, 'token')).stdout,
    'configured-token-0123\n',
  );

  await writeFile(join(flagData, 'http-token'), 'short\n');
  assert.match((await fails(env, 'token')).stderr, /not a token the daemon accepts/);
});
