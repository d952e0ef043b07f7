import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutChip, type RasterImage } from '../../src/vision/chip.js';

/** An image whose value at (row, col, channel) is given by `f`. */
function makeImage(
  width: number,
  height: number,
  channels: 1 | 3,
  f: (r: number, c: number, k: number) => number,
): RasterImage {
  const pixels = new Uint8Array(width * height * channels);
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++)
      for (let k = 0; k < channels; k++) pixels[(r * width + c) * channels + k] = f(r, c, k);
  return { width, height, channels, pixels };
}

function at(img: RasterImage, r: number, c: number, k = 0): number {
  const v = img.pixels[(r * img.width + c) * img.channels + k];
  if (v === undefined) assert.fail(`no pixel at row ${r}, column ${c}, channel ${k}`);
  return v;
}

/** A deterministic, asymmetric pattern (no two pixels alike in a small area). */
const noise = (r: number, c: number, k: number): number => (r * 37 + c * 11 + k * 101 + ((r * c) % 7) * 13) % 256;

function crop(img: RasterImage, x: number, y: number, w: number, h: number): RasterImage {
  const clamp = (v: number, hi: number): number => Math.min(hi, Math.max(0, v));
  return makeImage(w, h, img.channels, (r, c, k) =>
    at(img, clamp(y + r, img.height - 1), clamp(x + c, img.width - 1), k),
  );
}

test('angle 0, no padding, integer box: chip equals the plain crop', () => {
  for (const channels of [1, 3] as const) {
    const img = makeImage(40, 30, channels, noise);
    const chip = cutChip(img, { cx: 12 + 9 / 2, cy: 7 + 13 / 2, width: 9, height: 13, angle: 0 }, { padding: 0 });
    assert.equal(chip.width, 9);
    assert.equal(chip.height, 13);
    assert.equal(chip.channels, channels);
    assert.deepEqual(chip.pixels, crop(img, 12, 7, 9, 13).pixels);
  }
});

// An upright pattern P (pw x ph) placed, turned clockwise, into a larger displayed image.
const pw = 7;
const ph = 11;
const P = makeImage(pw, ph, 3, noise);
const OX = 5;
const OY = 3;

test('90°: a face turned clockwise comes out upright', () => {
  // Turned 90° clockwise: width ph, height pw; the upright top row becomes the right column.
  const D = makeImage(30, 25, 3, (r, c, k) => {
    const rr = r - OY;
    const cc = c - OX;
    if (rr < 0 || cc < 0 || rr >= pw || cc >= ph) return 200;
    return at(P, ph - 1 - cc, rr, k);
  });
  const rect = { cx: OX + ph / 2, cy: OY + pw / 2, width: pw, height: ph, angle: 90 };
  const chip = cutChip(D, rect, { padding: 0 });
  assert.equal(chip.width, pw);
  assert.equal(chip.height, ph);
  assert.deepEqual(chip.pixels, P.pixels);
});

test('-90° (= 270°): a face turned counter-clockwise comes out upright', () => {
  const D = makeImage(30, 25, 3, (r, c, k) => {
    const rr = r - OY;
    const cc = c - OX;
    if (rr < 0 || cc < 0 || rr >= pw || cc >= ph) return 200;
    return at(P, cc, pw - 1 - rr, k);
  });
  for (const angle of [-90, 270]) {
    const chip = cutChip(D, { cx: OX + ph / 2, cy: OY + pw / 2, width: pw, height: ph, angle }, { padding: 0 });
    assert.deepEqual(chip.pixels, P.pixels);
  }
});

test('180°: an upside-down face comes out upright', () => {
  const D = makeImage(30, 25, 3, (r, c, k) => {
    const rr = r - OY;
    const cc = c - OX;
    if (rr < 0 || cc < 0 || rr >= ph || cc >= pw) return 200;
    return at(P, ph - 1 - rr, pw - 1 - cc, k);
  });
  const chip = cutChip(D, { cx: OX + pw / 2, cy: OY + ph / 2, width: pw, height: ph, angle: 180 }, { padding: 0 });
  assert.deepEqual(chip.pixels, P.pixels);
});

test('padding enlarges the output around the same centre', () => {
  const img = makeImage(60, 50, 1, noise);
  const rect = { cx: 20 + 10 / 2, cy: 15 + 8 / 2, width: 10, height: 8, angle: 0 };
  const chip = cutChip(img, rect, { padding: 0.5 });
  assert.equal(chip.width, 20);
  assert.equal(chip.height, 16);
  assert.deepEqual(chip.pixels, crop(img, 15, 11, 20, 16).pixels);

  const small = cutChip(img, rect, { padding: 0.25 });
  assert.equal(small.width, 15);
  assert.equal(small.height, 12);
});

test('explicit output size resamples the padded box', () => {
  const img = makeImage(60, 50, 1, noise);
  const rect = { cx: 20 + 10 / 2, cy: 15 + 8 / 2, width: 10, height: 8, angle: 0 };
  const chip = cutChip(img, rect, { padding: 0.5, outWidth: 10, outHeight: 8 });
  assert.equal(chip.width, 10);
  assert.equal(chip.height, 8);
  // 2x downsample of a pixel-aligned box: each output pixel is the mean of a 2x2 block.
  for (let r = 0; r < 8; r++)
    for (let c = 0; c < 10; c++) {
      const y = 11 + 2 * r;
      const x = 15 + 2 * c;
      const mean = (at(img, y, x) + at(img, y, x + 1) + at(img, y + 1, x) + at(img, y + 1, x + 1)) / 4;
      assert.ok(Math.abs(at(chip, r, c) - mean) <= 0.5 + 1e-9, `(${r},${c}) ${at(chip, r, c)} vs ${mean}`);
    }
});

test('pixels outside the image are filled by edge replication', () => {
  const img = makeImage(20, 15, 3, noise);
  // Box hanging off the top-left and bottom-right corners.
  for (const [x, y, w, h] of [
    [-4, -3, 10, 8],
    [14, 10, 10, 9],
    [-5, -5, 30, 25],
  ] as const) {
    const chip = cutChip(img, { cx: x + w / 2, cy: y + h / 2, width: w, height: h, angle: 0 }, { padding: 0 });
    assert.deepEqual(chip.pixels, crop(img, x, y, w, h).pixels, `box ${x},${y},${w},${h}`);
  }
  // Entirely outside: every pixel replicates the nearest corner.
  const far = cutChip(img, { cx: -50, cy: -50, width: 4, height: 4, angle: 30 }, { padding: 0 });
  for (let i = 0; i < 16; i++) for (let k = 0; k < 3; k++) assert.equal(far.pixels[i * 3 + k], at(img, 0, 0, k));
});

test('45°: a smooth pattern turned by 45° round-trips within tolerance', () => {
  // g is the upright face; the displayed image shows it turned 45° clockwise about (cx, cy).
  const g = (u: number, v: number): number => 128 + 60 * Math.sin(u / 9) * Math.cos(v / 13) + 0.8 * v;
  const rect = { cx: 51.3, cy: 47.8, width: 40, height: 50, angle: 45 };
  const rad = (rect.angle * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const D = makeImage(110, 100, 1, (r, c) => {
    const dx = c + 0.5 - rect.cx;
    const dy = r + 0.5 - rect.cy;
    // Inverse of fromRectFrame: rotate back by -angle.
    return Math.round(g(dx * cos + dy * sin, -dx * sin + dy * cos));
  });
  const chip = cutChip(D, rect, { padding: 0.1 });
  assert.equal(chip.width, 48);
  assert.equal(chip.height, 60);
  let maxErr = 0;
  const W = rect.width * 1.2;
  const H = rect.height * 1.2;
  for (let i = 0; i < chip.height; i++)
    for (let j = 0; j < chip.width; j++) {
      const u = (j + 0.5) * (W / chip.width) - W / 2;
      const v = (i + 0.5) * (H / chip.height) - H / 2;
      maxErr = Math.max(maxErr, Math.abs(at(chip, i, j) - g(u, v)));
    }
  assert.ok(maxErr <= 2, `max error ${maxErr}`);
});

test('rejects bad input', () => {
  const img = makeImage(10, 10, 1, noise);
  assert.throws(() => cutChip(img, { cx: 5, cy: 5, width: 0, height: 4, angle: 0 }, { padding: 0 }), RangeError);
  assert.throws(
    () => cutChip(img, { cx: 5, cy: 5, width: 4, height: 4, angle: 0 }, { padding: 0, outWidth: 0 }),
    RangeError,
  );
  assert.throws(
    () =>
      cutChip({ ...img, pixels: new Uint8Array(5) }, { cx: 5, cy: 5, width: 4, height: 4, angle: 0 }, { padding: 0 }),
    RangeError,
  );
});

test('encodeChipPng round-trips grey and RGB chips', async () => {
  const { default: sharp } = await import('sharp');
  const { encodeChipPng } = await import('../../src/vision/chip-png.js');
  for (const channels of [1, 3] as const) {
    const chip = makeImage(9, 6, channels, noise);
    const png = await encodeChipPng(chip);
    assert.deepEqual([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
    // IHDR colour type: 0 = greyscale, 2 = RGB.
    assert.equal(png[25], channels === 1 ? 0 : 2);
    assert.equal((await sharp(png).metadata()).channels, channels);
    const decoder = channels === 1 ? sharp(png).toColourspace('b-w') : sharp(png);
    const { data, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 9);
    assert.equal(info.height, 6);
    assert.equal(info.channels, channels);
    assert.deepEqual(new Uint8Array(data), chip.pixels);
  }
});
