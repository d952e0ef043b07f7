import { open } from 'node:fs/promises';
import { type ByteSource, fileSource } from './byte-source.js';
import { type EmbeddedMetadata, readJpegMetadata } from './jpeg.js';
import { scanForXmp } from './packet-scan.js';
import { readPngXmp } from './png.js';

export type { EmbeddedMetadata } from './jpeg.js';

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
