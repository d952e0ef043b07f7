import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { defaultConfig } from '../../src/config/schema.js';
import { type ChipperOptions, chipImages, planChips } from '../../src/pipeline/chipper.js';
import { cliPath, detectionImages, uprightDetector } from '../helpers/detector.js';
import { tmpDir } from '../helpers/paths.js';

const images = detectionImages;
const cli = cliPath;
const execFileP = promisify(execFile);
const detector = uprightDetector();
const config = defaultConfig();

let dir = '';
let photos = '';
before(async () => {
  dir = await tmpDir('facetag-chip-');
  photos = join(dir, 'photos');
  await mkdir(join(photos, 'nested/deeper'), { recursive: true });
  await copyFile(join(images, '2007_007763.jpg'), join(photos, 'nested/2007_007763.jpg'));
  await copyFile(join(images, 'pic00072.jpg'), join(photos, 'nested/deeper/pic00072.jpg'));
  await writeFile(join(photos, 'empty.jpg'), '');
  await writeFile(join(photos, 'nested/notes.jpg'), 'not an image at all\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(outDir: string): ChipperOptions {
  return { outDir, detector, maxPixels: config.decode.maxPixels, padding: config.chips.padding, jobs: 2 };
}

test('chipper writes upright padded PNG chips, lists bad files, and skips chipped images on a re-run', async () => {
  const out = join(dir, 'chips');
  const plan = await planChips([photos], out);
  assert.equal(plan.todo.length, 4);
  assert.deepEqual(plan.alreadyChipped, []);

  const seen: string[] = [];
  const report = await chipImages(plan.todo, { ...options(out), onImage: (f) => seen.push(f) });
  assert.equal(seen.length, 4, 'progress called once per image');

  const names = (await readdir(out)).sort();
  assert.deepEqual(
    names,
    ['2007_007763.chip.0.png', '2007_007763.chip.1.png', 'pic00072.chip.0.png'],
    'no temp files left',
  );
  const chips = report.chipped.flatMap((r) => r.chips);
  assert.equal(chips.length, 3);
  for (const chip of chips) {
    const meta = await sharp(chip.path).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, chip.width);
    assert.equal(meta.height, chip.height);
    // Smallest face is the 24 px window, times 1 + 2 * 0.25 padding; none bigger than the photos.
    assert.ok(chip.width >= 36 && chip.width <= 400, `chip width ${chip.width}`);
    assert.ok(Math.abs(chip.width - chip.height) <= 2, 'square face boxes give square chips');
  }

  const failed = new Map(report.failed.map((f) => [f.file, f]));
  assert.equal(failed.size, 2);
  assert.equal(failed.get(join(photos, 'empty.jpg'))?.reason, 'empty');
  assert.equal(failed.get(join(photos, 'nested/notes.jpg'))?.reason, 'unsupported');
  assert.match(failed.get(join(photos, 'nested/notes.jpg'))?.message ?? '', /notes\.jpg/);

  const again = await planChips([photos], out);
  assert.deepEqual(again.alreadyChipped.slice().sort(), [
    join(photos, 'nested/2007_007763.jpg'),
    join(photos, 'nested/deeper/pic00072.jpg'),
  ]);
  // The bad files have no chips, so the seed's rule looks at them again.
  assert.deepEqual(again.todo.slice().sort(), [join(photos, 'empty.jpg'), join(photos, 'nested/notes.jpg')]);
});

test('two images with the same name in one run: the second is set aside, not overwritten', async () => {
  const src = join(dir, 'twins');
  await mkdir(join(src, 'b'), { recursive: true });
  await copyFile(join(images, 'pic00072.jpg'), join(src, 'face.jpg'));
  await copyFile(join(images, '2007_007763.jpg'), join(src, 'b/face.jpg'));
  const plan = await planChips([src], join(dir, 'twin-chips'));
  assert.deepEqual(plan.todo, [join(src, 'face.jpg')]);
  assert.deepEqual(plan.sameName, [join(src, 'b/face.jpg')]);
});

test('facetag chip: exit 1 with the bad files listed, then a re-run skips what is chipped', async () => {
  const out = join(dir, 'cli-chips');
  // The same fixed settings as uprightDetector(), so the faces to chip do not move with tuning.
  const fixed = ['--step-ratio', '1.5', '--min-neighbours', '4', '--min-hit-density', '0'];
  const args = [
    cli,
    'chip',
    photos,
    '--out',
    out,
    '--engine',
    'cascade',
    '--rotation-step',
    '360',
    ...fixed,
    '--workers',
    '1',
    '--jobs',
    '2',
  ];
  const first = await execFileP(process.execPath, args, { encoding: 'utf8' }).catch(
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  assert.equal('code' in first ? first.code : 0, 1);
  assert.match(first.stdout, /wrote 3 chip\(s\) from 2 image\(s\)/);
  assert.match(first.stderr, /2 image\(s\) failed/);
  assert.match(first.stderr, /empty\.jpg: empty file .*\[empty\]/);
  assert.match(first.stderr, /notes\.jpg: .*\[unsupported\]/);

  const second = await execFileP(process.execPath, args, { encoding: 'utf8' }).catch(
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  assert.match(second.stdout, /skipped 2 image\(s\) already chipped/);
  assert.equal((await readdir(out)).length, 3);
});

test('facetag chip without --out is a usage error (64)', async () => {
  const err = await execFileP(process.execPath, [cli, 'chip', photos]).catch((e: { code: number }) => e);
  assert.equal('code' in err ? err.code : 0, 64);
});
