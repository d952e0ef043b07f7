import type { Element } from '@xmldom/xmldom';
import { formatReal } from './face-area.js';
import { KEYWORD_FIELD_NAMES, type KeywordField } from './keywords.js';
import { NS } from './namespaces.js';
import type { NormalizedArea } from './orientation.js';
import {
  arrayContainer,
  arrayItems,
  arrayValues,
  fieldHolders,
  findField,
  findStructField,
  findTopProp,
  type RdfProp,
  textOf,
} from './rdf.js';
import type { NodeBuilder } from './xml-dom.js';

/**
 * facetag's record of what it wrote into a sidecar: our regions (face id, name, area) and every
 * keyword entry we added, per field. It lives in our own namespace as one struct,
 * `facetag:Written`, next to the standard fields. Galleries and toolkits keep unknown namespaces
 * (the spec checked exiftool and darktable; exiv2 and digiKam keep them too), and no gallery reads
 * it, so the regions themselves stay plain MWG/MP that every reader knows. The spec leaves open
 * whether an `mwg-rs:Extensions` inside a region upsets a gallery's writer, so we do not use one.
 *
 * Field names start with "Written" once exiftool flattens the struct (WrittenRegionsName,
 * WrittenOrientation...), so they never shadow a standard tag such as Subject or Orientation in
 * a reader that drops group names (Immich, through exiftool-vendored).
 */

export interface RegionRecord {
  readonly faceId: number;
  readonly name: string;
  /** The MWG area we wrote (centre-based, stored frame). */
  readonly area: NormalizedArea;
}

export interface Provenance {
  readonly regions: readonly RegionRecord[];
  readonly keywords: Readonly<Record<KeywordField, readonly string[]>>;
  /**
   * Per keyword field we created: the user's keywords we seeded it with (keyword-edit.ts). The
   * field goes with our last entry if it still holds just these; kept only while we own entries.
   */
  readonly seeded: Readonly<Record<KeywordField, readonly string[]>>;
  /** The tiff:Orientation value we wrote, if we wrote it. */
  readonly orientation: string | undefined;
  /** The AppliedToDimensions we wrote, as "W×H" pixels, if we wrote them. */
  readonly appliedToDimensions: string | undefined;
  /**
   * Set when facetag created the sidecar: the residueDigest of what it would hold without our
   * additions. Not content of its own: a record with only this is not written.
   */
  readonly created: string | undefined;
}

const KEYWORD_LOCAL: Readonly<Record<KeywordField, string>> = {
  subject: 'Subject',
  hierarchicalSubject: 'HierarchicalSubject',
  tagsList: 'TagsList',
  personInImage: 'PersonInImage',
};

export const PROVENANCE_LOCAL = 'Written';
const VERSION = '1';

export function emptyProvenance(): Provenance {
  return {
    regions: [],
    keywords: { subject: [], hierarchicalSubject: [], tagsList: [], personInImage: [] },
    seeded: { subject: [], hierarchicalSubject: [], tagsList: [], personInImage: [] },
    orientation: undefined,
    appliedToDimensions: undefined,
    created: undefined,
  };
}

/** Reads our record from the top-level descriptions; an absent or unreadable one is empty. */
export function readProvenance(descriptions: readonly Element[]): { prop: RdfProp | undefined; record: Provenance } {
  const prop = findTopProp(descriptions, NS.facetag, PROVENANCE_LOCAL);
  if (prop?.kind !== 'element') return { prop, record: emptyProvenance() };
  const holders = fieldHolders(prop.el);
  const regions: RegionRecord[] = [];
  const regionsEl = findStructField(holders, NS.facetag, 'Regions');
  const container = regionsEl && arrayContainer(regionsEl);
  for (const li of container ? arrayItems(container) : []) {
    const h = fieldHolders(li);
    const faceId = Number(textOf(findField(h, NS.facetag, 'FaceId')));
    const name = textOf(findField(h, NS.facetag, 'Name'));
    const parts = (textOf(findField(h, NS.facetag, 'Area')) ?? '').trim().split(/\s+/).map(Number);
    if (!Number.isSafeInteger(faceId) || name === undefined || parts.length !== 4 || !parts.every(Number.isFinite))
      continue;
    const [x, y, w, h2] = parts as [number, number, number, number];
    regions.push({ faceId, name, area: { x, y, w, h: h2 } });
  }
  const keywords = emptyProvenance().keywords as Record<KeywordField, readonly string[]>;
  for (const field of KEYWORD_FIELD_NAMES)
    keywords[field] = arrayValues(findField(holders, NS.facetag, KEYWORD_LOCAL[field]));
  const seeded = emptyProvenance().seeded as Record<KeywordField, readonly string[]>;
  for (const field of KEYWORD_FIELD_NAMES)
    seeded[field] = arrayValues(findField(holders, NS.facetag, `Seeded${KEYWORD_LOCAL[field]}`));
  return {
    prop,
    record: {
      regions,
      keywords,
      seeded,
      orientation: textOf(findField(holders, NS.facetag, 'Orientation')),
      appliedToDimensions: textOf(findField(holders, NS.facetag, 'AppliedToDimensions')),
      created: textOf(findField(holders, NS.facetag, 'Created')),
    },
  };
}

/** Whether the record holds anything (an empty one is not written). */
export function hasContent(record: Provenance): boolean {
  return (
    record.regions.length > 0 ||
    KEYWORD_FIELD_NAMES.some((f) => record.keywords[f].length > 0) ||
    record.orientation !== undefined ||
    record.appliedToDimensions !== undefined
  );
}

/** Builds the `facetag:Written` struct element for a record (deterministic, so re-runs compare equal). */
export function buildProvenance(b: NodeBuilder, record: Provenance): Element {
  const rdf = NS.rdf;
  const ft = NS.facetag;
  const children: Element[] = [b.element(ft, 'Version', [], [VERSION])];
  if (record.regions.length > 0) {
    const items = record.regions.map((r) =>
      b.element(
        rdf,
        'li',
        [[rdf, 'parseType', 'Resource']],
        [
          b.element(ft, 'FaceId', [], [String(r.faceId)]),
          b.element(ft, 'Name', [], [r.name]),
          b.element(ft, 'Area', [], [[r.area.x, r.area.y, r.area.w, r.area.h].map(formatReal).join(' ')]),
        ],
      ),
    );
    children.push(b.element(ft, 'Regions', [], [b.element(rdf, 'Bag', [], items)]));
  }
  for (const field of KEYWORD_FIELD_NAMES) {
    const entries = record.keywords[field];
    if (entries.length === 0) continue;
    const items = entries.map((e) => b.element(rdf, 'li', [], [e]));
    children.push(b.element(ft, KEYWORD_LOCAL[field], [], [b.element(rdf, 'Bag', [], items)]));
  }
  for (const field of KEYWORD_FIELD_NAMES) {
    const entries = record.seeded[field];
    if (entries.length === 0) continue;
    const items = entries.map((e) => b.element(rdf, 'li', [], [e]));
    children.push(b.element(ft, `Seeded${KEYWORD_LOCAL[field]}`, [], [b.element(rdf, 'Bag', [], items)]));
  }
  if (record.orientation !== undefined) children.push(b.element(ft, 'Orientation', [], [record.orientation]));
  if (record.appliedToDimensions !== undefined) {
    children.push(b.element(ft, 'AppliedToDimensions', [], [record.appliedToDimensions]));
  }
  if (record.created !== undefined) children.push(b.element(ft, 'Created', [], [record.created]));
  return b.element(ft, PROVENANCE_LOCAL, [[rdf, 'parseType', 'Resource']], children);
}
