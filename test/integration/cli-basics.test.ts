/** Small things a person meets first: `facetag --version`, and a new database readable by its owner only. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/store/db.js';
import { cliPath } from '../helpers/detector.js';
import { repoRoot, tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);

test('facetag --version prints the package version', async () => {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const { stdout } = await execFileP(process.execPath, [cliPath, flag]);
    assert.equal(stdout, `facetag ${pkg.version}\n`);
  }
});

test('a new database, its WAL and shared-memory files are readable by their owner only', async () => {
  const dir = await tmpDir('facetag-db-mode-');
  try {
    const db = openDatabase(join(dir, 'data'));
    try {
      db.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
      for (const f of ['facetag.db', 'facetag.db-wal', 'facetag.db-shm']) {
        assert.equal((await stat(join(dir, 'data', f))).mode & 0o777, 0o600, f);
      }
      assert.equal((await stat(join(dir, 'data'))).mode & 0o777, 0o700, 'the data folder');
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
