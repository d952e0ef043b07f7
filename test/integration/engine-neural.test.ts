/**
 * The neural engine end to end on real photos: SSD detection (with the quarter-turn sweep)
 * against the detection set's boxes, upright and turned, and embeddings of LFW faces.
 * Skipped, with the reason, when the optional neural packages are not installed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { defaultConfig } from '../../src/config/schema.js';
import { type RotationFrame, rotationFrame } from '../../src/core/rotation.js';
import { type DetectorOptions, detectDecoded, detectFile } from '../../src/engine/detector.js';
import { neuralDetectorOptions } from '../../src/engine/engines.js';
import { readBoxesFile } from '../../src/eval/boxes-file.js';
import { matchBoxes } from '../../src/eval/match.js';
import { rotateSample } from '../../src/eval/rotate-sample.js';
import { embedFaces, type NeuralEngine, neuralEngine } from '../../src/neural/neural-engine.js';
import { type NeuralPool, neuralPool } from '../../src/neural/neural-pool.js';
import { rotateRgb } from '../../src/neural/rotate-rgb.js';
import { type DecodedImage, decodeImage } from '../../src/vision/decode.js';
import { type AxisBox, boundingBox, boxRect } from '../../src/vision/geometry.js';
import { sourceToCanvas } from '../../src/vision/rotate.js';
import { neuralMissing } from '../helpers/neural-skip.js';
import { sharedDir } from '../helpers/paths.js';

const config = defaultConfig();
let pool: NeuralPool | undefined;
let engine: NeuralEngine;
let options: DetectorOptions & { readonly neural: NeuralEngine };

before(() => {
  if (neuralMissing) return;
  pool = neuralPool(1);
  options = neuralDetectorOptions(config, pool);
  engine = options.neural;
});
after(async () => {
  await pool?.close();
});

const detectionDir = join(sharedDir, 'data/detection');
/** Group photos with 2, 4 and 5 annotated faces (Caltech part and the dlib/PASCAL part). */
const PHOTOS = ['pic00072.jpg', 'pic00076.jpg', '2008_002079.jpg'];

function turnBox(b: AxisBox, f: RotationFrame): AxisBox {
  const [x0, y0] = sourceToCanvas(f, b.x, b.y);
  const [x1, y1] = sourceToCanvas(f, b.x + b.width, b.y + b.height);
  return { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) };
}

/** The decoded photo turned by a quarter turn, as if the file had been stored turned. */
function turned(image: DecodedImage, angle: number): DecodedImage {
  const { image: rgb } = rotateRgb(image, angle);
  return {
    ...image,
    width: rgb.width,
    height: rgb.height,
    fullWidth: rgb.width,
    fullHeight: rgb.height,
    channels: 3,
    pixels: rgb.pixels,
  };
}

test('neural detection finds the annotated faces, upright and turned by 90, 180 and 270 degrees', {
  skip: neuralMissing,
}, async () => {
  const boxes = JSON.parse(await readFile(join(detectionDir, 'boxes.json'), 'utf8')) as Record<string, number[][]>;
  for (const name of PHOTOS) {
    const image = await decodeImage(join(detectionDir, 'images', name), { maxPixels: 1e8, maxSide: 1600 });
    assert.equal(image.width, image.fullWidth, 'these photos are smaller than the detection size');
    const truth = (boxes[name] ?? []).map(([x, y, width, height]) => ({ x, y, width, height }) as AxisBox);
    for (const angle of [0, 90, 180, 270]) {
      const input = angle === 0 ? image : turned(image, angle);
      const frame = rotationFrame(image.width, image.height, angle);
      const gt = truth.map((b) => turnBox(b, frame));
      const { faces } = await detectDecoded(input, options);
      const m = matchBoxes(
        gt,
        faces.map((f) => boundingBox(f.rect)),
        0.4,
      );
      assert.equal(m.falseNegatives, 0, `${name} turned ${angle}°: ${m.falseNegatives} of ${gt.length} faces missed`);
      assert.ok(m.falsePositives <= 1, `${name} turned ${angle}°: ${m.falsePositives} false detections`);
      // The face is found upright on the canvas turned back by the photo's turn.
      for (const f of faces) assert.equal(f.rect.angle, (360 - angle) % 360, `${name} turned ${angle}°`);
    }
  }
});

test('an upright photo: its turned canvases at half size still find a face lying beside the group, kept lying', {
  skip: neuralMissing,
}, async () => {
  const group = join(detectionDir, 'images', '2007_007763.jpg');
  const { data, info } = await sharp(group).toBuffer({ resolveWithObject: true });
  const side = 400;
  const lying = await sharp(join(sharedDir, 'data/identity/Colin_Powell/Colin_Powell_0002.jpg'))
    .rotate(90)
    .resize(side, side)
    .toBuffer();
  const dir = await mkdtemp(join(tmpdir(), 'facetag-lying-'));
  try {
    const file = join(dir, 'lying.jpg');
    await sharp({
      create: { width: info.width + side, height: Math.max(info.height, side), channels: 3, background: '#808080' },
    })
      .composite([
        { input: data, left: 0, top: 0 },
        { input: lying, left: info.width, top: 0 },
      ])
      .jpeg({ quality: 92 })
      .toFile(file);
    const image = await decodeImage(file, { maxPixels: 1e8, maxSide: 1600 });
    const halfSizeMs = () => pool?.stageMs?.()['detect.mosaic'] ?? 0;
    const before = halfSizeMs();
    const { faces } = await detectDecoded(image, options);
    assert.ok(halfSizeMs() > before, 'the group settles the photo upright: turned canvases at half size');
    // The same photo swept at full size at every angle, as a photo that is not settled upright is.
    const full = await detectDecoded(image, {
      ...options,
      neural: { ...engine, pool: { ...engine.pool, detect: (i, a, c) => engine.pool.detect(i, a, c, () => false) } },
    });
    const uprightInGroup = (list: typeof faces) =>
      list.filter((f) => f.rect.cx < info.width && f.rect.angle === 0).map((f) => boundingBox(f.rect));
    const m = matchBoxes(uprightInGroup(full.faces), uprightInGroup(faces), 0.4);
    assert.ok(uprightInGroup(full.faces).length >= 5, 'the group is found');
    // A face of the group leaning ~45° can be lost: at half size, the turned canvases see it smaller
    // (on the dev set, eval detect found 394 faces upright-first, 393 at full size).
    assert.equal(m.falseNegatives, 0, 'every upright face of the group found');
    assert.equal(m.falsePositives, 0, 'and no other upright one');
    const found = faces.filter((f) => f.rect.cx > info.width);
    assert.equal(found.length, 1, 'the lying face, once');
    assert.equal(found[0]?.rect.angle, 90, 'kept the way up it looks, not sideways at 0°');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a closer look where the faces are finds a turned group the sweep saw too small', {
  skip: neuralMissing,
}, async () => {
  // pic03263 turned 212°, as `eval detect --rotate random` turns it: black corners, so its 225°
  // canvas holds the group at about half the photo's size; without the closer look 5 of 11 were found.
  const dir = await mkdtemp(join(tmpdir(), 'facetag-closer-'));
  try {
    const boxes = await readBoxesFile(join(detectionDir, 'boxes.json'));
    const file = join(dir, 'turned.png');
    const truth = await rotateSample(
      join(detectionDir, 'images', 'pic03263.jpg'),
      file,
      boxes.get('pic03263.jpg') ?? [],
      212,
    );
    assert.equal(truth.length, 11);
    const closerMs = () => pool?.stageMs?.()['detect.focus'] ?? 0;
    const before = closerMs();
    const { faces } = await detectFile(file, options);
    assert.ok(closerMs() > before, 'the closer look ran');
    const m = matchBoxes(
      truth,
      faces.map((f) => boundingBox(f.rect)),
      0.4,
    );
    assert.ok(m.truePositives >= 10, `${m.truePositives} of 11 faces found`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('embeddings of one person are closer to each other than to other people', { skip: neuralMissing }, async () => {
  const people = ['George_W_Bush', 'Tony_Blair', 'Serena_Williams'];
  const vectors: { person: string; v: Float64Array }[] = [];
  for (const person of people) {
    const dir = join(sharedDir, 'data/identity', person);
    for (const file of (await readdir(dir)).sort().slice(0, 3)) {
      const image = await decodeImage(join(dir, file), { maxPixels: 1e8 });
      // LFW's nominal box: [41, 41, 68, 68] in every 150 x 150 frame.
      const [v] = await embedFaces(engine, image, [{ rect: boxRect({ x: 41, y: 41, width: 68, height: 68 }) }]);
      assert.ok(v, `${person}/${file}: no embedding`);
      assert.equal(v.length, 128);
      vectors.push({ person, v });
    }
  }
  const dist = (a: Float64Array, b: Float64Array) => Math.hypot(...a.map((x, i) => x - (b[i] ?? 0)));
  let worstSame = 0;
  let bestOther = Infinity;
  for (const [i, a] of vectors.entries()) {
    for (const b of vectors.slice(i + 1)) {
      const d = dist(a.v, b.v);
      if (a.person === b.person) worstSame = Math.max(worstSame, d);
      else bestOther = Math.min(bestOther, d);
    }
  }
  assert.ok(
    worstSame < bestOther,
    `farthest same-person pair ${worstSame.toFixed(3)}, closest different pair ${bestOther.toFixed(3)}`,
  );
});

test('two workers find exactly what one finds; embeddings come back in chip order', {
  skip: neuralMissing,
}, async () => {
  const two = neuralPool(2);
  try {
    const image = await decodeImage(join(detectionDir, 'images', 'pic00072.jpg'), { maxPixels: 1e8, maxSide: 1600 });
    const angles = [0, 45, 90, 135, 180, 225, 270, 315];
    const one = await engine.pool.detect(image, angles, 0.5, () => false);
    assert.ok(one.length > 0);
    assert.deepEqual(await two.detect(image, angles, 0.5, () => false), one);
    // Upright first: the turned canvases at half size, four to a pass, however many workers.
    const uprightOne = await engine.pool.detect(image, angles, 0.5, () => true);
    assert.deepEqual(await two.detect(image, angles, 0.5, () => true), uprightOne);
    const hits = one.filter((h) => h.rect.angle === 0).slice(0, 3);
    assert.ok(hits.length >= 2, 'faces to embed');
    const engineTwo = neuralEngine(two, config.neural);
    const forward = await embedFaces(engineTwo, image, hits);
    const backward = await embedFaces(engineTwo, image, [...hits].reverse());
    assert.deepEqual(backward, [...forward].reverse());
    assert.notDeepEqual(forward[0], forward[1], 'different faces, different embeddings');
  } finally {
    await two.close();
  }
});

test('the tfjs-wasm backend (the fallback) finds the same faces and gives the same embeddings', {
  skip: neuralMissing,
}, async () => {
  const tfjs = neuralPool(1, 1, 'tfjs-wasm');
  try {
    const image = await decodeImage(join(detectionDir, 'images', 'pic00072.jpg'), { maxPixels: 1e8, maxSide: 1600 });
    const angles = [0, 45, 90, 135, 180, 225, 270, 315];
    const ours = await engine.pool.detect(image, angles, 0.5, () => true);
    const theirs = await tfjs.detect(image, angles, 0.5, () => true);
    // Otherwise a silent fallback would compare tfjs with itself.
    assert.equal(engine.pool.backends?.().detect, 'onnxruntime');
    assert.equal(tfjs.backends?.().detect, 'tfjs-wasm');
    assert.equal(theirs.length, ours.length);
    for (const [i, t] of theirs.entries()) {
      const o = ours[i];
      // The SSD's score is the hit's strength.
      assert.ok(o && Math.abs(o.strength - t.strength) < 1e-4, `face ${i}: score ${o?.strength} vs ${t.strength}`);
      assert.ok(Math.abs(o.rect.cx - t.rect.cx) < 0.05 && Math.abs(o.rect.cy - t.rect.cy) < 0.05, `face ${i}: centre`);
    }
    const hits = ours.filter((h) => h.rect.angle === 0).slice(0, 3);
    assert.ok(hits.length >= 2, 'faces to embed');
    const a = await embedFaces(engine, image, hits);
    const b = await embedFaces(neuralEngine(tfjs, config.neural), image, hits);
    assert.deepEqual([engine.pool.backends?.().embed, tfjs.backends?.().embed], ['onnxruntime', 'tfjs-wasm']);
    for (const [i, e] of a.entries()) {
      const f = b[i];
      assert.ok(e && f, `face ${i} embedded by both`);
      assert.ok(
        e.every((v, k) => Math.abs(v - (f[k] ?? 0)) < 1e-4),
        `face ${i}: embeddings differ`,
      );
    }
  } finally {
    await tfjs.close();
  }
});
