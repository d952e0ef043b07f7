/**
 * Fault suite, a second daemon on the same data folder (issue 15 §6): it exits at once with a
 * clear message and its own exit code (which the unit does not restart), before it starts
 * anything; the first keeps working. The lock dies with its holder: after a kill -9 a new daemon
 * starts at once.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { EXIT_LOCKED } from '../../src/cli/run-command.js';
import { startDaemon, writeConfig } from '../helpers/daemon.js';
import { cliPath } from '../helpers/detector.js';
import { tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);
let dir = '';
before(async () => {
  dir = await tmpDir('facetag-second-daemon-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a second daemon on the same data folder exits at once with a clear message; the first goes on', async () => {
  const photos = join(dir, 'photos');
  const dataDir = join(dir, 'data');
  await mkdir(photos);
  const config = await writeConfig(dir, { engine: 'cascade', http: { port: 0 } });
  const first = startDaemon({ photos: [photos], dataDir, config });
  try {
    const http = await first.waitForLog((l) => l.msg === 'http listening', 20_000, 'http listening');
    await first.waitForLog((l) => l.msg === 'ready', 30_000, 'ready');

    const second = startDaemon({ photos: [photos], dataDir, config });
    const exit = await second.exited;
    assert.equal(exit.code, EXIT_LOCKED);
    const said = second.noise.join('\n');
    assert.match(said, new RegExp(`another facetag daemon \\(pid ${first.pid}\\) is already using the data folder`));
    assert.ok(said.includes(dataDir), 'names the folder');
    assert.deepEqual(
      second.lines.map((l) => l.msg),
      [],
      'nothing started: no plugins, no HTTP, no training',
    );
    assert.equal((await fetch(`${String(http.url)}/healthz`)).status, 200, 'the first still answers');

    // `facetag status` says a daemon runs.
    const status = await execFileP(process.execPath, [cliPath, 'status', '--data-dir', dataDir, '--config', config]);
    assert.match(status.stdout, /daemon: +running, working normally/);

    // The lock goes with its holder, even by kill -9.
    await first.kill();
    const third = startDaemon({ photos: [photos], dataDir, config });
    try {
      await third.waitForLog((l) => l.msg === 'ready', 30_000, 'the next daemon ready');
    } finally {
      await third.stop();
    }
    const after = await execFileP(process.execPath, [cliPath, 'status', '--data-dir', dataDir, '--config', config]);
    assert.match(after.stdout, /daemon: +not running/);
  } finally {
    await first.stop().catch(() => undefined);
  }
});
