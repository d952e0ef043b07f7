import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type BlockNorm, type HogParams, hog, hogLength } from '../../src/recognize/hog.js';
import { at, take } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';

interface HogCase {
  params: {
    orientations: number;
    pixels_per_cell: [number, number];
    cells_per_block: [number, number];
    block_norm: BlockNorm;
  };
  of_uint8_values: number[];
  of_unit_range: number[];
}
interface Fixture {
  tolerance: number;
  chips: { source: string; sizes: { shape: [number, number]; input_uint8: number[][]; hog: HogCase[] }[] }[];
}

const fixture = JSON.parse(readFileSync(join(sharedDir, 'reference/fixtures/hog.json'), 'utf8')) as Fixture;

const SEED: HogParams = { orientations: 8, pixelsPerCell: [16, 16], cellsPerBlock: [1, 1], blockNorm: 'L2-Hys' };
const NORMS: BlockNorm[] = ['L1', 'L1-sqrt', 'L2', 'L2-Hys'];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, `lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(at(a, i, 'first vector') - at(b, i, 'second vector')));
  return m;
}

function paramsOf(c: HogCase): HogParams {
  const p = c.params;
  return {
    orientations: p.orientations,
    pixelsPerCell: p.pixels_per_cell,
    cellsPerBlock: p.cells_per_block,
    blockNorm: p.block_norm,
  };
}

/** Deterministic pseudo-random values in [0, 1). */
function noise(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

function image(width: number, height: number, f: (r: number, c: number) => number): Float64Array {
  const out = new Float64Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) out[r * width + c] = f(r, c);
  return out;
}

// ---------------------------------------------------------------- parity with skimage 0.19.3

interface Case {
  label: string;
  compute: () => Float64Array;
  want: number[];
}

/** Every fixture vector, with how to compute ours. */
function cases(): Case[] {
  const out: Case[] = [];
  for (const chip of fixture.chips) {
    for (const size of chip.sizes) {
      const [h, w] = size.shape;
      const u8 = Uint8Array.from(size.input_uint8.flat());
      const unit = Float64Array.from(u8, (v) => v / 255); // the fixture's `input_uint8 / 255.0`
      for (const c of size.hog) {
        const p = paramsOf(c);
        const setting = `${p.orientations}/${p.pixelsPerCell.join('x')}/${p.cellsPerBlock.join('x')}/${p.blockNorm}`;
        const label = `${chip.source} ${h}x${w} ${setting}`;
        out.push({ label: `${label} of_uint8_values`, compute: () => hog(u8, w, h, p), want: c.of_uint8_values });
        out.push({ label: `${label} of_unit_range`, compute: () => hog(unit, w, h, p), want: c.of_unit_range });
      }
    }
  }
  return out;
}

for (const c of cases()) {
  test(`parity: ${c.label}`, (t) => {
    const diff = maxAbsDiff(c.compute(), c.want);
    t.diagnostic(`max |diff| ${diff}`);
    assert.ok(diff <= fixture.tolerance, `max |diff| ${diff} > ${fixture.tolerance}`);
  });
}

test('parity: hog.json is reproduced bit for bit (float32 cells, glibc hypot, SVML arctan2)', () => {
  let differing = 0;
  let compared = 0;
  let worst = 0;
  for (const { compute, want } of cases()) {
    const got = compute();
    worst = Math.max(worst, maxAbsDiff(got, want));
    for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) differing++;
    compared += got.length;
  }
  assert.equal(compared, 56_960);
  assert.equal(differing, 0, `${differing} of ${compared} values differ; max |diff| ${worst}`);
});

// ---------------------------------------------------------------- properties

test('hogLength matches the output length: blocks x cells per block x orientations', () => {
  const cases: [number, number, HogParams, number][] = [
    [64, 64, SEED, 4 * 4 * 8],
    [128, 128, SEED, 8 * 8 * 8],
    [96, 80, { orientations: 9, pixelsPerCell: [8, 8], cellsPerBlock: [2, 2], blockNorm: 'L2-Hys' }, 11 * 9 * 4 * 9],
    // 37 // 7 = 5 cell rows, 50 // 6 = 8 cell columns; leftover pixels are ignored.
    [37, 50, { orientations: 5, pixelsPerCell: [7, 6], cellsPerBlock: [2, 3], blockNorm: 'L1' }, 4 * 6 * 6 * 5],
    [9, 9, { orientations: 1, pixelsPerCell: [1, 1], cellsPerBlock: [9, 9], blockNorm: 'L2' }, 81],
  ];
  for (const [h, w, p, expected] of cases) {
    assert.equal(hogLength(h, w, p), expected, `${h}x${w}`);
    assert.equal(hog(noise(w * h, h), w, h, p).length, expected, `${h}x${w}`);
  }
});

test('a constant image gives an all-zero HOG for every block norm', () => {
  for (const blockNorm of NORMS) {
    const v = hog(new Float64Array(40 * 40).fill(0.7), 40, 40, { ...SEED, orientations: 9, blockNorm });
    const max = Math.max(...v.map(Math.abs));
    assert.equal(max, 0, `${blockNorm}: max |value| ${max}`);
  }
});

test('block norms: L1 sums to 1, L1-sqrt and L2/L2-Hys have unit Euclidean norm', () => {
  const w = 48;
  const h = 40;
  const img = noise(w * h, 7).map((v) => Math.round(v * 255)); // 0..255: eps is negligible
  const params = {
    orientations: 9,
    pixelsPerCell: [8, 8] as [number, number],
    cellsPerBlock: [2, 2] as [number, number],
  };
  const len = 2 * 2 * 9;
  for (const blockNorm of NORMS) {
    const v = hog(img, w, h, { ...params, blockNorm });
    let worst = 0;
    for (let start = 0; start < v.length; start += len) {
      const block = v.subarray(start, start + len);
      const measure =
        blockNorm === 'L1'
          ? block.reduce((s, x) => s + Math.abs(x), 0)
          : Math.sqrt(block.reduce((s, x) => s + x * x, 0));
      worst = Math.max(worst, Math.abs(measure - 1));
    }
    // eps (1e-5) against block sums in the hundreds leaves about 2e-8 for L1, far less for L2.
    assert.ok(worst < 1e-7, `${blockNorm}: worst |norm - 1| ${worst}`);
  }
});

test('L2-Hys is L2, clipped at 0.2, renormalised', () => {
  const w = 48;
  const h = 40;
  const img = noise(w * h, 11);
  const params = {
    orientations: 9,
    pixelsPerCell: [8, 8] as [number, number],
    cellsPerBlock: [2, 2] as [number, number],
  };
  const l2 = hog(img, w, h, { ...params, blockNorm: 'L2' });
  const hys = hog(img, w, h, { ...params, blockNorm: 'L2-Hys' });
  const expected = new Float64Array(l2.length);
  let clipped = 0;
  for (let start = 0; start < l2.length; start += 36) {
    const block = Array.from(l2.subarray(start, start + 36), (x) => Math.min(x, 0.2));
    clipped += Array.from(l2.subarray(start, start + 36)).filter((x) => x > 0.2).length;
    const norm = Math.sqrt(block.reduce((s, x) => s + x * x, 0) + 1e-10);
    block.forEach((x, i) => {
      expected[start + i] = x / norm;
    });
  }
  assert.ok(clipped > 0, 'the image should have bins above 0.2 for this test to mean something');
  const diff = maxAbsDiff(hys, expected);
  assert.ok(diff < 1e-12, `max |diff| ${diff}`);
});

test('orientation convention: unsigned, 0° along columns, 90° along rows (rows point down)', () => {
  const n = 32;
  const p: HogParams = { orientations: 8, pixelsPerCell: [16, 16], cellsPerBlock: [1, 1], blockNorm: 'L2' };
  const dominant = (img: Float64Array): number[] => {
    const v = hog(img, n, n, p);
    const bins: number[] = [];
    for (let start = 0; start < v.length; start += 8) {
      const block = Array.from(v.subarray(start, start + 8));
      bins.push(block.indexOf(Math.max(...block)));
    }
    return bins;
  };
  assert.deepEqual(dominant(image(n, n, (_r, c) => 3 * c)), [0, 0, 0, 0], 'intensity rising along columns');
  assert.deepEqual(dominant(image(n, n, (_r, c) => 90 - 3 * c)), [0, 0, 0, 0], 'falling along columns (unsigned)');
  assert.deepEqual(dominant(image(n, n, (r) => 3 * r)), [4, 4, 4, 4], 'rising along rows: 90°');
  assert.deepEqual(dominant(image(n, n, (r, c) => r + c)), [2, 2, 2, 2], 'down-right diagonal: 45°');
  assert.deepEqual(dominant(image(n, n, (r, c) => r - c)), [6, 6, 6, 6], 'down-left diagonal: 135°');
  // A pure column ramp puts every magnitude in bin 0: the other bins are exactly zero.
  const v = hog(
    image(n, n, (_r, c) => 3 * c),
    n,
    n,
    p,
  );
  for (let cell = 0; cell < v.length; cell += 8) {
    const bin0 = at(v, cell, 'HOG vector');
    assert.ok(Math.abs(bin0 - 1) < 1e-9, `bin 0 is ${bin0}`); // v / sqrt(v^2 + eps^2)
    assert.deepEqual(Array.from(v.subarray(cell + 1, cell + 8)), [0, 0, 0, 0, 0, 0, 0]);
  }
});

/** A plain transcription of skimage's HOG (Math.atan2, sequential sums): right up to rounding. */
function plainHog(img: Float64Array, w: number, h: number, p: HogParams): Float64Array {
  const n = p.orientations;
  const [ch, cw] = p.pixelsPerCell;
  const [bh, bw] = p.cellsPerBlock;
  const nr = Math.floor(h / ch);
  const nc = Math.floor(w / cw);
  const hist = new Float64Array(nr * nc * n);
  const px = (i: number): number => at(img, i, 'image pixels');
  for (let o = 0; o < n; o++) {
    const lo = (180 / n) * o;
    const hi = (180 / n) * (o + 1);
    for (let cr = 0; cr < nr; cr++) {
      for (let cc = 0; cc < nc; cc++) {
        let total = 0;
        for (let r = cr * ch; r < (cr + 1) * ch; r++) {
          for (let c = cc * cw; c < (cc + 1) * cw; c++) {
            const gy = r > 0 && r < h - 1 ? px((r + 1) * w + c) - px((r - 1) * w + c) : 0;
            const gx = c > 0 && c < w - 1 ? px(r * w + c + 1) - px(r * w + c - 1) : 0;
            let ori = ((Math.atan2(gy, gx) * 180) / Math.PI) % 180;
            if (ori < 0) ori += 180;
            if (ori >= lo && ori < hi) total = Math.fround(total + Math.hypot(gx, gy));
          }
        }
        hist[(cr * nc + cc) * n + o] = Math.fround(total / (ch * cw));
      }
    }
  }
  const out: number[] = [];
  for (let br = 0; br + bh <= nr; br++) {
    for (let bc = 0; bc + bw <= nc; bc++) {
      const block: number[] = [];
      for (let r = br; r < br + bh; r++)
        for (let i = 0; i < bw * n; i++) block.push(at(hist, (r * nc + bc) * n + i, 'histogram'));
      const l1 = block.reduce((s, x) => s + Math.abs(x), 0) + 1e-5;
      const l2 = Math.sqrt(block.reduce((s, x) => s + x * x, 0) + 1e-10);
      if (p.blockNorm === 'L1') out.push(...block.map((x) => x / l1));
      else if (p.blockNorm === 'L1-sqrt') out.push(...block.map((x) => Math.sqrt(x / l1)));
      else if (p.blockNorm === 'L2') out.push(...block.map((x) => x / l2));
      else {
        const clipped = block.map((x) => Math.min(x / l2, 0.2));
        const l2b = Math.sqrt(clipped.reduce((s, x) => s + x * x, 0) + 1e-10);
        out.push(...clipped.map((x) => x / l2b));
      }
    }
  }
  return Float64Array.from(out);
}

test('matches a plain transcription on random float images, any orientation count and cell shape', () => {
  let worst = 0;
  for (let k = 0; k < 40; k++) {
    const [a, b, c, d, e] = take(noise(5, 100 + k), 5, 'noise');
    const w = 12 + Math.floor(a * 40);
    const h = 12 + Math.floor(b * 40);
    const p: HogParams = {
      orientations: 1 + Math.floor(c * 36),
      pixelsPerCell: [1 + Math.floor(d * 6), 1 + Math.floor(e * 6)],
      cellsPerBlock: [1 + (k % 2), 1 + (k % 3 === 0 ? 1 : 0)],
      blockNorm: at(NORMS, k % 4, 'block norms'),
    };
    const img = noise(w * h, 1000 + k);
    const diff = maxAbsDiff(hog(img, w, h, p), plainHog(img, w, h, p));
    worst = Math.max(worst, diff);
    assert.ok(diff < 1e-6, `${w}x${h} ${JSON.stringify(p)}: max |diff| ${diff}`);
  }
  // A wrong bin moves a whole magnitude: differences would be 1e-3 or more, not float32 noise.
  assert.ok(worst < 1e-6, `worst max |diff| ${worst}`);
});

test('writes into a caller buffer and validates its input', () => {
  const img = noise(64 * 64, 3);
  const out = new Float64Array(128);
  assert.equal(hog(img, 64, 64, SEED, out), out);
  assert.deepEqual(out, hog(img, 64, 64, SEED));
  assert.throws(() => hog(img, 64, 64, SEED, new Float64Array(127)), RangeError);
  assert.throws(() => hog(img, 15, 64, SEED), /smaller than one block/);
  assert.throws(() => hogLength(64, 64, { ...SEED, cellsPerBlock: [5, 1] }), /smaller than one block/);
  assert.throws(() => hogLength(64, 64, { ...SEED, orientations: 0 }), /orientations/);
  assert.throws(() => hogLength(64, 64, { ...SEED, pixelsPerCell: [16, 1.5] }), /pixelsPerCell\[1\]/);
  assert.throws(() => hogLength(64.5, 64, SEED), /height/);
  assert.throws(() => hogLength(64, 64, { ...SEED, blockNorm: 'L3' as BlockNorm }), /blockNorm/);
  assert.throws(() => hog(img.subarray(0, 100), 64, 64, SEED), /needs 4096 pixels/);
});
