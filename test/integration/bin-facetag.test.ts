import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);
const script = join(repoRoot, 'bin/facetag');
/** Only node on the PATH, as a new user's shell would have: nothing else from the test runner. */
const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` };
let dir = '';

before(async () => {
  dir = await tmpDir('facetag-bin-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('bin/facetag runs the built command from any folder, also through a symlink', async () => {
  const link = join(dir, 'facetag');
  await symlink(script, link);
  const r = await execFileP(link, ['status', '--help'], { cwd: dir, env });
  assert.match(r.stdout, /^facetag status \[--data-dir DIR\]/);
});

test('bin/facetag in a checkout that is not built says what to run', async () => {
  const checkout = join(dir, 'checkout');
  await mkdir(join(checkout, 'bin'), { recursive: true });
  await copyFile(script, join(checkout, 'bin/facetag'));
  await chmod(join(checkout, 'bin/facetag'), 0o755);
  const r = await execFileP(join(checkout, 'bin/facetag'), ['status'], { cwd: dir, env }).then(
    () => assert.fail('should fail'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(r.code, 69);
  assert.match(r.stderr, /dist\/src\/cli\.js is missing: run npm ci && npm run build/);
});
