import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileWat, kernelModuleText, MODULE_FILE, WAT_FILE } from '../../scripts/build-wasm.js';
import { rotationFrame } from '../../src/core/rotation.js';
import { loadCascade } from '../../src/vision/cascade/default-model.js';
import type { CascadeModel } from '../../src/vision/cascade/model.js';
import {
  HitBuffer,
  rotatedExactIntegral,
  type ScanEngine,
  scanCascade,
  scanScale,
} from '../../src/vision/cascade/scan.js';
import { decodeImage } from '../../src/vision/decode.js';
import { greyLevels, rgbToGrey } from '../../src/vision/grey.js';
import { exactIntegral } from '../../src/vision/integral.js';
import { type GreyImage, rotateGrey } from '../../src/vision/rotate.js';
import { take } from '../helpers/items.js';
import { repoRoot, sharedDir } from '../helpers/paths.js';

test('the committed kernel bytes are scan.wat compiled by wabt', async () => {
  const bytes = await compileWat(readFileSync(join(repoRoot, WAT_FILE), 'utf8'));
  assert.equal(readFileSync(join(repoRoot, MODULE_FILE), 'utf8'), kernelModuleText(bytes));
});

const model = loadCascade();

function hitsOf(run: (hits: HitBuffer) => void): number[] {
  const hits = new HitBuffer();
  run(hits);
  return Array.from(hits.data.subarray(0, hits.count * 4));
}

async function photoGrey(file: string, maxSide: number): Promise<GreyImage> {
  const d = await decodeImage(join(sharedDir, 'data/detection/images', file), { maxPixels: 50e6, maxSide });
  return { width: d.width, height: d.height, data: greyLevels(rgbToGrey(d.pixels, d.channels)) };
}

const scanParams = { scaleFactor: 1.1, stepRatio: 2, minSize: 24, maxSize: 1000 };

for (const file of ['pic03263.jpg', '2008_001322.jpg']) {
  test(`kernel and TypeScript scan give the same hits on ${file} at several sweep angles`, async () => {
    const grey = await photoGrey(file, 640);
    let total = 0;
    for (const angle of [0, 15, 45, 90, 200, 330]) {
      const frame = angle === 0 ? undefined : rotationFrame(grey.width, grey.height, angle);
      const image = frame ? rotateGrey(grey, angle, undefined, true).image : grey;
      const ii = exactIntegral(image.data, image.width, image.height);
      const run = (engine: ScanEngine) => hitsOf((h) => scanCascade(model, ii, scanParams, h, frame, engine));
      const js = run('js');
      assert.deepEqual(run('wasm'), js, `angle ${angle}`);
      total += js.length / 4;
    }
    // Not a vacuous comparison: the photos have faces and textures the cascade accepts.
    assert.ok(total > 20, `only ${total} hits`);
  });
}

test('kernel and TypeScript agree on partial, off-image ranges at step 1 (the verification scans)', async () => {
  const grey = await photoGrey('pic03263.jpg', 400);
  const frame = rotationFrame(grey.width, grey.height, 30);
  const image = rotateGrey(grey, 30, undefined, true).image;
  const ii = exactIntegral(image.data, image.width, image.height);
  const found = hitsOf((h) => scanCascade(model, ii, scanParams, h, frame, 'js'));
  assert.ok(found.length >= 12);
  let total = 0;
  // Around three of the scan's own hits (as verification looks), and one range over the corner.
  const ranges = [0, 1, 2].map((k) => {
    const [r, c, w] = take(found.slice(k * 4, k * 4 + 3), 3, `hit ${k}`);
    return { scale: Math.fround(w / 24), r0: r - 12, c0: c - 12, span: 25 };
  });
  ranges.push({ scale: 1, r0: -30, c0: -30, span: 90 });
  for (const { scale, r0, c0, span } of ranges) {
    const at = { scale, step: 1, r0, c0, r1: r0 + span, c1: c0 + span };
    const js = hitsOf((h) => scanScale(model, ii, at, h, frame, undefined, 'js'));
    assert.deepEqual(
      hitsOf((h) => scanScale(model, ii, at, h, frame, undefined, 'wasm')),
      js,
    );
    total += js.length / 4;
  }
  assert.ok(total > 3, `only ${total} hits`);
});

/**
 * Three one-stump stages: the first accepts a window when its top-left cell is at least its
 * centre cell (LBP codes 128..255), the others accept everything. So hits follow the codes
 * of 6x3-pixel cells directly.
 */
function topLeftBright(): CascadeModel {
  const lut = new Uint32Array(24);
  lut.fill(0xffffffff, 4, 8);
  lut.fill(0xffffffff, 8, 24);
  return {
    windowWidth: 24,
    windowHeight: 24,
    features: Int32Array.from([0, 0, 6, 3]),
    featureCount: 1,
    stageStart: Int32Array.from([0, 1, 2]),
    stageCount: Int32Array.from([1, 1, 1]),
    stageThreshold: Float32Array.from([0.5, 0.5, 0.5]),
    stumpFeature: Int32Array.from([0, 0, 0]),
    stumpLut: lut,
    stumpLeaf: Float32Array.from([1, 0, 1, 0, 1, 0]),
  };
}

test('kernel and TypeScript agree where cell sums exceed 16 bits', () => {
  // Cells of 18 pixels: with values up to 4095 a cell sums past 65535, so the kernel must
  // not use its 16-bit path; up to 3640 cells sum past 32767 but not 65535 (the 16-bit path
  // with unsigned compares); with whole grey levels (< 256) it may. All must match.
  const m = topLeftBright();
  const params = { scaleFactor: 1.1, stepRatio: 2, minSize: 24, maxSize: 40 };
  for (const top of [4096, 3641, 256]) {
    const w = 500;
    const h = 400;
    let seed = 12345;
    const data = Float64Array.from({ length: w * h }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % top;
    });
    const ii = exactIntegral(data, w, h);
    const js = hitsOf((hb) => scanCascade(m, ii, params, hb, undefined, 'js'));
    assert.deepEqual(
      hitsOf((hb) => scanCascade(m, ii, params, hb, undefined, 'wasm')),
      js,
      `values below ${top}`,
    );
    // About half the windows pass: the comparison is not vacuous.
    assert.ok(js.length / 4 > 10000, `${js.length / 4} hits`);
  }
});

/** A one-stump cascade that accepts every window: exercises the hit buffer's splitting. */
function acceptAll(): CascadeModel {
  return {
    windowWidth: 24,
    windowHeight: 24,
    features: Int32Array.from([1, 2, 3, 4]),
    featureCount: 1,
    stageStart: Int32Array.from([0]),
    stageCount: Int32Array.from([1]),
    stageThreshold: Float32Array.from([0]),
    stumpFeature: Int32Array.from([0]),
    stumpLut: new Uint32Array(8).fill(0x55555555),
    stumpLeaf: Float32Array.from([1, 0.5]),
  };
}

test('more hits than one kernel call holds come back complete and in scan order', () => {
  const m = acceptAll();
  for (const [w, h] of [
    [400, 300], // 376 x 276 windows at step 1: many rows per call
    [16500, 30], // one row is wider than a call's hit buffer
  ] as const) {
    const data = Float64Array.from({ length: w * h }, (_, i) => (i * 7919) % 256);
    const ii = exactIntegral(data, w, h);
    const at = { scale: 1, step: 1, r0: 0, c0: 0, r1: h, c1: w };
    const js = hitsOf((hb) => scanScale(m, ii, at, hb, undefined, undefined, 'js'));
    assert.equal(js.length / 4, (w - 24) * (h - 24));
    assert.deepEqual(
      hitsOf((hb) => scanScale(m, ii, at, hb, undefined, undefined, 'wasm')),
      js,
    );
  }
});

test('on a rotated canvas the kernel scans exactly the windows whose centre is in the source', () => {
  // acceptAll passes every window it is given, so the hits are the windows each engine visits:
  // scan.ts rowRange's runs against centreInSource window by window.
  const m = acceptAll();
  for (const [w, h] of [
    [97, 61],
    [64, 90],
  ] as const) {
    const grey = { width: w, height: h, data: Float64Array.from({ length: w * h }, (_, i) => (i * 31) % 256) };
    for (let angle = 15; angle < 360; angle += 15) {
      const frame = rotationFrame(w, h, angle);
      const image = rotateGrey(grey, angle, undefined, true).image;
      const ii = exactIntegral(image.data, image.width, image.height);
      for (const step of [1, 2, 3]) {
        const at = { scale: 1, step, r0: 0, c0: 0, r1: ii.height, c1: ii.width };
        const js = hitsOf((hb) => scanScale(m, ii, at, hb, frame, undefined, 'js'));
        assert.deepEqual(
          hitsOf((hb) => scanScale(m, ii, at, hb, frame, undefined, 'wasm')),
          js,
          `${w}x${h} at ${angle}°, step ${step}`,
        );
        assert.ok(js.length > 0);
      }
    }
  }
});

test('the kernel follows a new model and a new integral after an earlier scan', async () => {
  const grey = await photoGrey('pic03263.jpg', 300);
  const ii = exactIntegral(grey.data, grey.width, grey.height);
  const at = { scale: 1, step: 2, r0: 0, c0: 0, r1: grey.height, c1: grey.width };
  const real = hitsOf((h) => scanScale(model, ii, at, h, undefined, undefined, 'wasm'));
  const all = hitsOf((h) => scanScale(acceptAll(), ii, at, h, undefined, undefined, 'wasm'));
  assert.notDeepEqual(all, real);
  const flipped = exactIntegral(grey.data.slice().reverse(), grey.width, grey.height);
  assert.deepEqual(
    hitsOf((h) => scanScale(model, flipped, at, h, undefined, undefined, 'wasm')),
    hitsOf((h) => scanScale(model, flipped, at, h, undefined, undefined, 'js')),
  );
  assert.deepEqual(
    hitsOf((h) => scanScale(model, ii, at, h, undefined, undefined, 'wasm')),
    real,
  );
});

test('rotatedExactIntegral is rotateGrey + exactIntegral bit for bit at every sweep angle', async () => {
  for (const [file, side] of [
    ['pic03263.jpg', 301],
    ['2008_001322.jpg', 256],
  ] as const) {
    const grey = await photoGrey(file, side);
    for (let angle = 0; angle < 360; angle += 15) {
      const frame = angle === 0 ? undefined : rotationFrame(grey.width, grey.height, angle);
      const image = frame ? rotateGrey(grey, angle, undefined, true).image : grey;
      const want = exactIntegral(image.data, image.width, image.height);
      const got = rotatedExactIntegral(model, grey, angle);
      assert.deepEqual(got.frame, frame);
      assert.deepEqual(
        [got.integral.width, got.integral.height, got.integral.stride],
        [want.width, want.height, want.stride],
      );
      assert.ok(
        Buffer.from(got.integral.data.buffer, got.integral.data.byteOffset, got.integral.data.byteLength).equals(
          Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength),
        ),
        `${file} at ${angle}°`,
      );
      // Scanning the table in place gives the TypeScript scan's hits.
      const js = hitsOf((h) => scanCascade(model, want, scanParams, h, frame, 'js'));
      assert.deepEqual(
        hitsOf((h) => scanCascade(model, got.integral, scanParams, h, frame)),
        js,
      );
    }
  }
});

test('rotatedExactIntegral refuses grey that is not whole levels', () => {
  const grey = { width: 30, height: 30, data: new Float64Array(900).fill(0.5) };
  assert.throws(() => rotatedExactIntegral(model, grey, 15), /not a whole/);
});
