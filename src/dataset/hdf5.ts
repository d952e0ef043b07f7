/**
 * dataset.h5 in the seed's layout (reference/dataset.py, read by train.py's load_dataset):
 * `labels` (N, 1) fixed-length ASCII strings `S<longest label>`, and `images` (H, W, N) uint8
 * greyscale, chip i being `images[:, :, i]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import h5wasm, { type Dataset, type File as H5File } from 'h5wasm/node';

export interface SeedChip {
  label: string;
  width: number;
  height: number;
  /** Row-major greyscale, `width * height` bytes. */
  pixels: Uint8Array;
}

export interface SeedDataset {
  labels: string[];
  width: number;
  height: number;
  /** Row-major greyscale chips, one per label. */
  images: Uint8Array[];
}

const LAYOUT = 'expected the seed layout: labels (N, 1) S<n>, images (H, W, N) uint8';

// Printable ASCII only: a NUL would end the label early and control characters make poor folder names.
const LABEL = /^[\x20-\x7e]+$/;

function checkLabel(label: unknown, where: string): string {
  if (typeof label !== 'string' || !LABEL.test(label)) {
    throw new RangeError(`${where}: label ${JSON.stringify(label)} must be non-empty printable ASCII`);
  }
  return label;
}

/** Write `chips` to `path` as the seed's dataset.h5, atomically (temporary sibling, then rename). */
export async function writeSeedDataset(path: string, chips: readonly SeedChip[]): Promise<void> {
  const first = chips[0];
  if (first === undefined) throw new RangeError(`${path}: a dataset needs at least one chip`);
  const { width, height } = first;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${path}: chip 0 has invalid size ${width}x${height}`);
  }
  const n = chips.length;
  const plane = width * height;
  const labels: string[] = [];
  let labelLength = 0;
  // (H, W, N) in C order: pixel p of chip i is at p * N + i.
  const images = new Uint8Array(plane * n);
  for (let i = 0; i < n; i++) {
    const chip = chips[i]!;
    const label = checkLabel(chip.label, `${path}: chip ${i}`);
    if (chip.width !== width || chip.height !== height) {
      throw new RangeError(
        `${path}: chip ${i} (${label}) is ${chip.width}x${chip.height}, expected ${width}x${height} like chip 0`,
      );
    }
    if (!(chip.pixels instanceof Uint8Array) || chip.pixels.length !== plane) {
      throw new RangeError(`${path}: chip ${i} (${label}) needs ${plane} greyscale bytes, got ${chip.pixels?.length}`);
    }
    labels.push(label);
    labelLength = Math.max(labelLength, label.length);
    const px = chip.pixels;
    for (let p = 0; p < plane; p++) images[p * n + i] = px[p]!;
  }

  const target = resolve(path);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(target)}.${randomUUID().slice(0, 8)}.tmp`);
  await h5wasm.ready;
  try {
    // Create it with node first: h5wasm only prints HDF5's diagnostics when it cannot create a file.
    await (await open(tmp, 'wx')).close();
    const file = new h5wasm.File(tmp, 'w');
    if (file.file_id < 0n) throw new Error(`${path}: HDF5 could not create ${tmp}`);
    try {
      // h5wasm's 'A<n>' is a fixed-length ASCII C string: h5py reads it as numpy S<n>, as dataset.py writes.
      file.create_dataset({ name: 'labels', data: labels, shape: [n, 1], dtype: `A${labelLength}` });
      file.create_dataset({ name: 'images', data: images, shape: [height, width, n], dtype: '<B' });
    } catch (err) {
      file.close();
      throw err;
    }
    if (file.close() < 0) throw new Error(`${path}: HDF5 could not close ${tmp}`);
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5's signature sits at byte 0, 512, 1024, 2048, ... (after an optional user block). */
async function looksLikeHdf5(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(SIGNATURE.length);
    for (let offset = 0; offset + SIGNATURE.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      const { bytesRead } = await handle.read(buf, 0, SIGNATURE.length, offset);
      if (bytesRead === SIGNATURE.length && buf.equals(SIGNATURE)) return true;
    }
    return false;
  } finally {
    await handle.close();
  }
}

function dataset(file: H5File, name: string, path: string): Dataset {
  const entity = file.get(name);
  if (!(entity instanceof h5wasm.Dataset)) throw new Error(`${path}: no '${name}' dataset (${LAYOUT})`);
  return entity;
}

/** Read and validate a dataset.h5 in the seed's layout (as written by dataset.py or writeSeedDataset). */
export async function readSeedDataset(path: string): Promise<SeedDataset> {
  const source = resolve(path);
  // Checked with node first, for a clear error: h5wasm only prints diagnostics when a file will not open.
  if (!(await looksLikeHdf5(source))) throw new Error(`${path}: not an HDF5 file`);
  await h5wasm.ready;
  const file = new h5wasm.File(source, 'r');
  if (file.file_id < 0n) throw new Error(`${path}: HDF5 could not open the file`);
  try {
    const labelsSet = dataset(file, 'labels', path);
    const imagesSet = dataset(file, 'images', path);
    const ls = labelsSet.shape;
    const lm = labelsSet.metadata;
    const n = ls?.[0];
    if (lm.type !== STRING || lm.vlen || !ls || ls.length !== 2 || ls[1] !== 1 || n === undefined || n < 1) {
      throw new Error(`${path}: 'labels' is ${describe(labelsSet)}, ${LAYOUT} with N >= 1`);
    }
    const is = imagesSet.shape;
    const im = imagesSet.metadata;
    const [height, width, count] = is ?? [];
    if (
      im.type !== INTEGER ||
      im.size !== 1 ||
      im.signed ||
      !is ||
      is.length !== 3 ||
      is.some((d) => d < 1) ||
      height === undefined ||
      width === undefined ||
      count === undefined
    ) {
      throw new Error(`${path}: 'images' is ${describe(imagesSet)}, ${LAYOUT}`);
    }
    if (count !== n) throw new Error(`${path}: ${n} labels but ${count} images (${LAYOUT})`);

    const rawLabels = labelsSet.value;
    if (!Array.isArray(rawLabels) || rawLabels.length !== n) throw new Error(`${path}: could not read 'labels'`);
    const labels = rawLabels.map((label, i) => checkLabel(label, `${path}: labels[${i}]`));
    const raw = imagesSet.value;
    const plane = width * height;
    if (!(raw instanceof Uint8Array) || raw.length !== plane * n) throw new Error(`${path}: could not read 'images'`);
    const images = Array.from({ length: n }, () => new Uint8Array(plane));
    for (let p = 0, k = 0; p < plane; p++) {
      for (let i = 0; i < n; i++, k++) images[i]![p] = raw[k]!;
    }
    return { labels, width, height, images };
  } finally {
    file.close();
  }
}

// HDF5 type classes (H5T_class_t), as h5wasm reports them in metadata.type.
const INTEGER = 0;
const STRING = 3;

function describe(set: Dataset): string {
  return `${JSON.stringify(set.dtype)} of shape (${set.shape?.join(', ') ?? 'scalar'})`;
}
