import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { cliPath, detectionImages } from '../helpers/detector.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const run = promisify(execFile);

interface EvalJson {
  precision: number;
  recall: number;
  f1: number;
  secondsPerImage: number;
  images: number;
  faces: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  perImage: { image: string; angle: number; truePositives: number; falsePositives: number; falseNegatives: number }[];
}

test('eval detect --json prints precision, recall, F1, seconds per image, images and faces', async () => {
  const dir = await tmpDir('facetag-eval-');
  const boxes = join(dir, 'boxes.json');
  const all = JSON.parse(await readFile(join(sharedDir, 'data/detection/boxes.json'), 'utf8')) as Record<
    string,
    number[][]
  >;
  const subset = Object.fromEntries(['2007_007763.jpg', 'pic00076.jpg'].map((k) => [k, all[k] ?? []]));
  await writeFile(boxes, JSON.stringify(subset));
  const args = ['eval', 'detect', '--images', detectionImages, '--boxes', boxes, '--json', '--rotation-step', '90'];
  const { stdout } = await run(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  const r = JSON.parse(stdout) as EvalJson;
  assert.equal(r.images, 2);
  assert.equal(r.faces, (subset['2007_007763.jpg']?.length ?? 0) + (subset['pic00076.jpg']?.length ?? 0));
  assert.equal(r.truePositives + r.falseNegatives, r.faces);
  assert.ok(r.truePositives > 0, 'some faces are found');
  assert.equal(r.recall, r.truePositives / r.faces);
  assert.equal(r.precision, r.truePositives / (r.truePositives + r.falsePositives));
  assert.ok(r.secondsPerImage > 0);
  // Each photo's own counts add up to the totals.
  assert.deepEqual(r.perImage.map((p) => [p.image, p.angle]).sort(), [
    ['2007_007763.jpg', 0],
    ['pic00076.jpg', 0],
  ]);
  const sum = (k: 'truePositives' | 'falsePositives' | 'falseNegatives') => r.perImage.reduce((n, p) => n + p[k], 0);
  assert.deepEqual(
    [sum('truePositives'), sum('falsePositives'), sum('falseNegatives')],
    [r.truePositives, r.falsePositives, r.falseNegatives],
  );
});

test('a malformed boxes file is a clear error naming the file (exit 66)', async () => {
  const dir = await tmpDir('facetag-eval-');
  const boxes = join(dir, 'boxes.json');
  await writeFile(boxes, '{"a.jpg": [[1, 2, 3]]}');
  const err = await run(process.execPath, [cliPath, 'eval', 'detect', '--images', dir, '--boxes', boxes]).catch(
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal('code' in err ? err.code : 0, 66);
  assert.match('stderr' in err ? err.stderr : '', /boxes\.json: a\.jpg\.0/);
});

test('a missing photo folder is a clear error, not a stack trace (exit 66)', async () => {
  const err = await run(process.execPath, [cliPath, 'detect', '/nonexistent/photos']).catch(
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal('code' in err ? err.code : 0, 66);
  assert.match('stderr' in err ? err.stderr : '', /\/nonexistent\/photos: no such file or directory/);
  assert.doesNotMatch('stderr' in err ? err.stderr : '', /at .*\.js:\d+/);
});
