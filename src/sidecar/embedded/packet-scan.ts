import type { ByteSource } from './byte-source.js';

const CHUNK = 1 << 20;
const MAX_PACKET = 16 * 1024 * 1024;
const START = Buffer.from('<x:xmpmeta', 'latin1');
const END = Buffer.from('</x:xmpmeta>', 'latin1');

/**
 * The first XMP packet found by scanning the bytes, for containers whose XMP is stored as plain
 * text (TIFF, DNG and most raw formats, HEIC, WebP, GIF...). Reads 1 MiB at a time.
 */
export async function scanForXmp(src: ByteSource, maxScan: number): Promise<string | undefined> {
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
