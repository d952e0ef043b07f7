import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStorageHealth, pauseText } from '../../src/daemon/storage-health.js';
import { storageFaultCode } from '../../src/files/storage-fault.js';
import { recordingLogger } from '../helpers/recording-logger.js';

const coded = (code: string) => Object.assign(new Error(code), { code });

test('full disks, I/O errors and read-only file systems are storage faults; other errors are not', () => {
  for (const code of [
    'SQLITE_FULL',
    'SQLITE_IOERR',
    'SQLITE_IOERR_WRITE',
    'SQLITE_READONLY',
    'ENOSPC',
    'EIO',
    'EDQUOT',
    'EROFS',
  ])
    assert.equal(storageFaultCode(coded(code)), code);
  for (const err of [coded('SQLITE_CONSTRAINT'), coded('ENOENT'), coded('SQLITE_BUSY'), new Error('x'), 'text', null])
    assert.equal(storageFaultCode(err), undefined);
});

test('a storage fault pauses once, says why, probes with growing waits, and resumes when a write works', () => {
  const { log, lines } = recordingLogger();
  let t = 1_000_000;
  let writable = false;
  const resumed: string[] = [];
  const health = createStorageHealth({
    log,
    now: () => t,
    probe: () => {
      if (!writable) throw coded('SQLITE_FULL');
    },
    onResume: (p) => resumed.push(p.code),
  });
  assert.equal(health.fault(new Error('a bug'), 'somewhere'), false);
  assert.equal(health.paused(), undefined);
  assert.equal(health.fault(coded('SQLITE_FULL'), 'claiming jobs'), true);
  assert.equal(health.fault(coded('ENOSPC'), '/p/a.jpg'), true);
  assert.deepEqual(
    lines.filter((l) => l.msg.startsWith('paused')).map((l) => [l.level, l.fields.code, l.fields.where]),
    [['error', 'SQLITE_FULL', 'claiming jobs']],
    'said once, with the first cause',
  );
  const pause = health.paused();
  assert.ok(pause);
  assert.match(
    pauseText(pause),
    /paused since .*the disk \(or the database\) is full \(SQLITE_FULL\); resumes by itself/,
  );
  const waits = [health.retryMs()];
  for (let i = 0; i < 7; i++) {
    assert.equal(health.resumeIfWritable(), false);
    waits.push(health.retryMs());
  }
  assert.deepEqual(waits, [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  t += 90_000;
  writable = true;
  assert.equal(health.resumeIfWritable(), true);
  assert.equal(health.paused(), undefined);
  assert.deepEqual(resumed, ['SQLITE_FULL'], 'the pause’s end catches up once');
  assert.deepEqual(
    lines.filter((l) => l.msg.startsWith('resumed')).map((l) => l.fields.pausedMs),
    [90_000],
  );
});

test('a probe that fails for another reason is not taken for a full disk', () => {
  const { log } = recordingLogger();
  const health = createStorageHealth({
    log,
    now: () => 0,
    probe: () => {
      throw coded('SQLITE_CORRUPT');
    },
  });
  health.fault(coded('SQLITE_FULL'), 'x');
  assert.throws(() => health.resumeIfWritable(), /SQLITE_CORRUPT/);
});
