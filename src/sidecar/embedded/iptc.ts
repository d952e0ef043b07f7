/**
 * IPTC keywords (IIM record 2, dataset 25) from a Photoshop image resource block (JPEG APP13),
 * so a sidecar we start carries them into dc:subject (spec §3.2 step 2).
 */

const RESOURCE_IPTC = 0x0404;

/** The keywords in a Photoshop IRB (the APP13 payload after "Photoshop 3.0\0"). */
export function iptcKeywordsFromIrb(irb: Uint8Array): string[] {
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
