/**
 * What a sidecar should say after this write, in memory: what the writer is told (the input,
 * validated, and why a face is left out), the residue digest (what is not ours),
 * facetag's own record of what it wrote (provenance), and planSidecarDetailed, which merges the
 * photo's faces into the existing sidecar (or the photo's embedded XMP) without dropping anything.
 */
import { createHash } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import * as z from 'zod';
import { personNameProblem } from '../names/person-name.js';
import { applyKeywords, KEYWORD_FIELD_NAMES } from './keywords.js';
import { applyRegions, faceArea, formatReal, type PlannedFace } from './regions.js';
import type { FaceSkip, KeywordField, NormalizedArea, Provenance, RegionRecord, SidecarInput } from './types.js';
import {
  arrayContainer,
  arrayItems,
  arrayValues,
  fieldHolders,
  findField,
  findStructField,
  findTopProp,
  isElement,
  type NodeBuilder,
  NS,
  parseXml,
  type RdfProp,
  serializeXml,
  textOf,
  XmpEditor,
  XmpParseError,
} from './xmp-document.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const faceSchema = z.strictObject({
  rect: z.strictObject({
    cx: finite,
    cy: finite,
    width: finite.refine((v) => v > 0, 'must be > 0'),
    height: finite.refine((v) => v > 0, 'must be > 0'),
    angle: finite,
  }),
  name: z.string().superRefine((name, ctx) => {
    const problem = personNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  source: z.enum(['confirmed', 'auto']),
  faceId: z.int().nonnegative(),
  value: finite.optional(),
});

// 1,000,000 px a side covers any real photo and keeps normalized values exact to 1e-6 px.
const dimension = z.int().positive().max(1_000_000);

const inputSchema = z.strictObject({
  photoPath: z.string().min(1),
  imageWidth: dimension,
  imageHeight: dimension,
  orientation: z.int().min(1).max(8),
  faces: z.array(faceSchema).superRefine((faces, ctx) => {
    const seen = new Set<number>();
    for (const [i, face] of faces.entries()) {
      if (seen.has(face.faceId)) ctx.addIssue({ code: 'custom', path: [i, 'faceId'], message: 'duplicate faceId' });
      seen.add(face.faceId);
    }
  }),
});

/** Thrown for input the writer refuses; the message names the field. */
export class SidecarInputError extends Error {
  override name = 'SidecarInputError';
}

/** Checks `raw` field by field and returns it typed; throws SidecarInputError naming the first bad field. */
export function validateSidecarInput(raw: unknown): SidecarInput {
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'input';
    throw new SidecarInputError(`invalid sidecar input: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * A digest of what a sidecar says apart from facetag's own record: every top-level property of
 * every description, in a form that ignores layout (prefixes, indentation, attribute or element
 * form, order, how properties are split over descriptions). When facetag creates a sidecar it
 * records the digest of what would be left without its own additions (the photo's embedded XMP
 * and IPTC keywords it copied, or nothing); when its last name goes and what is left still has
 * that digest, nobody else has added anything, so the file can be deleted without loss.
 */
export function residueDigest(descriptions: readonly Element[]): string {
  const props: string[] = [];
  for (const d of descriptions) {
    for (const attr of d.attributes) {
      if (attr.namespaceURI === NS.xmlns || attr.namespaceURI === NS.facetag) continue;
      if (attr.namespaceURI === NS.rdf && attr.localName === 'about') continue;
      props.push(canonicalProp(attr.namespaceURI, attr.localName, [], [JSON.stringify(attr.value)]));
    }
    for (const child of d.childNodes) {
      if (isElement(child) && child.namespaceURI !== NS.facetag) props.push(canonicalElement(child));
    }
  }
  return createHash('sha256').update(props.sort().join('\n')).digest('hex').slice(0, 32);
}

const TEXT = 3;
const CDATA = 4;

function canonicalElement(el: Element): string {
  const attrs: string[] = [];
  for (const attr of el.attributes) {
    if (attr.namespaceURI !== NS.xmlns)
      attrs.push(`@${attr.namespaceURI} ${attr.localName}=${JSON.stringify(attr.value)}`);
  }
  const body: string[] = [];
  for (const node of el.childNodes) {
    if (isElement(node)) body.push(canonicalElement(node));
    else if (node.nodeType === TEXT || node.nodeType === CDATA) {
      const text = node.nodeValue ?? '';
      if (text.trim() !== '') body.push(JSON.stringify(text));
    }
  }
  // A simple property written as an element with only text says what the attribute form says.
  if (attrs.length === 0 && body.length === 1 && !body[0]?.startsWith('(')) {
    return canonicalProp(el.namespaceURI, el.localName, [], body);
  }
  return canonicalProp(el.namespaceURI, el.localName, attrs.sort(), body);
}

const canonicalProp = (
  ns: string | null,
  local: string | null,
  attrs: readonly string[],
  body: readonly string[],
): string => `(${ns ?? ''} ${local ?? ''}${attrs.map((a) => ` ${a}`).join('')}${body.map((b) => ` ${b}`).join('')})`;

// ---- Provenance: facetag's own record ----
/*
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

const KEYWORD_LOCAL: Readonly<Record<KeywordField, string>> = {
  subject: 'Subject',
  hierarchicalSubject: 'HierarchicalSubject',
  tagsList: 'TagsList',
  personInImage: 'PersonInImage',
};

const PROVENANCE_LOCAL = 'Written';
const VERSION = '1';

function emptyProvenance(): Provenance {
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
function readProvenance(descriptions: readonly Element[]): { prop: RdfProp | undefined; record: Provenance } {
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
function hasContent(record: Provenance): boolean {
  return (
    record.regions.length > 0 ||
    KEYWORD_FIELD_NAMES.some((f) => record.keywords[f].length > 0) ||
    record.orientation !== undefined ||
    record.appliedToDimensions !== undefined
  );
}

/** Builds the `facetag:Written` struct element for a record (deterministic, so re-runs compare equal). */
function buildProvenance(b: NodeBuilder, record: Provenance): Element {
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

export interface PlanOptions {
  /** The photo's IPTC keywords; they join dc:subject when a sidecar is started (spec §3.2 step 2). */
  readonly iptcKeywords?: readonly string[];
}

export interface SidecarPlan {
  /** The sidecar's new text; the existing text itself when nothing changed. */
  readonly xml: string;
  readonly changed: boolean;
  /** Faces whose regions the sidecar now carries as ours. */
  readonly written: readonly number[];
  readonly skipped: readonly FaceSkip[];
  /**
   * Nothing of ours is left, facetag created this sidecar, and nothing else was added since
   * (residueDigest): the file can be deleted instead of written.
   */
  readonly deletable: boolean;
  /** When nothing of ours is left: the residueDigest of what the sidecar holds. */
  readonly residue: string | undefined;
  /** The sidecar held something of ours before (our record said so). */
  readonly hadOurs: boolean;
}

/** A new sidecar with nothing in it (the packet wrapper is optional in a sidecar; we keep it). */
const EMPTY_XMP = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="facetag">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""/>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;

/** planSidecarDetailed's text: the sidecar to write for this photo. */
export function planSidecar(
  existingXml: string | undefined,
  embeddedXmp: string | undefined,
  input: SidecarInput,
  options: PlanOptions = {},
): string {
  return planSidecarDetailed(existingXml, embeddedXmp, input, options).xml;
}

/**
 * The sidecar for a photo, merged into what is there (pure: text in, text out).
 *
 * - `existingXml`: the sidecar as it is now, or undefined/empty when there is none. It is edited
 *   in place: every key, region and keyword another tool wrote stays; only our regions and our
 *   keyword entries (as our `facetag:Written` record lists them) are replaced or removed. A
 *   sidecar that is not well-formed XMP throws XmpParseError: we never overwrite what we cannot read.
 * - `embeddedXmp`: the photo's own XMP packet. A new sidecar starts as a copy of it (digiKam
 *   reads the sidecar instead of the embedded XMP, spec gotcha 3); an existing one takes regions
 *   and keyword fields from it that it lacks itself, before adding ours.
 * - `input`: the photo and its faces (all of them are written; apply selectFaces first).
 */
export function planSidecarDetailed(
  existingXml: string | undefined,
  embeddedXmp: string | undefined,
  rawInput: SidecarInput,
  options: PlanOptions = {},
): SidecarPlan {
  const input = validateSidecarInput(rawInput);
  const hasExisting = existingXml !== undefined && existingXml.trim() !== '';
  const embedded = embeddedXmp === undefined ? undefined : tryEditor(embeddedXmp);
  let ed: XmpEditor;
  let seed: readonly Element[] | undefined;
  if (hasExisting) {
    ed = new XmpEditor(parseXml(existingXml, 'existing sidecar'), 'existing sidecar');
    seed = embedded?.descriptions;
  } else {
    ed = embedded ?? new XmpEditor(parseXml(EMPTY_XMP, 'template'), 'template');
    ed.changed = true;
  }

  const dims = { w: input.imageWidth, h: input.imageHeight };
  const { prop: recordProp, record } = readProvenance(ed.descriptions);
  const planned: PlannedFace[] = [];
  const skipped: FaceSkip[] = [];
  for (const face of input.faces) {
    const area = faceArea(face, input.imageWidth, input.imageHeight, input.orientation);
    if (!area) skipped.push({ faceId: face.faceId, kind: 'outside', reason: 'the face lies outside the image' });
    else planned.push({ face, area: { mwg: roundedArea(area.mwg), mp: roundedArea(area.mp) } });
  }

  const regions = applyRegions(ed, seed, planned, record, dims);
  const names = [...new Set([...regions.written.map((p) => p.face.name), ...regions.taggedElsewhere])];
  const iptc = hasExisting ? [] : (options.iptcKeywords ?? []);
  const { owned: keywords, seeded } = applyKeywords(ed, seed, names, record, iptc);
  const orientation = applyOrientation(ed, String(input.orientation), record, regions.records.length > 0);

  let next: Provenance = {
    regions: regions.records,
    keywords,
    seeded,
    orientation,
    appliedToDimensions: regions.appliedToDimensions,
    created: record.created,
  };
  const oldEl = recordProp?.kind === 'element' ? recordProp.el : undefined;
  writeProvenance(ed, oldEl, record, next);
  if (!hasExisting && hasContent(next)) {
    // A sidecar we create remembers what it holds without us, so that it can go with our last name.
    const residue = planSidecarDetailed(serializeXml(ed.doc), undefined, { ...input, faces: [] });
    const written = readProvenance(ed.descriptions).prop;
    next = { ...next, created: residue.residue };
    writeProvenance(ed, written?.kind === 'element' ? written.el : undefined, emptyProvenance(), next);
  }
  const residue = hasContent(next) ? undefined : residueDigest(ed.descriptions);

  const xml = ed.changed || !hasExisting ? serializeXml(ed.doc) : (existingXml as string);
  return {
    xml,
    changed: ed.changed,
    written: regions.written.map((p) => p.face.faceId),
    skipped: [...skipped, ...regions.skipped],
    residue,
    deletable: hasExisting && record.created !== undefined && residue === record.created,
    hadOurs: hasContent(record),
  };
}

function tryEditor(xml: string): XmpEditor | undefined {
  try {
    return new XmpEditor(parseXml(xml, 'embedded XMP'), 'embedded XMP');
  } catch (err) {
    // A broken embedded packet is simply not copied; readers cannot use it either.
    if (err instanceof XmpParseError) return undefined;
    throw err;
  }
}

/** Rounds an area to the digits we write, so records and regions compare equal on re-runs. */
function roundedArea(a: NormalizedArea): NormalizedArea {
  return {
    x: Number(formatReal(a.x)),
    y: Number(formatReal(a.y)),
    w: Number(formatReal(a.w)),
    h: Number(formatReal(a.h)),
  };
}

/**
 * tiff:Orientation lets sidecar-only readers (PiGallery2 ≥ 3.0) turn our regions (spec §1.3). We
 * add it when absent and keep it current while it is ours and we have regions; a value another
 * tool wrote (a gallery that records a user's rotation in the sidecar) is left alone. Without
 * regions of ours it has no purpose: it is not added (a foreign sidecar we have nothing for stays
 * untouched) and ours is taken out. Returns what we own.
 */
function applyOrientation(ed: XmpEditor, want: string, record: Provenance, haveRegions: boolean): string | undefined {
  const prop = findTopProp(ed.descriptions, NS.tiff, 'Orientation');
  if (!haveRegions) {
    if (prop && record.orientation !== undefined && textOf(prop)?.trim() === record.orientation) {
      if (prop.kind === 'attr') {
        prop.owner.removeAttributeNode(prop.attr);
        ed.changed = true;
      } else {
        ed.remove(prop.el);
      }
    }
    return undefined;
  }
  if (!prop) {
    const b = ed.builder(ed.target);
    ed.target.setAttributeNS(NS.tiff, b.qname(NS.tiff, 'Orientation'), want);
    ed.changed = true;
    return want;
  }
  const current = textOf(prop)?.trim();
  const ours = record.orientation !== undefined && record.orientation === current;
  if (current === want) return ours ? want : undefined;
  if (!ours) return undefined;
  if (prop.kind === 'attr') prop.owner.setAttributeNS(NS.tiff, prop.attr.name, want);
  else prop.el.textContent = want;
  ed.changed = true;
  return want;
}

/** Replaces our record in place (or adds it, or drops it when empty); untouched when equal. */
function writeProvenance(ed: XmpEditor, oldEl: Element | undefined, before: Provenance, next: Provenance): void {
  if (!hasContent(next)) {
    if (oldEl) ed.remove(oldEl);
    return;
  }
  if (oldEl && sameRecord(before, next)) return;
  const parent = oldEl ? (oldEl.parentNode as Element) : ed.target;
  const el = buildProvenance(ed.builder(parent), next);
  if (oldEl) ed.replace(oldEl, el);
  else ed.append(parent, el);
}

function sameRecord(a: Provenance, b: Provenance): boolean {
  const norm = (p: Provenance): string =>
    JSON.stringify({
      regions: p.regions.map((r) => [
        r.faceId,
        r.name,
        formatReal(r.area.x),
        formatReal(r.area.y),
        formatReal(r.area.w),
        formatReal(r.area.h),
      ]),
      keywords: p.keywords,
      seeded: p.seeded,
      orientation: p.orientation,
      applied: p.appliedToDimensions,
      created: p.created,
    });
  return norm(a) === norm(b);
}
