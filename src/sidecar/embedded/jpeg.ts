import type { ByteSource } from './byte-source.js';
import { iptcKeywordsFromIrb } from './iptc.js';

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
export async function readJpegMetadata(src: ByteSource): Promise<EmbeddedMetadata> {
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
