/**
 * The XMP namespaces the sidecar writer reads and writes. Properties are always matched by
 * namespace URI + local name, never by prefix: other tools may bind other prefixes.
 */
export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  x: 'adobe:ns:meta/',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  dc: 'http://purl.org/dc/elements/1.1/',
  lr: 'http://ns.adobe.com/lightroom/1.0/',
  digiKam: 'http://www.digikam.org/ns/1.0/',
  MicrosoftPhoto: 'http://ns.microsoft.com/photo/1.0/',
  mediapro: 'http://ns.iview-multimedia.com/mediapro/1.0/',
  Iptc4xmpExt: 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/',
  tiff: 'http://ns.adobe.com/tiff/1.0/',
  mwgRs: 'http://www.metadataworkinggroup.com/schemas/regions/',
  stDim: 'http://ns.adobe.com/xap/1.0/sType/Dimensions#',
  stArea: 'http://ns.adobe.com/xmp/sType/Area#',
  MP: 'http://ns.microsoft.com/photo/1.2/',
  MPRI: 'http://ns.microsoft.com/photo/1.2/t/RegionInfo#',
  MPReg: 'http://ns.microsoft.com/photo/1.2/t/Region#',
  /** Ours: the record of what facetag wrote into this sidecar (see provenance.ts). */
  facetag: 'urn:facetag:xmp:1.0/',
} as const;

/** The prefix we declare for a namespace when the document has none bound to it yet. */
export const PREFERRED_PREFIX: Readonly<Record<string, string>> = {
  [NS.rdf]: 'rdf',
  [NS.x]: 'x',
  [NS.dc]: 'dc',
  [NS.lr]: 'lr',
  [NS.digiKam]: 'digiKam',
  [NS.MicrosoftPhoto]: 'MicrosoftPhoto',
  [NS.mediapro]: 'mediapro',
  [NS.Iptc4xmpExt]: 'Iptc4xmpExt',
  [NS.tiff]: 'tiff',
  [NS.mwgRs]: 'mwg-rs',
  [NS.stDim]: 'stDim',
  [NS.stArea]: 'stArea',
  [NS.MP]: 'MP',
  [NS.MPRI]: 'MPRI',
  [NS.MPReg]: 'MPReg',
  [NS.facetag]: 'facetag',
};
