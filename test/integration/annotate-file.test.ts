import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { type Annotation, annotationStyle } from '../../src/vision/annotate.js';
import { annotateImageFile } from '../../src/vision/annotate-file.js';
import { at } from '../helpers/items.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const photo = resolve(sharedDir, 'data/detection/images/2007_007763.jpg');

// Boxes from the detection fixture (x, y, w, h): one known, one unknown, one turned.
const annotations: Annotation[] = [
  {
    rect: { cx: 381 + 45 / 2, cy: 89 + 44 / 2, width: 45, height: 44, angle: 0 },
    label: 'Alice',
    score: 1.5,
    known: true,
  },
  { rect: { cx: 94 + 37 / 2, cy: 198 + 37 / 2, width: 37, height: 37, angle: 0 }, label: 'unknown', known: false },
  { rect: { cx: 309 + 45 / 2, cy: 233 + 44 / 2, width: 45, height: 44, angle: 20 }, label: '<b>&"', known: true },
];

let dir = '';
let inputHash = '';

const sha256 = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

async function rawPixels(path: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Mean colour over a small square around (x, y). */
function meanAround(
  img: { data: Buffer; width: number; channels: number },
  x: number,
  y: number,
  r: number,
): [number, number, number] {
  let [red, green, blue] = [0, 0, 0];
  let n = 0;
  for (let yy = Math.round(y) - r; yy <= Math.round(y) + r; yy++)
    for (let xx = Math.round(x) - r; xx <= Math.round(x) + r; xx++) {
      const o = (yy * img.width + xx) * img.channels;
      red += at(img.data, o, 'pixel data');
      green += at(img.data, o + 1, 'pixel data');
      blue += at(img.data, o + 2, 'pixel data');
      n++;
    }
  return [red / n, green / n, blue / n];
}

before(async () => {
  dir = await tmpDir('facetag-annotate-');
  inputHash = await sha256(photo);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const ext of ['png', 'jpg'] as const) {
  test(`annotates a real photo to ${ext.toUpperCase()}`, async () => {
    const out = join(dir, `annotated.${ext}`);
    await annotateImageFile(photo, out, annotations);
    const meta = await sharp(out).metadata();
    assert.equal(meta.format, ext === 'png' ? 'png' : 'jpeg');
    const img = await rawPixels(out);
    assert.equal(img.width, 500);
    assert.equal(img.height, 375);
    assert.equal(img.channels, 3);

    // Middle of the known box's left edge: green-ish. Of the unknown box's left edge: red-ish.
    const tol = ext === 'png' ? 0 : 1;
    const [r, g, b] = meanAround(img, 381, 89 + 22, tol);
    assert.ok(g > 150 && g > r + 80 && g > b + 80, `known edge colour ${r},${g},${b}`);
    const [ur, ug, ub] = meanAround(img, 94, 198 + 18, tol);
    assert.ok(ur > 150 && ur > ug + 80 && ur > ub + 80, `unknown edge colour ${ur},${ug},${ub}`);

    // Away from every box the photo is unchanged (up to JPEG re-encoding).
    const orig = await rawPixels(photo);
    const [or, og, ob] = meanAround(orig, 20, 360, 3);
    const [nr, ng, nb] = meanAround(img, 20, 360, 3);
    const drift = ext === 'png' ? 0 : 6;
    assert.ok(Math.abs(or - nr) <= drift && Math.abs(og - ng) <= drift && Math.abs(ob - nb) <= drift);

    assert.equal(await sha256(photo), inputHash);
  });
}

test('applies EXIF orientation so boxes are in displayed coordinates', async () => {
  // The photo stored sideways with an orientation tag saying "turn 90° clockwise to display".
  const sideways = join(dir, 'sideways.jpg');
  await sharp(photo).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(sideways);
  const stored = await sharp(sideways).metadata();
  assert.equal(stored.width, 375);
  assert.equal(stored.height, 500);

  const out = join(dir, 'sideways-annotated.png');
  await annotateImageFile(sideways, out, annotations);
  const meta = await sharp(out).metadata();
  assert.equal(meta.width, 500);
  assert.equal(meta.height, 375);
  assert.ok(meta.orientation === undefined || meta.orientation === 1);
  const img = await rawPixels(out);
  const [r, g, b] = meanAround(img, 381, 89 + 22, 0);
  assert.ok(g > 150 && g > r + 80 && g > b + 80, `known edge colour ${r},${g},${b}`);
});

test('line width grows with the image', () => {
  assert.ok(annotationStyle(500, 375).strokeWidth >= 2);
});

test('refuses to write over the input', async () => {
  const entries = (await readdir(dir)).length;
  await assert.rejects(annotateImageFile(photo, photo, annotations), /refusing to overwrite/);
  const copy = join(dir, 'input.jpg');
  await sharp(photo).toFile(copy);
  const hash = await sha256(copy);
  await assert.rejects(
    annotateImageFile(copy, join(dir, '.', 'x', '..', 'input.jpg'), annotations),
    /refusing to overwrite/,
  );
  assert.equal(await sha256(copy), hash);
  await assert.rejects(annotateImageFile(photo, join(dir, 'out.gif'), annotations), /\.jpg, \.jpeg or \.png/);
  assert.equal((await readdir(dir)).length, entries + 1);
  assert.equal(await sha256(photo), inputHash);
});
