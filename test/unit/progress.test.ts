import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress, formatDuration, type ProgressStream } from '../../src/cli/progress.js';
import { at } from '../helpers/items.js';

/** A non-TTY stream that records what was written, and a clock the test moves by hand. */
function fakes(isTTY = false): { stream: ProgressStream & { text: string }; clock: { ms: number } } {
  const stream = {
    isTTY,
    columns: 60,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
  return { stream, clock: { ms: 0 } };
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

test('prints a plain line at every 10 % and a final line when not a TTY', () => {
  const { stream, clock } = fakes();
  const progress = createProgress({ label: 'scan', total: 20, stream, now: () => clock.ms });
  for (let i = 0; i < 20; i++) {
    clock.ms += 100;
    progress.tick();
  }
  progress.done('3 faces');
  const out = lines(stream.text);
  // 10 %, 20 %, … 90 % (2, 4, … 18 of 20), then the done line instead of a 100 % line.
  assert.equal(out.length, 10, stream.text);
  assert.equal(out[0], 'scan: 2/20 10% 10.0/s ETA 1.8s');
  assert.equal(out[8], 'scan: 18/20 90% 10.0/s ETA 0.2s');
  assert.equal(out[9], 'scan: done 20/20 in 2.0s (10.0/s) - 3 faces');
  assert.ok(!stream.text.includes('\r'), 'no carriage returns in plain output');
  assert.ok(!stream.text.includes('\x1b'), 'no escape codes in plain output');
});

test('prints a plain line every 5 seconds between 10 % steps', () => {
  const { stream, clock } = fakes();
  const progress = createProgress({ label: 'hash', total: 1000, stream, now: () => clock.ms });
  for (let i = 0; i < 12; i++) {
    clock.ms += 1000;
    progress.tick(1, `photo-${i}.jpg`);
  }
  const out = lines(stream.text);
  assert.deepEqual(out, [
    'hash: 5/1000 0% 1.00/s ETA 16m35s - photo-4.jpg',
    'hash: 10/1000 1% 1.00/s ETA 16m30s - photo-9.jpg',
  ]);
});

test('stays silent between steps and prints nothing after done', () => {
  const { stream, clock } = fakes();
  const progress = createProgress({ label: 'x', total: 100, stream, now: () => clock.ms });
  progress.tick(5);
  assert.equal(stream.text, '');
  progress.done();
  progress.tick(50);
  progress.done('again');
  assert.deepEqual(lines(stream.text), ['x: done 5/100 in 0.0s (0.00/s)']);
});

test('an unknown total prints counts without percentage or ETA', () => {
  const { stream, clock } = fakes();
  const progress = createProgress({ label: 'crawl', total: 0, stream, now: () => clock.ms });
  clock.ms = 6000;
  progress.tick(30);
  clock.ms = 10_000;
  progress.done();
  assert.deepEqual(lines(stream.text), ['crawl: 30 5.00/s', 'crawl: done 30 in 10s (3.00/s)']);
});

test('redraws one line in place on a TTY, at most every 100 ms', () => {
  const { stream, clock } = fakes(true);
  const progress = createProgress({ label: 'detect', total: 10, stream, now: () => clock.ms });
  progress.tick(); // drawn: first draw
  clock.ms += 50;
  progress.tick(); // throttled
  clock.ms += 50;
  progress.tick(); // drawn
  progress.done();
  const draws = stream.text.split('\r').filter((part) => part.startsWith('detect ['));
  assert.equal(draws.length, 2, JSON.stringify(stream.text));
  const second = at(draws, 1, 'draws');
  assert.ok(second.startsWith('detect [######..............] 3/10 30%'), second);
  assert.ok(stream.text.endsWith('\r\x1b[Kdetect: done 3/10 in 0.1s (30.0/s)\n'), JSON.stringify(stream.text));
  for (const draw of draws) assert.ok(draw.replace('\x1b[K', '').length < 60, 'line fits the terminal width');
});

test('formats durations compactly', () => {
  assert.equal(formatDuration(0.42), '0.4s');
  assert.equal(formatDuration(42), '42s');
  assert.equal(formatDuration(185), '3m05s');
  assert.equal(formatDuration(3720), '1h02m');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '?');
});
