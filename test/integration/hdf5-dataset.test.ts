import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import h5wasm, { type File as H5File } from 'h5wasm/node';
import { readSeedDataset, type SeedChip, writeSeedDataset } from '../../src/dataset/hdf5.js';
import { at, take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);
// Debian's python3-h5py lives with the system interpreter, not whatever python3 is first on PATH.
const python = '/usr/bin/python3';
const hasH5py = spawnSync(python, ['-c', 'import h5py'], { stdio: 'ignore' }).status === 0;

// Non-square, so a swapped H and W cannot pass; the longest label sets the S<n> width.
const W = 5;
const H = 6;
const LABELS = ['George_W_Bush', 'not_a_face', 'Ann', 'George_W_Bush', 'Bo', 'not_a_face', 'Ann'];
const pixel = (i: number, p: number) => (i * 37 + p * 11 + ((p * p) % 7)) % 256;
const chip = (label: string, i: number, width = W, height = H): SeedChip => ({
  label,
  width,
  height,
  pixels: Uint8Array.from({ length: width * height }, (_, p) => pixel(i, p)),
});
const chips = LABELS.map((label, i) => chip(label, i));

/** The (H, W, N) C-order bytes the seed's layout holds, built independently of the writer. */
function seedLayoutBytes(list: readonly SeedChip[]): Uint8Array {
  const out: number[] = [];
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++) for (const ch of list) out.push(at(ch.pixels, r * W + c, 'chip pixels'));
  return Uint8Array.from(out);
}

let dir = '';
before(async () => {
  dir = await tmpDir('facetag-hdf5-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('write then read gives back the labels, pixels and size', async () => {
  const path = join(dir, 'out/nested/dataset.h5'); // the folder is created, as dataset.py does
  await writeSeedDataset(path, chips);
  const back = await readSeedDataset(path);
  assert.deepEqual(back.labels, LABELS);
  assert.equal(back.width, W);
  assert.equal(back.height, H);
  assert.equal(back.images.length, chips.length);
  for (const [i, img] of back.images.entries()) assert.deepEqual(img, at(chips, i, 'chips').pixels, `chip ${i}`);
  assert.deepEqual(await readdir(join(dir, 'out/nested')), ['dataset.h5'], 'no temporary file left');

  // Rewriting replaces the file as a whole.
  await writeSeedDataset(path, [chip('x', 9, 2, 3)]);
  const one = await readSeedDataset(path);
  assert.deepEqual([one.labels, one.width, one.height, one.images], [['x'], 2, 3, [chip('x', 9, 2, 3).pixels]]);
});

test('bad chips are refused, naming the chip, and leave nothing behind', async () => {
  const out = join(dir, 'bad');
  const path = join(out, 'dataset.h5');
  const [chip0, chip1] = take(chips, 2, 'chips');
  const cases: [string, SeedChip[], RegExp][] = [
    ['no chips', [], /at least one chip/],
    ['mixed sizes', [chip0, chip('Bo', 1, 6, 5)], /chip 1 \(Bo\) is 6x5, expected 5x6 like chip 0/],
    ['non-ASCII', [chip0, { ...chip1, label: 'José' }], /chip 1: label "José" must be non-empty printable ASCII/],
    ['empty label', [{ ...chip0, label: '' }], /chip 0: label "" must be non-empty/],
    ['NUL in label', [{ ...chip0, label: 'a\0b' }], /label "a\\u0000b"/],
    ['short pixels', [{ ...chip0, pixels: chip0.pixels.subarray(1) }], /needs 30 greyscale bytes, got 29/],
    ['zero size', [chip('Bo', 0, 0, 6)], /invalid size 0x6/],
  ];
  for (const [name, list, message] of cases) {
    await assert.rejects(writeSeedDataset(path, list), message, name);
  }
  await assert.rejects(readdir(out), /ENOENT/, 'nothing written');
});

/** An HDF5 file made directly with h5wasm, to feed the reader layouts it must refuse. */
async function rawFile(name: string, build: (f: H5File) => void): Promise<string> {
  await h5wasm.ready;
  const path = join(dir, name);
  const f = new h5wasm.File(path, 'w');
  try {
    build(f);
  } finally {
    f.close();
  }
  return path;
}

test('reading refuses files that are not the seed layout, naming the file', async () => {
  await assert.rejects(readSeedDataset(join(dir, 'missing.h5')), /ENOENT.*missing\.h5/);
  const text = join(dir, 'text.h5');
  await writeFile(text, 'not hdf5 at all, but long enough to have a signature, were it one\n'.repeat(20));
  await assert.rejects(readSeedDataset(text), /text\.h5: not an HDF5 file/);

  const px = new Uint8Array(H * W * 2);
  const labels = (f: H5File, shape = [2, 1], dtype = 'A3') =>
    f.create_dataset({ name: 'labels', data: ['Bo', 'Ann'], shape, dtype });
  const images = (f: H5File, shape = [H, W, 2], dtype = '<B') =>
    f.create_dataset({ name: 'images', data: dtype === '<B' ? px : new Float32Array(px.length), shape, dtype });
  const cases: [string, (f: H5File) => void, RegExp][] = [
    ['no-labels.h5', (f) => images(f), /no-labels\.h5: no 'labels' dataset \(expected the seed layout/],
    ['no-images.h5', (f) => labels(f), /no-images\.h5: no 'images' dataset/],
    [
      'flat-labels.h5',
      (f) => {
        labels(f, [2]);
        images(f);
      },
      /flat-labels\.h5: 'labels' is "A3" of shape \(2\)/,
    ],
    [
      'vlen-labels.h5',
      (f) => {
        labels(f, [2, 1], 'S');
        images(f);
      },
      /vlen-labels\.h5: 'labels' is "S" of shape \(2, 1\)/,
    ],
    [
      'float-images.h5',
      (f) => {
        labels(f);
        images(f, [H, W, 2], '<f');
      },
      /float-images\.h5: 'images' is "<f"/,
    ],
    [
      '2d-images.h5',
      (f) => {
        labels(f);
        images(f, [H * W, 2]);
      },
      /2d-images\.h5: 'images' is "<B" of shape \(30, 2\)/,
    ],
    [
      'count.h5',
      (f) => {
        labels(f);
        images(f, [H, W / 5, 10]);
      },
      /count\.h5: 2 labels but 10 images/,
    ],
  ];
  for (const [name, build, message] of cases) {
    await assert.rejects(readSeedDataset(await rawFile(name, build)), message, name);
  }
  const nonAscii = await rawFile('non-ascii.h5', (f) => {
    f.create_dataset({ name: 'labels', data: ['Bo', 'Zoë'], shape: [2, 1], dtype: 'S4' });
    images(f);
  });
  await assert.rejects(
    readSeedDataset(nonAscii),
    /non-ascii\.h5: labels\[1\]: label "Zo.*" must be non-empty printable ASCII/,
  );
});

const H5PY_READ = `
import hashlib, json, sys
import h5py
with h5py.File(sys.argv[1], "r") as f:
    labels, images = f["labels"], f["images"]
    data = images[()]
    print(json.dumps({
        "labels_dtype": str(labels.dtype), "labels_shape": list(labels.shape),
        "labels_ascii": labels.id.get_type().get_cset() == h5py.h5t.CSET_ASCII,
        "labels": [lab.decode("ascii") for lab in labels[:, 0]],  # as train.py's load_dataset
        "images_dtype": str(images.dtype), "images_shape": list(images.shape),
        "sha256": hashlib.sha256(data.tobytes()).hexdigest(),
        "first_chip": data[:, :, 0].tolist(), "last_chip": data[:, :, -1].tolist(),
    }))
`;

test('h5py reads our file as dataset.py wrote it: S<n> labels (N, 1), uint8 images (H, W, N)', async (t) => {
  if (!hasH5py) {
    t.skip('python3-h5py not installed');
    return;
  }
  const path = join(dir, 'for-h5py.h5');
  await writeSeedDataset(path, chips);
  const { stdout } = await execFileP(python, ['-c', H5PY_READ, path]);
  const got = JSON.parse(stdout) as Record<string, unknown>;
  const rows = (c: SeedChip) => Array.from({ length: H }, (_, r) => Array.from(c.pixels.subarray(r * W, (r + 1) * W)));
  assert.deepEqual(got, {
    labels_dtype: '|S13',
    labels_shape: [7, 1],
    labels_ascii: true,
    labels: LABELS,
    images_dtype: 'uint8',
    images_shape: [H, W, 7],
    sha256: createHash('sha256').update(seedLayoutBytes(chips)).digest('hex'),
    first_chip: rows(at(chips, 0, 'chips')),
    last_chip: rows(at(chips, 6, 'chips')),
  });
});

// dataset.py's make_dataset, minus the image decoding.
const H5PY_WRITE = `
import json, sys
import h5py, numpy as np
spec = json.loads(sys.argv[2])
labels = [lab.encode("ascii", "ignore") for lab in spec["labels"]]
height, width = spec["height"], spec["width"]
with h5py.File(sys.argv[1], "w") as h5_file:
    h5_file.create_dataset("labels", (len(labels), 1), f"S{len(max(labels, key=len))}", labels)
    images = h5_file.create_dataset("images", (height, width, len(labels)), dtype="uint8")
    for idx, pixels in enumerate(spec["pixels"]):
        images[:, :, idx] = np.array(pixels, dtype=np.uint8).reshape(height, width)
`;

test('we read a dataset.h5 written by h5py the way dataset.py does', async (t) => {
  if (!hasH5py) {
    t.skip('python3-h5py not installed');
    return;
  }
  const path = join(dir, 'from-h5py.h5');
  const spec = { labels: LABELS, height: H, width: W, pixels: chips.map((c) => Array.from(c.pixels)) };
  await execFileP(python, ['-c', H5PY_WRITE, path, JSON.stringify(spec)]);
  const back = await readSeedDataset(path);
  assert.deepEqual(back.labels, LABELS);
  assert.deepEqual([back.width, back.height], [W, H]);
  for (const [i, img] of back.images.entries()) assert.deepEqual(img, at(chips, i, 'chips').pixels, `chip ${i}`);
});
