import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { EXIT_UNEXPECTED, installLastResort } from '../../src/daemon/last-resort.js';
import { recordingLogger } from '../helpers/recording-logger.js';

test('an unhandled rejection or exception runs the stop sequence with its own exit code, and is logged', () => {
  const proc = new EventEmitter();
  const runs: [string, number | undefined][] = [];
  const { log, lines } = recordingLogger();
  const run = async (reason: string, code?: number) => {
    runs.push([reason, code]);
    return code ?? 0;
  };
  installLastResort({ run }, log, proc);
  proc.emit('unhandledRejection', Object.assign(new Error('disk gone'), { code: 'SQLITE_IOERR' }));
  proc.emit('uncaughtException', new TypeError('a bug'));
  assert.deepEqual(runs, [
    ['unexpected error (unhandledRejection)', EXIT_UNEXPECTED],
    ['unexpected error (uncaughtException)', EXIT_UNEXPECTED],
  ]);
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.fields.event]),
    [
      ['error', 'unexpected error: stopping', 'unhandledRejection'],
      ['error', 'unexpected error: stopping', 'uncaughtException'],
    ],
  );
  assert.notEqual(EXIT_UNEXPECTED, 1, 'distinct from an ordinary failure');
});
