import { inflateSync } from 'node:zlib';
import type { ByteSource } from './byte-source.js';

const XMP_KEYWORD = 'XML:com.adobe.xmp';
const MAX_XMP_BYTES = 16 * 1024 * 1024;

/** The XMP packet of a PNG (an iTXt chunk keyed "XML:com.adobe.xmp"); image data is skipped, not read. */
export async function readPngXmp(src: ByteSource): Promise<string | undefined> {
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
