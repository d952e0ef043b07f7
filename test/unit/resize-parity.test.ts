import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resizeGrey, resizeUint8Grey, toUbyte } from '../../src/recognize/resize.js';
import { rgbToGrey } from '../../src/vision/grey.js';
import { at, first } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';

interface ResizeFixture {
  rgb2gray_example: { source: string; rgb_uint8: number[][][]; grey_float64: number[][]; grey_uint8: number[][] };
  chips: {
    source: string;
    grey_uint8_68x68: number[][];
    resized: { shape: [number, number]; float64: number[][] }[];
  }[];
}
interface HogFixture {
  chips: { source: string; sizes: { shape: [number, number]; input_uint8: number[][] }[] }[];
}

const fixtures = join(sharedDir, 'reference/fixtures');
const fixture = JSON.parse(readFileSync(join(fixtures, 'resize.json'), 'utf8')) as ResizeFixture;
const hogFixture = JSON.parse(readFileSync(join(fixtures, 'hog.json'), 'utf8')) as HogFixture;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, `lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(at(a, i, 'first vector') - at(b, i, 'second vector')));
  return m;
}

function countDifferent(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, `lengths differ: ${a.length} vs ${b.length}`);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** skimage's img_as_float of uint8: multiply by 1/255 (not divide by 255; 24 of 256 values differ). */
function asFloat(u8: ArrayLike<number>): Float64Array {
  return Float64Array.from(u8, (v) => v * (1 / 255));
}

function image(width: number, height: number, f: (r: number, c: number) => number): Float64Array {
  const out = new Float64Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) out[r * width + c] = f(r, c);
  return out;
}

// ---------------------------------------------------------------- parity with skimage 0.19.3 / scipy 1.10

for (const [i, chip] of fixture.chips.entries()) {
  const grey = Uint8Array.from(chip.grey_uint8_68x68.flat());
  for (const [j, resized] of chip.resized.entries()) {
    const [h, w] = resized.shape;
    const want = Float64Array.from(resized.float64.flat());
    test(`parity: resize ${chip.source} 68x68 -> ${h}x${w} (float64)`, (t) => {
      const got = resizeGrey(asFloat(grey), 68, 68, w, h);
      const diff = maxAbsDiff(got, want);
      t.diagnostic(`max |diff| ${diff}, ${countDifferent(got, want)} of ${got.length} values not identical`);
      assert.ok(diff <= 1e-12, `max |diff| ${diff} > 1e-12`);
    });
    test(`parity: resize ${chip.source} 68x68 -> ${h}x${w} (uint8)`, () => {
      const got = resizeUint8Grey(grey, 68, 68, w, h);
      const fromFixture = toUbyte(want);
      assert.equal(countDifferent(got, fromFixture), 0, 'differs from img_as_ubyte of the fixture floats');
      // hog.json's input_uint8 is img_as_ubyte(resize(...)) of the same chip, made by skimage itself.
      const hogChip = at(hogFixture.chips, i, 'hog.json chips');
      const size = at(hogChip.sizes, j, `hog.json sizes of ${hogChip.source}`);
      assert.equal(hogChip.source, chip.source);
      assert.deepEqual(size.shape, resized.shape);
      const n = countDifferent(got, size.input_uint8.flat());
      assert.equal(n, 0, `${n} pixels differ from hog.json input_uint8`);
    });
  }
}

test('parity: rgb2gray example through src/vision/grey.ts', (t) => {
  const ex = fixture.rgb2gray_example;
  const rgb = Uint8Array.from(ex.rgb_uint8.flat(2));
  const grey = rgbToGrey(rgb, 3);
  const want = ex.grey_float64.flat();
  // skimage's `rgb @ coeffs` runs through OpenBLAS dgemv, which fuses the multiply-adds:
  // fma(B, 0.0721, fma(R, 0.2125, G * 0.7154)). grey.ts sums left to right, unfused, so about
  // one pixel in six is 1 ulp away; the uint8 levels are all the same.
  const diff = maxAbsDiff(grey, want);
  t.diagnostic(`max |diff| ${diff}, ${countDifferent(grey, want)} of ${grey.length} values not identical`);
  assert.ok(diff <= 2.5e-16, `rgbToGrey max |diff| ${diff}`);
  const n = countDifferent(toUbyte(grey), ex.grey_uint8.flat());
  assert.equal(n, 0, `${n} grey levels differ from img_as_ubyte`);
  assert.deepEqual(
    ex.grey_uint8,
    first(fixture.chips, 'resize.json chips').grey_uint8_68x68,
    'the example is the first chip',
  );
});

// Gaussian anti-aliasing never runs on the fixtures (68 -> 64 gives sigma 1/32, a 1-tap kernel).
// Expected values from /usr/bin/python3 (skimage 0.19.3, scipy 1.10.1, numpy 1.24.2):
//   img = np.array([[((r*7 + c*3) % 11) / 10 for c in range(W)] for r in range(H)])
//   skimage.transform.resize(img, (OH, OW)).ravel()
const ramp = (w: number, h: number) => image(w, h, (r, c) => ((r * 7 + c * 3) % 11) / 10);
const gaussianCases: { from: [number, number]; to: [number, number]; want: number[] }[] = [
  {
    from: [12, 10], // sigma 0.7 and 0.75: 7-tap kernels
    to: [5, 4],
    want: [
      0.5774451609556605, 0.508782098510946, 0.4661231898004232, 0.5389658524323357, 0.5498843926197705,
      0.4506431435856647, 0.5601149445260407, 0.4185237965735666, 0.46759378391056033, 0.4748740576652649,
      0.541019302573136, 0.3979276884275992, 0.40704683154467475, 0.5866307232774883, 0.4799740861468057,
      0.5033743328095224, 0.47885732325230335, 0.5213070202864388, 0.43169512488098494, 0.5772537213573927,
    ],
  },
  { from: [5, 3], to: [1, 1], want: [0.5666064879010082] }, // kernel radius 8 and 4: wider than the image
];

for (const { from, to, want } of gaussianCases) {
  test(`parity: anti-aliased shrink ${from.join('x')} -> ${to.join('x')} matches scipy's gaussian_filter`, (t) => {
    const [h, w] = from;
    const got = resizeGrey(ramp(w, h), w, h, to[1], to[0]);
    const diff = maxAbsDiff(got, want);
    t.diagnostic(`max |diff| ${diff}`);
    // np.exp (AVX-512) and Math.exp can differ by an ulp in the kernel weights.
    assert.ok(diff <= 1e-15, `max |diff| ${diff}`);
  });
}

// ---------------------------------------------------------------- properties

test('same size is the identity; a constant image stays constant when shrinking or enlarging', () => {
  const img = ramp(23, 17);
  assert.deepEqual(resizeGrey(img, 23, 17, 23, 17), img);
  for (const [ow, oh] of [
    [5, 4],
    [40, 31],
    [23, 3],
    [1, 1],
  ] as const) {
    const out = resizeGrey(new Float64Array(23 * 17).fill(0.3), 23, 17, ow, oh);
    assert.equal(out.length, ow * oh);
    const diff = maxAbsDiff(out, new Float64Array(ow * oh).fill(0.3));
    assert.ok(diff < 1e-15, `${ow}x${oh}: max |diff| ${diff}`);
  }
});

test('output stays within the input range (clip), including after enlarging', () => {
  const img = image(9, 7, (r, c) => ((r * 5 + c * 3) % 7) / 6 + 0.1);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of img) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  for (const [ow, oh] of [
    [4, 3],
    [31, 29],
    [2, 20],
  ] as const) {
    const out = resizeGrey(img, 9, 7, ow, oh);
    for (const v of out) assert.ok(v >= lo && v <= hi, `${ow}x${oh}: ${v} outside [${lo}, ${hi}]`);
  }
});

test("enlarging by 2 interpolates half-pixel centres with 'mirror' edges", () => {
  // scipy.ndimage.zoom([0, 1, 5, 3], 2, order=1, mode='mirror', grid_mode=True)
  const got = resizeGrey(Float64Array.from([0, 1, 5, 3]), 4, 1, 8, 1);
  assert.deepEqual(Array.from(got), [0.25, 0.25, 0.75, 2, 4, 4.5, 3.5, 3.5]);
  // Columns behave like rows.
  const col = resizeGrey(Float64Array.from([0, 1, 5, 3]), 1, 4, 1, 8);
  assert.deepEqual(Array.from(col), [0.25, 0.25, 0.75, 2, 4, 4.5, 3.5, 3.5]);
});

test('toUbyte is rint(x * 255): ties go to even, values are clamped', () => {
  let ties = 0;
  for (let m = 0; m < 255; m++) {
    const x = (2 * m + 1) / 510;
    if (x * 255 !== m + 0.5) continue; // only exact ties test the rounding rule
    ties++;
    assert.equal(toUbyte(Float64Array.of(x))[0], m % 2 === 0 ? m : m + 1, `x * 255 = ${m + 0.5}`);
  }
  assert.ok(ties > 100, `only ${ties} exact ties found`);
  assert.deepEqual(Array.from(toUbyte(Float64Array.of(-0.5, 0, 1, 1.5, 0.4 / 255, 0.6 / 255))), [0, 0, 255, 255, 0, 1]);
});

test('resizeUint8Grey is img_as_ubyte(resize(img_as_float(src)))', () => {
  const src = Uint8Array.from(image(15, 11, (r, c) => (r * 37 + c * 91) % 256));
  const want = toUbyte(resizeGrey(asFloat(src), 15, 11, 8, 13));
  assert.deepEqual(resizeUint8Grey(src, 15, 11, 8, 13), want);
});

test('resize validates sizes', () => {
  assert.throws(() => resizeGrey(new Float64Array(6), 3, 2, 0, 2), RangeError);
  assert.throws(() => resizeGrey(new Float64Array(6), 3, 2, 2.5, 2), /output size/);
  assert.throws(() => resizeGrey(new Float64Array(5), 3, 2, 2, 2), /needs 6 values/);
});
