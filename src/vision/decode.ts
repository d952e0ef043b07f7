/**
 * Image decoding: the only place that decodes with sharp. Turns a file into 8-bit, displayed-frame
 * (EXIF-oriented) pixels, 1 channel for grey sources and 3 (sRGB) for everything else, or a
 * DecodeError saying why not.
 *
 * Prebuilt sharp reads HEIC headers but has no HEVC decoder, so HEVC-coded HEIF goes through the
 * wasm `heic-decode` and its RGBA is fed back into sharp as raw input for the shared tail of the
 * pipeline (resize, alpha, colour space).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { errnoCode } from '../files/errno.js';
import { exifOrientation, exifTakenAt } from './exif.js';

export type DecodeFailure = 'empty' | 'truncated' | 'corrupt' | 'unsupported' | 'too-large' | 'unreadable';

const REASON_TEXT: Record<DecodeFailure, string> = {
  empty: 'empty file',
  // Also what a file still being copied into the library looks like, so callers may retry later.
  truncated: 'truncated image',
  corrupt: 'corrupt image data',
  unsupported: 'unsupported or unrecognised image format',
  'too-large': 'image too large',
  unreadable: 'cannot read file',
};

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly file: string,
    readonly reason: DecodeFailure,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(`${file}: ${REASON_TEXT[reason]} (${detail})`, cause === undefined ? undefined : { cause });
  }
}

export interface DecodeOptions {
  /** Reject images with more pixels than this (sharp limitInputPixels). */
  readonly maxPixels: number;
  /** If set, downscale so the longest ORIENTED side is at most this (JPEG shrink-on-load applies). */
  readonly maxSide?: number;
}

export interface DecodedImage {
  readonly file: string;
  /** sharp's format name: 'jpeg' | 'png' | 'webp' | 'tiff' | 'heif' ... */
  readonly format: string;
  /**
   * EXIF orientation 1..8 as found in the file (1 when absent). Informational: `pixels` are
   * already in the displayed frame. For HEIF the container's irot/imir decide the displayed frame
   * (libheif applies them) and the EXIF value is not applied on top; in camera files the two agree.
   */
  readonly orientation: number;
  /** When the photo was taken (EXIF wall-clock time as UTC ms, vision/exif.ts), or null. */
  readonly takenAt: number | null;
  /** Oriented (displayed) size of the full-resolution image. */
  readonly fullWidth: number;
  readonly fullHeight: number;
  /** Size of `pixels` (oriented; smaller than full when maxSide applied). */
  readonly width: number;
  readonly height: number;
  /** Grey sources stay 1 channel, everything else is 3 (RGB). */
  readonly channels: 1 | 3;
  /** Interleaved 8-bit, row-major. */
  readonly pixels: Uint8Array;
}

export { isSupportedImagePath } from '../files/image-types.js';

/** Decode `file` to oriented 8-bit pixels. Every failure to do so is a DecodeError naming the file. */
export async function decodeImage(file: string, options: DecodeOptions): Promise<DecodedImage> {
  checkOptions(options);
  const bytes = await readInput(file);
  try {
    return await decodeBytes(file, bytes, options);
  } catch (err) {
    throw err instanceof DecodeError ? err : classifyFailure(file, bytes, err);
  }
}

// ---------------------------------------------------------------------------------------------

/** Bad options are a programming error, not a property of the file: RangeError, not DecodeError. */
function checkOptions({ maxPixels, maxSide }: DecodeOptions): void {
  if (!Number.isSafeInteger(maxPixels) || maxPixels < 1) {
    throw new RangeError(`decodeImage: maxPixels must be a positive integer, got ${maxPixels}`);
  }
  if (maxSide !== undefined && (!Number.isSafeInteger(maxSide) || maxSide < 1 || maxSide > 100_000_000)) {
    throw new RangeError(`decodeImage: maxSide must be an integer in 1..1e8, got ${maxSide}`);
  }
}

/**
 * Read the whole file ourselves rather than give sharp the path: file-system failures then come
 * with an errno code instead of a libvips message, an empty file is obvious, and the HEIC path
 * and the failure classifier need the bytes anyway.
 */
async function readInput(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = errnoCode(err);
    // Node refuses files over 2 GiB; no photo is that big, so call it a size problem.
    const reason = code === 'ERR_FS_FILE_TOO_LARGE' ? 'too-large' : 'unreadable';
    // Node's text is "ENOENT: no such file or directory, open '<file>'": drop the repeated path.
    // (split with a non-empty separator always yields at least one part.)
    throw new DecodeError(file, reason, messageOf(err).split(', ')[0]!, err);
  }
  if (bytes.length === 0) throw new DecodeError(file, 'empty', '0 bytes');
  return bytes;
}

const WHITE = { r: 255, g: 255, b: 255 };

type Pixels = Pick<DecodedImage, 'width' | 'height' | 'channels' | 'pixels'>;

async function decodeBytes(file: string, bytes: Buffer, options: DecodeOptions): Promise<DecodedImage> {
  // Explicit on every sharp input: the pixel cap (decompression bombs), and fail on truncated data
  // rather than return a grey-filled bottom, while tolerating recoverable scan-data warnings.
  // First page/frame only for multi-page TIFF, animated WebP and the like.
  const input: SharpOptions = { limitInputPixels: options.maxPixels, failOn: 'truncated', page: 0, pages: 1 };
  // Header only (~1 ms); enforces limitInputPixels before any pixel is decoded.
  const meta = await sharp(bytes, input).metadata();
  const grey = meta.space === 'b-w' || meta.space === 'grey16';
  const takenAt = exifTakenAt(meta.exif);

  if (meta.format === 'heif') {
    // libvips drops EXIF orientation for HEIF because libheif applies irot/imir itself.
    const orientation = validOrientation(exifOrientation(meta.exif));
    // Prebuilt sharp decodes only AV1 ('bad seek' on HEVC); anything else goes to heic-decode.
    if (meta.compression !== 'av1') {
      const rgba = await decodeHevc(bytes, meta.pagePrimary ?? 0);
      const raw = sharp(rgba.data, { ...input, raw: { width: rgba.width, height: rgba.height, channels: 4 } });
      // No autoOrient here: heic-decode output is already in the displayed frame.
      const pixels = await toPixels(raw, grey, options.maxSide);
      return {
        file,
        format: meta.format,
        orientation,
        takenAt,
        fullWidth: rgba.width,
        fullHeight: rgba.height,
        ...pixels,
      };
    }
    // AVIF: sharp's bundled libheif (aom) decodes it, applying irot/imir itself.
    const pixels = await toPixels(sharp(bytes, input), grey, options.maxSide);
    return {
      file,
      format: meta.format,
      orientation,
      takenAt,
      fullWidth: meta.width,
      fullHeight: meta.height,
      ...pixels,
    };
  }

  const pixels = await toPixels(sharp(bytes, { ...input, autoOrient: true }), grey, options.maxSide);
  return {
    file,
    format: meta.format,
    orientation: validOrientation(meta.orientation),
    takenAt,
    fullWidth: meta.autoOrient.width,
    fullHeight: meta.autoOrient.height,
    ...pixels,
  };
}

/** The shared tail: optional shrink, alpha removal, 8-bit sRGB, grey back to one channel. */
async function toPixels(image: Sharp, grey: boolean, maxSide: number | undefined): Promise<Pixels> {
  let img = image;
  if (maxSide !== undefined) {
    // A square box bounds the longest side whatever the orientation; on JPEG, sharp picks the
    // libjpeg shrink-on-load factor from this target. fastShrinkOnLoad would round the short side
    // down after the shrink (500x375 -> 100x74), skewing the box mapping back to full size.
    img = img.resize({
      width: maxSide,
      height: maxSide,
      fit: 'inside',
      withoutEnlargement: true,
      fastShrinkOnLoad: false,
    });
  }
  // As the seed (skimage) does: RGBA is blended onto white (rgba2rgb), grey+alpha keeps only the
  // grey channel. flatten() is a no-op without alpha.
  img = grey ? img.removeAlpha() : img.flatten({ background: WHITE });
  // One conversion covers CMYK (via the embedded or a default profile), palettes, ICC-tagged RGB
  // and 16-bit input (high byte kept: 0x12FF -> 0x12). Grey 16-bit is also shifted exactly here,
  // whereas toColourspace('b-w') on grey16 rounds; so go via sRGB and take channel 0 back.
  img = img.toColourspace('srgb');
  if (grey) img = img.extractChannel(0);
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const channels = info.channels;
  if (channels !== 1 && channels !== 3) throw new Error(`unexpected ${channels}-channel output`);
  // A plain Uint8Array view: Buffer's slice() shares memory where Uint8Array's copies.
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { width: info.width, height: info.height, channels, pixels };
}

// --- HEIC (HEVC) via heic-decode --------------------------------------------------------------

interface HeicFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray; // RGBA
}
interface HeicImage {
  readonly width: number;
  readonly height: number;
  decode(): Promise<HeicFrame>;
}
interface HeicDecode {
  all(input: { buffer: Uint8Array }): Promise<HeicImage[] & { dispose(): void }>;
}

let heicDecoder: HeicDecode | undefined;

/** Loaded on first use: the package is CommonJS without types, and its wasm bundle is ~2 MB. */
function heicDecode(): HeicDecode {
  heicDecoder ??= createRequire(import.meta.url)('heic-decode') as HeicDecode;
  return heicDecoder;
}

/**
 * Decode the primary image. heic-decode lists libheif's top-level images, the same list whose
 * index sharp reports as pagePrimary, so pick that one rather than blindly the first.
 * libheif applies the irot/imir/clap transforms, so the result is in the displayed frame.
 */
async function decodeHevc(bytes: Buffer, primary: number): Promise<HeicFrame> {
  return quietStdout(async () => {
    const images = await heicDecode().all({ buffer: bytes });
    try {
      const image = images[primary] ?? images[0];
      if (!image) throw new Error('HEIF image not found');
      return await image.decode();
    } finally {
      images.dispose();
    }
  });
}

/**
 * heic-decode reports failures with console.log, which would land in `--json` output on
 * stdout. Send whatever it prints to stderr while it runs; the error still reaches us.
 */
async function quietStdout<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

// --- Pure helpers -----------------------------------------------------------------------------

function validOrientation(value: number | undefined): number {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= 8 ? value : 1;
}

/** Map whatever sharp or heic-decode threw to a DecodeError; sharp only gives us message text. */
function classifyFailure(file: string, bytes: Uint8Array, err: unknown): DecodeError {
  const message = messageOf(err);
  const detail = summarise(message);
  if (/exceeds pixel limit/i.test(message)) return new DecodeError(file, 'too-large', detail, err);
  // The messages cannot tell truncation from corruption (a cut PNG and a bad CRC are both
  // "libpng read error"), so look at the file's own structure where the format allows it.
  const cut = looksTruncated(bytes);
  // sharp: "Input buffer contains unsupported image format" (also said of a TIFF cut before its
  // first IFD); heic-decode: "input buffer is not a HEIC image" (a HEIF brand it does not know).
  if (/unsupported image format|not a HEIC image/i.test(message) && cut !== true) {
    return new DecodeError(file, 'unsupported', detail, err);
  }
  const truncated = cut ?? /premature end|truncat|unexpected end|end of (file|data)/i.test(message);
  return new DecodeError(file, truncated ? 'truncated' : 'corrupt', detail, err);
}

/** true/false when the container says whether the file is complete; undefined when it cannot. */
function looksTruncated(bytes: Uint8Array): boolean | undefined {
  const n = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (n >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return !(bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9); // JPEG ends with EOI
  }
  if (n >= 8 && view.getUint32(0) === 0x89504e47 && view.getUint32(4) === 0x0d0a1a0a) {
    return n < 12 || ascii(bytes, n - 8, n - 4) !== 'IEND'; // PNG ends with the IEND chunk
  }
  if (n >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') {
    return view.getUint32(4, true) + 8 > n; // RIFF header carries the file size
  }
  if (n >= 8 && ascii(bytes, 4, 8) === 'ftyp') return !boxesFit(view); // HEIF/AVIF (ISO BMFF)
  if (n >= 8 && (ascii(bytes, 0, 4) === 'II*\0' || ascii(bytes, 0, 4) === 'MM\0*')) {
    return view.getUint32(4, bytes[0] === 0x49) + 2 > n; // first IFD (often written last) is missing
  }
  return undefined;
}

/** Whether the top-level ISO BMFF boxes all end within the file. */
function boxesFit(view: DataView): boolean {
  let offset = 0;
  while (offset + 8 <= view.byteLength) {
    const size32 = view.getUint32(offset);
    if (size32 === 0) return true; // box runs to end of file
    const size = size32 === 1 && offset + 16 <= view.byteLength ? Number(view.getBigUint64(offset + 8)) : size32;
    if (size < 8) return false;
    offset += size;
  }
  return offset === view.byteLength;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** libvips repeats lines and adds prefixes; keep distinct non-empty lines, bounded in length. */
function summarise(message: string): string {
  const lines = [
    ...new Set(
      message
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
  ];
  const text = lines.join('; ') || 'no detail';
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Decode a grey PNG (a stored chip) to raw 8-bit pixels, one channel. */
export async function decodeGreyPng(png: Uint8Array): Promise<{ width: number; height: number; pixels: Uint8Array }> {
  const { data, info } = await sharp(png, { failOn: 'error' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`chip PNG decoded to ${info.channels} channels, expected 1`);
  return { width: info.width, height: info.height, pixels: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
