import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import {
  type DecodedImage,
  DecodeError,
  type DecodeFailure,
  type DecodeOptions,
  decodeImage,
  isSupportedImagePath,
} from '../../src/vision/decode.js';
import { at, take } from '../helpers/items.js';
import { modesBind, rerunWhereModesBind } from '../helpers/modes-bind.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const images = join(sharedDir, 'data/detection/images');
const COLOUR_JPEG = join(images, '2007_007763.jpg'); // 500 x 375, RGB
const GREY_JPEG = join(images, 'pic00079.jpg'); // 254 x 260, 1-channel
const OPTS: DecodeOptions = { maxPixels: 50_000_000 };

type RGB = readonly [number, number, number];
const RED: RGB = [255, 0, 0];
const GREEN: RGB = [0, 255, 0];

let dir = '';
before(async () => {
  dir = await tmpDir('facetag-decode-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Channel values of pixel (x, y). */
function px(img: DecodedImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * img.channels;
  return [...img.pixels.subarray(i, i + img.channels)];
}

function assertNear(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: channel count`);
  const ok = actual.every((v, i) => Math.abs(v - at(expected, i, what)) <= tol);
  assert.ok(ok, `${what}: got [${actual}], expected [${expected}] ±${tol}`);
}

/**
 * A W x H stored raster, grey, with a 16 x 16 red block at the stored top-left corner and a green one
 * at the stored top-right corner: under each EXIF orientation they land in a distinct place.
 */
const W = 96;
const H = 64;
function markerRaster(): Buffer {
  const buf = Buffer.alloc(W * H * 3, 128);
  const block = (x0: number, colour: RGB) => {
    for (let y = 0; y < 16; y++) for (let x = x0; x < x0 + 16; x++) buf.set(colour, (y * W + x) * 3);
  };
  block(0, RED);
  block(W - 16, GREEN);
  return buf;
}
const RED_AT = { x: 8, y: 8 }; // inside the red block, stored frame
const GREEN_AT = { x: W - 9, y: 8 };

/** Where stored pixel (x, y) of the W x H raster is displayed under EXIF orientation o (TIFF/EXIF spec). */
const DISPLAYED: Record<number, (x: number, y: number) => { x: number; y: number }> = {
  1: (x, y) => ({ x, y }),
  2: (x, y) => ({ x: W - 1 - x, y }), // mirror horizontal
  3: (x, y) => ({ x: W - 1 - x, y: H - 1 - y }), // rotate 180
  4: (x, y) => ({ x, y: H - 1 - y }), // mirror vertical
  5: (x, y) => ({ x: y, y: x }), // transpose
  6: (x, y) => ({ x: H - 1 - y, y: x }), // rotate 90 CW
  7: (x, y) => ({ x: H - 1 - y, y: W - 1 - x }), // transverse
  8: (x, y) => ({ x: y, y: W - 1 - x }), // rotate 270 CW
};
function displayed(o: number, x: number, y: number): { x: number; y: number } {
  const place = DISPLAYED[o];
  if (!place) assert.fail(`no EXIF orientation ${o}`);
  return place(x, y);
}

async function markerJpeg(name: string, orientation: number): Promise<string> {
  const file = join(dir, name);
  await sharp(markerRaster(), { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .withMetadata({ orientation })
    .toFile(file);
  return file;
}

function assertMarkers(img: DecodedImage, orientation: number, tol = 40): void {
  const r = displayed(orientation, RED_AT.x, RED_AT.y);
  const g = displayed(orientation, GREEN_AT.x, GREEN_AT.y);
  assertNear(px(img, r.x, r.y), RED, tol, `orientation ${orientation}: red marker at ${r.x},${r.y}`);
  assertNear(px(img, g.x, g.y), GREEN, tol, `orientation ${orientation}: green marker at ${g.x},${g.y}`);
  // And red is not simply left in place when it should have moved.
  if (r.x !== RED_AT.x || r.y !== RED_AT.y) {
    const [red, green] = take(px(img, RED_AT.x, RED_AT.y), 2, 'channels');
    assert.ok(!(red > 200 && green < 60), `orientation ${orientation}: red still at its stored place`);
  }
}

/** sharp over raw interleaved pixels (a Uint16Array makes 16-bit input). */
function rawImage(data: Buffer | Uint16Array, width: number, height: number, channels: 1 | 2 | 3 | 4) {
  return sharp(data, { raw: { width, height, channels } });
}

describe('decodeImage: formats and pixel layouts', () => {
  test('RGB JPEG: oriented size, 3 channels, the same pixels as a plain libjpeg decode', async () => {
    const img = await decodeImage(COLOUR_JPEG, OPTS);
    assert.equal(img.file, COLOUR_JPEG);
    assert.equal(img.format, 'jpeg');
    assert.equal(img.orientation, 1);
    assert.deepEqual([img.width, img.height, img.fullWidth, img.fullHeight], [500, 375, 500, 375]);
    assert.equal(img.channels, 3);
    assert.ok(img.pixels instanceof Uint8Array && !Buffer.isBuffer(img.pixels), 'a plain Uint8Array');
    const ref = await sharp(COLOUR_JPEG).raw().toBuffer();
    assert.equal(img.pixels.length, 500 * 375 * 3);
    assert.ok(Buffer.from(img.pixels).equals(ref), 'pixels identical to sharp raw decode');
  });

  test('grey JPEG stays one channel', async () => {
    const img = await decodeImage(GREY_JPEG, OPTS);
    assert.equal(img.channels, 1);
    assert.deepEqual([img.width, img.height], [254, 260]);
    assert.equal(img.pixels.length, 254 * 260);
    const ref = await sharp(GREY_JPEG).toColourspace('b-w').raw().toBuffer();
    assert.ok(Buffer.from(img.pixels).equals(ref));
  });

  test('RGBA PNG: alpha flattened onto white', async () => {
    const file = join(dir, 'rgba.png');
    const rgba = Buffer.from([255, 0, 0, 0, /**/ 0, 0, 0, 128, /**/ 10, 20, 30, 255, /**/ 0, 0, 255, 0]);
    await rawImage(rgba, 2, 2, 4).png().toFile(file);
    const img = await decodeImage(file, OPTS);
    assert.equal(img.channels, 3);
    assert.deepEqual(px(img, 0, 0), [255, 255, 255], 'fully transparent red -> white');
    assertNear(px(img, 1, 0), [127, 127, 127], 1, 'half-transparent black -> mid grey');
    assert.deepEqual(px(img, 0, 1), [10, 20, 30], 'opaque pixel unchanged');
    assert.deepEqual(px(img, 1, 1), [255, 255, 255], 'fully transparent blue -> white');
  });

  test('grey+alpha PNG: one channel, the grey values (alpha dropped, as the seed does)', async () => {
    const file = join(dir, 'grey-alpha.png');
    const ga = Buffer.from([10, 0, /**/ 20, 128, /**/ 30, 255, /**/ 40, 255]);
    await rawImage(ga, 2, 2, 2).toColourspace('b-w').png().toFile(file);
    assert.equal((await sharp(file).metadata()).channels, 2, 'fixture really is grey+alpha');
    const img = await decodeImage(file, OPTS);
    assert.equal(img.channels, 1);
    assert.deepEqual([...img.pixels], [10, 20, 30, 40]);
  });

  test('16-bit PNGs (RGB and grey) become 8-bit by keeping the high byte', async () => {
    const rgbFile = join(dir, 'rgb16.png');
    const v = [0, 128 * 257, 0xffff, /**/ 0x12ff, 0x00ff, 0x8000];
    await rawImage(new Uint16Array(v), 2, 1, 3).toColourspace('rgb16').png().toFile(rgbFile);
    assert.equal((await sharp(rgbFile).metadata()).depth, 'ushort', 'fixture really is 16-bit');
    const rgb = await decodeImage(rgbFile, OPTS);
    assert.equal(rgb.channels, 3);
    assert.deepEqual([...rgb.pixels], [0, 128, 255, 0x12, 0, 0x80]);

    const greyFile = join(dir, 'grey16.png');
    await rawImage(new Uint16Array([0x80ff, 0xffff, 0x0180, 7 * 257]), 4, 1, 1)
      .toColourspace('grey16')
      .png()
      .toFile(greyFile);
    const grey = await decodeImage(greyFile, OPTS);
    assert.equal(grey.channels, 1);
    assert.deepEqual([...grey.pixels], [0x80, 0xff, 0x01, 7]);
  });

  test('palette PNG decodes to its RGB colours', async () => {
    const file = join(dir, 'palette.png');
    const colours = Buffer.from([255, 0, 0, /**/ 0, 255, 0, /**/ 0, 0, 255, /**/ 255, 255, 255]);
    await rawImage(colours, 2, 2, 3).png({ palette: true }).toFile(file);
    assert.equal((await sharp(file).metadata()).isPalette, true, 'fixture really is a palette PNG');
    const img = await decodeImage(file, OPTS);
    assert.equal(img.channels, 3);
    assert.deepEqual([...img.pixels], [...colours]);
  });

  test('CMYK JPEG is converted to sRGB', async () => {
    const file = join(dir, 'cmyk.jpg');
    const red = Buffer.alloc(16 * 16 * 3);
    for (let i = 0; i < red.length; i += 3) red[i] = 255;
    await rawImage(red, 16, 16, 3).toColourspace('cmyk').jpeg({ quality: 100 }).toFile(file);
    assert.equal((await sharp(file).metadata()).space, 'cmyk', 'fixture really is CMYK');
    const img = await decodeImage(file, OPTS);
    assert.equal(img.channels, 3);
    const [r, g, b] = take(px(img, 8, 8), 3, 'channels');
    assert.ok(r > 200 && g < 40 && b < 40, `red stays red: [${r}, ${g}, ${b}]`);
  });

  test('WebP (lossless) decodes exactly', async () => {
    const file = join(dir, 'marker.webp');
    await rawImage(markerRaster(), W, H, 3).webp({ lossless: true }).toFile(file);
    const img = await decodeImage(file, OPTS);
    assert.equal(img.format, 'webp');
    assert.deepEqual([img.width, img.height, img.channels], [W, H, 3]);
    assert.ok(Buffer.from(img.pixels).equals(markerRaster()));
  });

  test('TIFF decodes exactly; multi-page TIFF gives the first page', async () => {
    const file = join(dir, 'two-pages.tif');
    // Two pages stacked: page 0 is the marker raster, page 1 is all blue.
    const blue = Buffer.alloc(W * H * 3);
    for (let i = 2; i < blue.length; i += 3) blue[i] = 255;
    await sharp(Buffer.concat([markerRaster(), blue]), { raw: { width: W, height: 2 * H, channels: 3, pageHeight: H } })
      .tiff({ compression: 'lzw' }) // sharp's default TIFF compression is lossy JPEG
      .toFile(file);
    assert.equal((await sharp(file).metadata()).pages, 2, 'fixture really has two pages');
    const img = await decodeImage(file, OPTS);
    assert.equal(img.format, 'tiff');
    assert.deepEqual([img.width, img.height, img.fullWidth, img.fullHeight], [W, H, W, H]);
    assert.ok(Buffer.from(img.pixels).equals(markerRaster()));
  });

  test('AVIF (HEIF with AV1) decodes through sharp', async () => {
    const file = join(dir, 'marker.avif');
    await rawImage(markerRaster(), W, H, 3).avif({ quality: 90, chromaSubsampling: '4:4:4' }).toFile(file);
    const img = await decodeImage(file, OPTS);
    assert.equal(img.format, 'heif');
    assert.deepEqual([img.width, img.height, img.channels], [W, H, 3]);
    assertMarkers(img, 1);
  });
});

describe('decodeImage: orientation and size', () => {
  test('EXIF orientation 6: size swapped, marker rotated 90 degrees clockwise', async () => {
    const img = await decodeImage(await markerJpeg('o6.jpg', 6), OPTS);
    assert.equal(img.orientation, 6);
    assert.deepEqual([img.width, img.height, img.fullWidth, img.fullHeight], [H, W, H, W]);
    // Stored top-left (red) is displayed at the top-right; stored top-right (green) at the bottom-right.
    assertNear(px(img, H - 9, 8), RED, 40, 'red at top-right');
    assertNear(px(img, H - 9, W - 9), GREEN, 40, 'green at bottom-right');
  });

  test('all 8 EXIF orientations put the markers where the displayed frame has them', async () => {
    for (let o = 1; o <= 8; o++) {
      const img = await decodeImage(await markerJpeg(`o${o}.jpg`, o), OPTS);
      assert.equal(img.orientation, o);
      const swapped = o >= 5;
      assert.deepEqual([img.width, img.height], swapped ? [H, W] : [W, H], `orientation ${o}: size`);
      assertMarkers(img, o);
    }
  });

  test('maxSide shrinks the longest oriented side and never enlarges', async () => {
    const small = await decodeImage(COLOUR_JPEG, { ...OPTS, maxSide: 100 });
    assert.deepEqual([small.width, small.height, small.fullWidth, small.fullHeight], [100, 75, 500, 375]);
    assert.equal(small.pixels.length, 100 * 75 * 3);

    const portrait = await decodeImage(await markerJpeg('o6-shrink.jpg', 6), { ...OPTS, maxSide: 48 });
    assert.deepEqual([portrait.width, portrait.height, portrait.fullWidth, portrait.fullHeight], [32, 48, H, W]);
    assertNear(px(portrait, 32 - 5, 4), RED, 60, 'red still top-right after shrink');

    const same = await decodeImage(COLOUR_JPEG, { ...OPTS, maxSide: 10_000 });
    assert.deepEqual([same.width, same.height], [500, 375]);

    const grey = await decodeImage(GREY_JPEG, { ...OPTS, maxSide: 130 });
    assert.deepEqual([grey.width, grey.height, grey.channels], [127, 130, 1]);
  });
});

// --- HEIC --------------------------------------------------------------------------------------

/** heif-enc (Debian package libheif-examples) is the only HEVC encoder around; sharp cannot. */
const heifEnc = spawnSync('heif-enc', ['--help'], { encoding: 'utf8' });
const NO_HEIF_ENC = heifEnc.error
  ? 'heif-enc not found: apt-get install -y libheif-examples to run the HEIC tests'
  : false;
if (NO_HEIF_ENC) console.log(`# SKIP HEIC tests: ${NO_HEIF_ENC}`);

async function heic(source: string, name: string): Promise<string> {
  const out = join(dir, name);
  const run = spawnSync('heif-enc', ['-q', '90', source, '-o', out], { encoding: 'utf8' });
  assert.equal(run.status, 0, `heif-enc failed: ${run.stderr}`);
  return out;
}

interface Box {
  readonly type: string;
  readonly start: number;
  readonly size: number;
}
function boxes(b: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  for (let o = start; o + 8 <= end; ) {
    const size = b.readUInt32BE(o);
    out.push({ type: b.toString('latin1', o + 4, o + 8), start: o, size });
    o += size;
  }
  return out;
}

/**
 * Give the primary image an `irot` (rotation, in steps of 90 degrees anticlockwise) the way
 * iPhones do. heif-enc 1.15 keeps the JPEG's EXIF orientation but writes no irot. In place and
 * size-preserving, so no offsets move: the colr property becomes irot (same property index,
 * same association) and the bytes it frees become a `free` box at the end of ipco.
 * Returns the file unchanged if it already has irot (newer heif-enc), undefined if there is no colr.
 */
function withIrot(b: Buffer, steps: number): Buffer | undefined {
  const find = (list: Box[], type: string) => list.find((x) => x.type === type);
  const meta = find(boxes(b, 0, b.length), 'meta');
  const iprp = meta && find(boxes(b, meta.start + 12, meta.start + meta.size), 'iprp');
  const ipco = iprp && find(boxes(b, iprp.start + 8, iprp.start + iprp.size), 'ipco');
  if (!ipco) return undefined;
  const props = boxes(b, ipco.start + 8, ipco.start + ipco.size);
  if (find(props, 'irot')) return b;
  const colr = find(props, 'colr');
  if (!colr || colr.size < 9 + 8) return undefined;
  const box = (type: string, size: number) => {
    const x = Buffer.alloc(size);
    x.writeUInt32BE(size);
    x.write(type, 4, 'latin1');
    return x;
  };
  const irot = box('irot', 9);
  irot[8] = steps;
  const parts = props.map((p) => (p === colr ? irot : b.subarray(p.start, p.start + p.size)));
  return Buffer.concat([
    b.subarray(0, ipco.start + 8),
    ...parts,
    box('free', colr.size - 9),
    b.subarray(ipco.start + ipco.size),
  ]);
}

describe('decodeImage: HEIC via heic-decode', { skip: NO_HEIF_ENC }, () => {
  test('plain HEIC decodes in full colour with the right size', async () => {
    const png = join(dir, 'heic-src.png');
    await rawImage(markerRaster(), W, H, 3).png().toFile(png);
    const file = await heic(png, 'plain.heic');
    const meta = await sharp(file).metadata();
    assert.deepEqual([meta.format, meta.compression], ['heif', 'hevc'], 'fixture really is HEVC');
    const img = await decodeImage(file, OPTS);
    assert.equal(img.format, 'heif');
    assert.equal(img.orientation, 1);
    assert.deepEqual([img.width, img.height, img.fullWidth, img.fullHeight, img.channels], [W, H, W, H, 3]);
    assertMarkers(img, 1);

    const small = await decodeImage(file, { ...OPTS, maxSide: 48 });
    assert.deepEqual([small.width, small.height, small.fullWidth, small.fullHeight], [48, 32, W, H]);
  });

  test('iPhone-style HEIC (irot + EXIF orientation 6) is rotated exactly once', async () => {
    const encoded = await readFile(await heic(await markerJpeg('heic-o6-src.jpg', 6), 'o6-raw.heic'));
    const patched = withIrot(encoded, 3); // 3 x 90 degrees anticlockwise = EXIF 6 (90 clockwise)
    if (!patched) {
      assert.fail('heif-enc output has neither irot nor a colr box to turn into one: update withIrot');
    }
    // heif-enc 1.15 keeps the JPEG's EXIF orientation; newer ones write irot themselves and may
    // reset EXIF to 1.
    const encoderWroteIrot = patched === encoded;
    const file = join(dir, 'o6.heic');
    await writeFile(file, patched);
    const img = await decodeImage(file, OPTS);
    assert.deepEqual([img.width, img.height, img.fullWidth, img.fullHeight], [H, W, H, W], 'displayed size');
    assertMarkers(img, 6); // once; EXIF applied on top of irot would give 180 degrees
    // The EXIF value is reported as found (for writing sidecars), not applied to the pixels.
    if (encoderWroteIrot) assert.ok([1, 6].includes(img.orientation), `orientation ${img.orientation}`);
    else assert.equal(img.orientation, 6);
  });

  test('truncated HEIC is reported as truncated, and the decoder still works afterwards', async () => {
    const src = join(dir, 'heic-src2.png');
    await rawImage(markerRaster(), W, H, 3).png().toFile(src);
    const good = await heic(src, 'good.heic');
    const bytes = await readFile(good);
    const cut = join(dir, 'cut.heic');
    await writeFile(cut, bytes.subarray(0, bytes.length - 40));
    await assertFails(cut, 'truncated');
    assertMarkers(await decodeImage(good, OPTS), 1);
  });
});

// --- Failures ----------------------------------------------------------------------------------

async function assertFails(file: string, reason: DecodeFailure, options: DecodeOptions = OPTS): Promise<void> {
  await assert.rejects(decodeImage(file, options), (err: unknown) => {
    assert.ok(err instanceof DecodeError, `a DecodeError, got ${String(err)}`);
    assert.equal(err.name, 'DecodeError');
    assert.equal(err.reason, reason, `reason for ${file}: ${err.message}`);
    assert.equal(err.file, file);
    assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
    assert.ok(err.detail.length > 0);
    return true;
  });
  // A failure leaves nothing broken behind.
  const ok = await decodeImage(COLOUR_JPEG, OPTS);
  assert.deepEqual([ok.width, ok.height], [500, 375]);
}

describe('decodeImage: failures are DecodeErrors naming the file', () => {
  test('zero-byte file -> empty', async () => {
    const file = join(dir, 'zero.jpg');
    await writeFile(file, '');
    await assertFails(file, 'empty');
  });

  test('truncated JPEG -> truncated', async () => {
    const bytes = await readFile(COLOUR_JPEG);
    const file = join(dir, 'half.jpg');
    await writeFile(file, bytes.subarray(0, bytes.length >> 1));
    await assertFails(file, 'truncated');
    const stub = join(dir, 'stub.jpg'); // cut inside the header
    await writeFile(stub, bytes.subarray(0, 100));
    await assertFails(stub, 'truncated');
  });

  test('truncated PNG -> truncated; PNG with damaged data but complete -> corrupt', async () => {
    const png = await sharp(COLOUR_JPEG).png().toBuffer();
    const half = join(dir, 'half.png');
    await writeFile(half, png.subarray(0, png.length >> 1));
    await assertFails(half, 'truncated');

    const damaged = Buffer.from(png);
    for (let i = png.length >> 1; i < (png.length >> 1) + 64; i++) damaged.writeUInt8(damaged.readUInt8(i) ^ 0x5a, i);
    const file = join(dir, 'damaged.png');
    await writeFile(file, damaged);
    await assertFails(file, 'corrupt');
  });

  test('truncated WebP and TIFF -> truncated', async () => {
    for (const [name, bytes] of [
      ['half.webp', await sharp(COLOUR_JPEG).webp().toBuffer()],
      ['half.tif', await sharp(COLOUR_JPEG).tiff({ compression: 'lzw' }).toBuffer()],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, bytes.subarray(0, bytes.length >> 1));
      await assertFails(file, 'truncated');
    }
  });

  test('garbage bytes and a text file named .jpg -> unsupported', async () => {
    const garbage = Buffer.alloc(4096);
    let s = 12345;
    for (let i = 0; i < garbage.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      garbage[i] = s >>> 24;
    }
    const g = join(dir, 'garbage.jpg');
    await writeFile(g, garbage);
    await assertFails(g, 'unsupported');

    const t = join(dir, 'notes.jpg');
    await writeFile(t, 'These are not the pixels you are looking for.\n'.repeat(50));
    await assertFails(t, 'unsupported');
  });

  test('more pixels than maxPixels -> too-large', async () => {
    await assertFails(COLOUR_JPEG, 'too-large', { maxPixels: 500 * 375 - 1 });
    const ok = await decodeImage(COLOUR_JPEG, { maxPixels: 500 * 375 });
    assert.equal(ok.width, 500);
  });

  test('missing file, directory -> unreadable', async () => {
    await assertFails(join(dir, 'does-not-exist.jpg'), 'unreadable');
    const sub = join(dir, 'folder.jpg');
    await mkdir(sub);
    await assertFails(sub, 'unreadable');
  });

  test('bad options are a RangeError (a caller bug), not a DecodeError', async () => {
    await assert.rejects(decodeImage(COLOUR_JPEG, { maxPixels: 0 }), RangeError);
    await assert.rejects(decodeImage(COLOUR_JPEG, { maxPixels: 1e6, maxSide: 0.5 }), RangeError);
  });
});

test('a file this process may not read -> unreadable', async (t) => {
  if (!modesBind()) return rerunWhereModesBind(import.meta.url, t.name);
  const locked = join(await tmpDir('facetag-decode-locked-'), 'locked.jpg');
  await writeFile(locked, await readFile(COLOUR_JPEG));
  await chmod(locked, 0);
  await assertFails(locked, 'unreadable');
  await rm(dirname(locked), { recursive: true, force: true });
});

test('isSupportedImagePath: photo extensions in any case, nothing else', () => {
  for (const p of ['a.jpg', 'b.JPEG', 'c.png', 'd.WebP', 'e.tif', 'f.TIFF', '/x/IMG_0001.HEIC', 'g.heif']) {
    assert.ok(isSupportedImagePath(p), p);
  }
  for (const p of ['a.gif', 'b.jpg.xmp', 'c.txt', 'noext', '/dir.jpg/file', '.jpg']) {
    assert.ok(!isSupportedImagePath(p), p);
  }
});
