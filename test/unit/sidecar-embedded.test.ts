import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { bufferSource, iimKeywords, readEmbeddedFrom } from '../../src/sidecar/embedded.js';

const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>';

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

function iimDataset(record: number, dataset: number, data: Buffer): Buffer {
  const head = Buffer.from([0x1c, record, dataset, 0, 0]);
  head.writeUInt16BE(data.length, 3);
  return Buffer.concat([head, data]);
}

function photoshopIrb(iim: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(iim.length);
  // "8BIM", id 0x0404, empty Pascal name padded to 2 bytes, size, data padded to even.
  const pad = iim.length % 2 ? Buffer.from([0]) : Buffer.alloc(0);
  return Buffer.concat([
    Buffer.from('Photoshop 3.0\0', 'latin1'),
    Buffer.from('8BIM', 'latin1'),
    Buffer.from([4, 4, 0, 0]),
    size,
    iim,
    pad,
  ]);
}

test('JPEG: the XMP packet from APP1 and IPTC keywords from APP13; EXIF APP1 and image data are not XMP', async () => {
  const iim = Buffer.concat([
    iimDataset(1, 90, Buffer.from([0x1b, 0x25, 0x47])),
    iimDataset(2, 25, Buffer.from('holiday', 'utf8')),
    iimDataset(2, 25, Buffer.from('Zoë', 'utf8')),
  ]);
  const jpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01', 'latin1')),
    segment(0xe1, Buffer.from('Exif\0\0MM\0*', 'latin1')),
    segment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(XMP, 'utf8')])),
    segment(0xed, photoshopIrb(iim)),
    Buffer.from([0xff, 0xda, 0, 2]),
    // Scan data that happens to contain an XMP-looking string must not be read.
    Buffer.from('<x:xmpmeta>decoy</x:xmpmeta>', 'latin1'),
    Buffer.from([0xff, 0xd9]),
  ]);
  const got = await readEmbeddedFrom(bufferSource(jpeg));
  assert.equal(got.xmp, XMP);
  assert.deepEqual(got.iptcKeywords, ['holiday', 'Zoë']);
});

test('JPEG without XMP gives nothing; a truncated file does not throw', async () => {
  const bare = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0', 'latin1')),
    Buffer.from([0xff, 0xda]),
  ]);
  assert.deepEqual(await readEmbeddedFrom(bufferSource(bare)), { xmp: undefined, iptcKeywords: [] });
  const truncated = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x40, 0x00, 0x68]);
  assert.equal((await readEmbeddedFrom(bufferSource(truncated))).xmp, undefined);
});

test('IPTC keywords without a declared charset: UTF-8 when valid, else Latin-1', () => {
  const iim = Buffer.concat([
    iimDataset(2, 25, Buffer.from('café', 'utf8')),
    iimDataset(2, 25, Buffer.from([0x63, 0x61, 0x66, 0xe9])),
  ]);
  assert.deepEqual(iimKeywords(iim), ['café', 'café']);
});

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}

test('PNG: iTXt "XML:com.adobe.xmp", plain or compressed', async () => {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = pngChunk('IHDR', Buffer.alloc(13));
  const itxt = (compressed: boolean) =>
    pngChunk(
      'iTXt',
      Buffer.concat([
        Buffer.from('XML:com.adobe.xmp\0', 'latin1'),
        Buffer.from([compressed ? 1 : 0, 0]),
        Buffer.from('\0\0', 'latin1'),
        compressed ? deflateSync(Buffer.from(XMP, 'utf8')) : Buffer.from(XMP, 'utf8'),
      ]),
    );
  for (const compressed of [false, true]) {
    const png = Buffer.concat([
      sig,
      ihdr,
      pngChunk('IDAT', Buffer.alloc(50)),
      itxt(compressed),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
    assert.equal((await readEmbeddedFrom(bufferSource(png))).xmp, XMP, `compressed: ${compressed}`);
  }
});

test('other containers (TIFF, raw, HEIC...): the packet is found by scanning', async () => {
  const tiff = Buffer.concat([
    Buffer.from('II*\0', 'latin1'),
    Buffer.alloc(3 << 20),
    Buffer.from(XMP, 'utf8'),
    Buffer.alloc(100),
  ]);
  assert.equal((await readEmbeddedFrom(bufferSource(tiff))).xmp, XMP);
  assert.equal((await readEmbeddedFrom(bufferSource(Buffer.from('II*\0 no packet here', 'latin1')))).xmp, undefined);
});
