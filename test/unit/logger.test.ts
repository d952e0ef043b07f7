import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  createRateLimiter,
  type Fields,
  formatLine,
  type Level,
  parseLevel,
  serializeError,
  stdoutIsJournal,
} from '../../src/core/logger.js';
import { at } from '../helpers/items.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');

/** A hand-driven clock and timer queue. */
function fakeTime() {
  let now = T0;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  return {
    now: () => now,
    setTimer(fn: () => void, ms: number) {
      const t = { at: now + ms, fn, cancelled: false };
      timers.push(t);
      return () => {
        t.cancelled = true;
      };
    },
    advance(ms: number) {
      now += ms;
      for (const t of timers.splice(0).sort((a, b) => a.at - b.at)) {
        if (t.cancelled) continue;
        if (t.at <= now) t.fn();
        else timers.push(t);
      }
    },
    pending: () => timers.filter((t) => !t.cancelled).length,
  };
}

function capture(options: { level?: Level; burst?: number; windowMs?: number } = {}) {
  const time = fakeTime();
  const lines: Fields[] = [];
  const log = createLogger({
    level: options.level ?? 'debug',
    write: (line) => lines.push(JSON.parse(line) as Fields),
    now: time.now,
    setTimer: time.setTimer,
    rateLimit: { windowMs: options.windowMs ?? 1000, burst: options.burst ?? 2 },
    syslogPrefix: false,
  });
  return { log, lines, time };
}

describe('formatLine', () => {
  test('writes ts, level and msg first, then the fields, as one JSON line', () => {
    const line = formatLine(T0, 'info', 'photo analysed', { path: '/p/a.jpg', faces: 2 });
    assert.equal(
      line,
      '{"ts":"2026-01-02T03:04:05.000Z","level":"info","msg":"photo analysed","path":"/p/a.jpg","faces":2}',
    );
    assert.ok(!line.includes('\n'));
  });

  test('keeps a field named like a core key under an underscore name', () => {
    const rec = JSON.parse(formatLine(T0, 'warn', 'm', { msg: 'x', level: 'y' })) as Fields;
    assert.deepEqual([rec.msg, rec.level, rec._msg, rec._level], ['m', 'warn', 'x', 'y']);
  });

  test('serialises errors anywhere in the fields, and survives bigints and cycles', () => {
    const err = Object.assign(new Error('disk gone'), { code: 'EIO' });
    const cyclic: Fields = { name: 'a' };
    cyclic.self = cyclic;
    const rec = JSON.parse(formatLine(T0, 'error', 'read failed', { err, nested: { err }, n: 10n, cyclic })) as Fields;
    const e = rec.err as Fields;
    assert.equal(e.message, 'disk gone');
    assert.equal(e.code, 'EIO');
    assert.match(String(e.stack), /^at .*logger\.test\.js:\d+:\d+\)?$/);
    assert.equal(((rec.nested as Fields).err as Fields).message, 'disk gone');
    assert.equal(rec.n, '10');
    assert.deepEqual(rec.cyclic, { name: 'a', self: '[circular]' });
  });

  test('prefixes the syslog priority when asked', () => {
    assert.match(formatLine(T0, 'error', 'x', {}, true), /^<3>\{"ts"/);
    assert.match(formatLine(T0, 'warn', 'x', {}, true), /^<4>\{/);
    assert.match(formatLine(T0, 'info', 'x', {}, true), /^<6>\{/);
    assert.match(formatLine(T0, 'debug', 'x', {}, true), /^<7>\{/);
  });
});

describe('serializeError', () => {
  test('keeps message, name, code, the first frame and the cause', () => {
    const cause = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const err = new TypeError('cannot open photo', { cause });
    const s = serializeError(err);
    assert.equal(s.message, 'cannot open photo');
    assert.equal(s.name, 'TypeError');
    assert.equal(s.code, undefined);
    assert.ok(s.stack?.startsWith('at '));
    assert.deepEqual((s.cause as { code?: string }).code, 'ENOENT');
  });

  test('a plain Error has no name field and a non-Error cause becomes a string', () => {
    const s = serializeError(new Error('x', { cause: 42 }));
    assert.equal(s.name, undefined);
    assert.equal(s.cause, '42');
  });
});

describe('parseLevel', () => {
  test('accepts the four levels in any case and falls back otherwise', () => {
    assert.equal(parseLevel('DEBUG'), 'debug');
    assert.equal(parseLevel(' warn '), 'warn');
    assert.equal(parseLevel('verbose'), 'info');
    assert.equal(parseLevel(undefined, 'error'), 'error');
  });
});

describe('createRateLimiter', () => {
  test('admits the first `burst` per window and summarises the rest when the window ends', () => {
    const rl = createRateLimiter({ windowMs: 100, burst: 2 });
    const admitted = [0, 10, 20, 30, 40].map((t) => rl.admit('k', 'error', 'boom', {}, T0 + t));
    assert.deepEqual(admitted, [true, true, false, false, false]);
    assert.equal(rl.nextDue(), T0 + 100);
    assert.deepEqual(rl.due(T0 + 99), []);
    assert.deepEqual(
      rl.due(T0 + 100).map((s) => [s.key, s.count]),
      [['k', 3]],
    );
    assert.equal(rl.nextDue(), undefined);
    assert.equal(rl.admit('k', 'error', 'boom', {}, T0 + 150), true, 'a new window starts');
  });

  test('keys are independent and a window without suppressions has no summary', () => {
    const rl = createRateLimiter({ windowMs: 100, burst: 1 });
    assert.equal(rl.admit('a', 'warn', 'a', {}, T0), true);
    assert.equal(rl.admit('b', 'warn', 'b', {}, T0), true);
    assert.equal(rl.admit('b', 'warn', 'b', {}, T0 + 1), false);
    assert.deepEqual(
      rl.due(T0 + 100).map((s) => [s.key, s.count]),
      [['b', 1]],
    );
  });

  test('drain returns open windows too', () => {
    const rl = createRateLimiter({ windowMs: 100, burst: 1 });
    rl.admit('a', 'error', 'a', {}, T0);
    rl.admit('a', 'error', 'a', {}, T0 + 1);
    assert.deepEqual(
      rl.drain().map((s) => s.count),
      [1],
    );
    assert.deepEqual(rl.drain(), []);
  });

  test('stops tracking new keys beyond the cap, admitting them', () => {
    const rl = createRateLimiter({ windowMs: 100, burst: 1 }, 2);
    rl.admit('a', 'error', 'a', {}, T0);
    rl.admit('b', 'error', 'b', {}, T0);
    assert.equal(rl.admit('c', 'error', 'c', {}, T0), true);
    assert.equal(rl.admit('c', 'error', 'c', {}, T0), true);
  });
});

describe('createLogger', () => {
  test('drops lines below the minimum level', () => {
    const { log, lines } = capture({ level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['w', 'e'],
    );
    assert.equal(log.enabled('info'), false);
    assert.equal(log.enabled('error'), true);
  });

  test('child loggers add their fields and call fields win', () => {
    const { log, lines } = capture();
    const watcher = log.child({ component: 'watcher' });
    watcher.info('subscribed', { dirs: 3 });
    watcher.child({ dir: '/p' }).info('x', { component: 'override' });
    assert.deepEqual(lines[0], {
      ts: '2026-01-02T03:04:05.000Z',
      level: 'info',
      msg: 'subscribed',
      component: 'watcher',
      dirs: 3,
    });
    const second = at(lines, 1, 'log lines');
    assert.equal(second.component, 'override');
    assert.equal(second.dir, '/p');
  });

  test('repeated errors: first N logged, then one summary line when the window ends', () => {
    const { log, lines, time } = capture({ burst: 2, windowMs: 1000 });
    const watcher = log.child({ component: 'watcher' });
    for (let i = 0; i < 7; i++) {
      watcher.error('cannot read file', { path: `/p/${i}.jpg` });
      time.advance(10);
    }
    assert.deepEqual(
      lines.map((l) => l.path),
      ['/p/0.jpg', '/p/1.jpg'],
    );
    time.advance(1000);
    assert.equal(lines.length, 3);
    assert.deepEqual(lines[2], {
      ts: new Date(T0 + 1070).toISOString(),
      level: 'error',
      msg: 'suppressed 5 similar messages',
      component: 'watcher',
      of: 'cannot read file',
      suppressed: 5,
      windowMs: 1000,
    });
    assert.equal(time.pending(), 0);
    watcher.error('cannot read file', { path: '/p/next.jpg' });
    assert.equal(lines.at(-1)?.path, '/p/next.jpg', 'a new window logs again');
  });

  test('an ended window is summarised before the next line of its key, even if its timer never ran', () => {
    let now = T0;
    const lines: Fields[] = [];
    const log = createLogger({
      write: (line) => lines.push(JSON.parse(line) as Fields),
      now: () => now,
      setTimer: () => () => {}, // e.g. a loop blocked past the window's end
      rateLimit: { windowMs: 100, burst: 1 },
      syslogPrefix: false,
    });
    log.warn('slow', { n: 1 });
    log.warn('slow', { n: 2 });
    log.warn('slow', { n: 3 });
    now += 500;
    log.warn('slow', { n: 4 });
    assert.deepEqual(
      lines.map((l) => l.n ?? l.msg),
      [1, 'suppressed 2 similar messages', 4],
    );
  });

  test('info and debug are never rate limited; different messages or components are separate keys', () => {
    const { log, lines } = capture({ burst: 1 });
    for (let i = 0; i < 5; i++) log.info('progress', { i });
    log.error('a');
    log.error('b');
    log.child({ component: 'x' }).error('a');
    log.error('a');
    assert.equal(lines.filter((l) => l.msg === 'progress').length, 5);
    assert.deepEqual(
      lines.filter((l) => l.level === 'error').map((l) => `${l.msg}:${l.component ?? ''}`),
      ['a:', 'b:', 'a:x'],
    );
  });

  test('flush writes the counts of windows still open and cancels their timer', () => {
    const { log, lines, time } = capture({ burst: 1 });
    log.error('e');
    log.error('e');
    log.error('e');
    assert.equal(time.pending(), 1);
    log.flush();
    assert.equal(lines.at(-1)?.msg, 'suppressed 2 similar messages');
    assert.equal(time.pending(), 0);
    time.advance(5000);
    assert.equal(lines.length, 2);
  });

  test('rateLimit: false logs every line', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), rateLimit: false, syslogPrefix: false });
    for (let i = 0; i < 50; i++) log.error('same');
    assert.equal(lines.length, 50);
  });
});

describe('stdoutIsJournal', () => {
  test('is false without JOURNAL_STREAM or when it names another stream', () => {
    assert.equal(stdoutIsJournal({}), false);
    assert.equal(stdoutIsJournal({ JOURNAL_STREAM: '1:2' }), false);
  });

  test('is true when JOURNAL_STREAM is the device:inode of the fd', () => {
    const fd = openSync(fileURLToPath(import.meta.url), 'r');
    try {
      const st = fstatSync(fd);
      assert.equal(stdoutIsJournal({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }, fd), true);
    } finally {
      closeSync(fd);
    }
  });
});
