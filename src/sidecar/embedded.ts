/**
 * The photo's own metadata, read without changing it: the XMP packet embedded in a JPEG (APP1),
 * a PNG (iTXt) or any other file (a packet scan), and a JPEG's IPTC keywords (APP13). A sidecar
 * facetag starts is a copy of it (spec §3.2), and an existing one takes what it lacks from it.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';

/** Raw files can be large; their XMP is normally near the start, but scan this far at most. */
const MAX_SCAN = 512 * 1024 * 1024;

/** The photo's embedded XMP and IPTC keywords. Opens the photo read-only; never writes to it. */
export async function readEmbeddedMetadata(photoPath: string): Promise<EmbeddedMetadata> {
  const handle = await open(photoPath, 'r');
  try {
    const { size } = await handle.stat();
    return await readEmbeddedFrom(fileSource(handle, size));
  } finally {
    await handle.close();
  }
}

/** The same, over any byte source; the format is sniffed from the first bytes. */
export async function readEmbeddedFrom(src: ByteSource): Promise<EmbeddedMetadata> {
  const magic = await src.read(0, 8);
  if (magic[0] === 0xff && magic[1] === 0xd8) return readJpegMetadata(src);
  if (magic.toString('latin1', 1, 4) === 'PNG') return { xmp: await readPngXmp(src), iptcKeywords: [] };
  return { xmp: await scanForXmp(src, MAX_SCAN), iptcKeywords: [] };
}

/** Random-access reads over a photo's bytes (a file, or a buffer in tests). Read-only by construction. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer at the end of the data). */
  read(position: number, length: number): Promise<Buffer>;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buf.length,
    read: async (position, length) =>
      buf.subarray(Math.min(position, buf.length), Math.min(position + length, buf.length)),
  };
}

function fileSource(handle: FileHandle, size: number): ByteSource {
  return {
    size,
    read: async (position, length) => {
      const n = Math.max(0, Math.min(length, size - position));
      const buf = Buffer.alloc(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await handle.read(buf, done, n - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
  };
}

const XMP_HEADER = 'http://ns.adobe.com/xap/1.0/\0';
const PHOTOSHOP_HEADER = 'Photoshop 3.0\0';
const MAX_SEGMENTS = 10_000;

export interface EmbeddedMetadata {
  /** The main XMP packet, as text. */
  readonly xmp: string | undefined;
  readonly iptcKeywords: readonly string[];
}

/**
 * XMP (APP1 with Adobe's XMP header) and IPTC keywords (APP13) of a JPEG, reading only the
 * marker segments before the image data. Extended XMP (a second APP1 kind, for large payloads
 * such as depth maps) is not merged in: galleries do not keep person data there.
 */
async function readJpegMetadata(src: ByteSource): Promise<EmbeddedMetadata> {
  let xmp: string | undefined;
  const irb: Buffer[] = [];
  let pos = 2;
  for (let n = 0; n < MAX_SEGMENTS && pos + 4 <= src.size; n++) {
    const head = await src.read(pos, 4);
    if (head[0] !== 0xff) break;
    const marker = head[1] ?? 0;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    // Standalone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
    const length = head.readUInt16BE(2);
    if (length < 2) break;
    if (marker === 0xe1 || marker === 0xed) {
      const payload = await src.read(pos + 4, length - 2);
      if (marker === 0xe1 && xmp === undefined && startsWith(payload, XMP_HEADER)) {
        xmp = payload.subarray(XMP_HEADER.length).toString('utf8');
      } else if (marker === 0xed && startsWith(payload, PHOTOSHOP_HEADER)) {
        irb.push(payload.subarray(PHOTOSHOP_HEADER.length));
      }
    }
    pos += 2 + length;
  }
  return { xmp, iptcKeywords: irb.length > 0 ? iptcKeywordsFromIrb(Buffer.concat(irb)) : [] };
}

function startsWith(buf: Buffer, text: string): boolean {
  return buf.length >= text.length && buf.toString('latin1', 0, text.length) === text;
}

const XMP_KEYWORD = 'XML:com.adobe.xmp';
const MAX_XMP_BYTES = 16 * 1024 * 1024;

/** The XMP packet of a PNG (an iTXt chunk keyed "XML:com.adobe.xmp"); image data is skipped, not read. */
async function readPngXmp(src: ByteSource): Promise<string | undefined> {
  let pos = 8;
  while (pos + 8 <= src.size) {
    const head = await src.read(pos, 8);
    const length = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (type === 'IEND') break;
    if (type === 'iTXt' && length <= MAX_XMP_BYTES) {
      const text = parseItxt(await src.read(pos + 8, length));
      if (text !== undefined) return text;
    }
    pos += 12 + length;
  }
  return undefined;
}

/** keyword\0 compressionFlag compressionMethod languageTag\0 translatedKeyword\0 text */
function parseItxt(data: Buffer): string | undefined {
  const k = data.indexOf(0);
  if (k < 0 || data.toString('latin1', 0, k) !== XMP_KEYWORD) return undefined;
  const compressed = data[k + 1] === 1;
  const lang = data.indexOf(0, k + 3);
  const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
  if (translated < 0) return undefined;
  const body = data.subarray(translated + 1);
  try {
    return (compressed ? inflateSync(body, { maxOutputLength: MAX_XMP_BYTES }) : body).toString('utf8');
  } catch {
    return undefined;
  }
}

// ---- IPTC ----
/*
 * IPTC keywords (IIM record 2, dataset 25) from a Photoshop image resource block (JPEG APP13),
 * so a sidecar we start carries them into dc:subject (spec §3.2 step 2).
 */

const RESOURCE_IPTC = 0x0404;

/** The keywords in a Photoshop IRB (the APP13 payload after "Photoshop 3.0\0"). */
function iptcKeywordsFromIrb(irb: Uint8Array): string[] {
  const buf = Buffer.from(irb.buffer, irb.byteOffset, irb.byteLength);
  const keywords: string[] = [];
  let pos = 0;
  while (pos + 12 <= buf.length) {
    if (buf.toString('latin1', pos, pos + 4) !== '8BIM') break;
    const id = buf.readUInt16BE(pos + 4);
    const nameLen = buf[pos + 6] ?? 0;
    // The Pascal name (length byte + text) is padded to an even size.
    let p = pos + 6 + ((nameLen + 2) & ~1);
    if (p + 4 > buf.length) break;
    const size = buf.readUInt32BE(p);
    p += 4;
    if (p + size > buf.length) break;
    if (id === RESOURCE_IPTC) keywords.push(...iimKeywords(buf.subarray(p, p + size)));
    pos = p + size + (size & 1);
  }
  return keywords;
}

/** Keywords from IIM datasets; UTF-8 when declared (1:90) or when the bytes are valid UTF-8. */
export function iimKeywords(iim: Buffer): string[] {
  const raw: Buffer[] = [];
  let utf8Declared = false;
  let pos = 0;
  while (pos + 5 <= iim.length && iim[pos] === 0x1c) {
    const record = iim[pos + 1];
    const dataset = iim[pos + 2];
    let size = iim.readUInt16BE(pos + 3);
    let p = pos + 5;
    if (size & 0x8000) {
      // Extended dataset: the low bits say how many bytes hold the length.
      const lenBytes = size & 0x7fff;
      if (lenBytes > 4 || p + lenBytes > iim.length) break;
      size = 0;
      for (let i = 0; i < lenBytes; i++) size = size * 256 + (iim[p + i] ?? 0);
      p += lenBytes;
    }
    if (p + size > iim.length) break;
    const data = iim.subarray(p, p + size);
    if (record === 1 && dataset === 90 && data.equals(Buffer.from([0x1b, 0x25, 0x47]))) utf8Declared = true;
    if (record === 2 && dataset === 25) raw.push(data);
    pos = p + size;
  }
  const strict = new TextDecoder('utf-8', { fatal: true });
  return raw
    .map((data) => {
      if (utf8Declared) return data.toString('utf8');
      try {
        return strict.decode(data);
      } catch {
        return data.toString('latin1');
      }
    })
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

const CHUNK = 1 << 20;
const MAX_PACKET = 16 * 1024 * 1024;
const START = Buffer.from('<x:xmpmeta', 'latin1');
const END = Buffer.from('</x:xmpmeta>', 'latin1');

/**
 * The first XMP packet found by scanning the bytes, for containers whose XMP is stored as plain
 * text (TIFF, DNG and most raw formats, HEIC, WebP, GIF...). Reads 1 MiB at a time.
 */
async function scanForXmp(src: ByteSource, maxScan: number): Promise<string | undefined> {
  const limit = Math.min(src.size, maxScan);
  let start = -1;
  for (let pos = 0; pos < limit && start < 0; pos += CHUNK - START.length) {
    const chunk = await src.read(pos, CHUNK);
    const at = chunk.indexOf(START);
    if (at >= 0) start = pos + at;
    if (chunk.length < CHUNK) break;
  }
  if (start < 0) return undefined;
  const window = await src.read(start, MAX_PACKET);
  const end = window.indexOf(END);
  if (end < 0) return undefined;
  return window.subarray(0, end + END.length).toString('utf8');
}
