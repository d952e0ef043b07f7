import type { Element } from '@xmldom/xmldom';
import { XmpEditor } from './editor.js';
import { faceArea, formatReal } from './face-area.js';
import { type SidecarInput, validateSidecarInput } from './input.js';
import { applyKeywords } from './keyword-edit.js';
import { NS } from './namespaces.js';
import type { NormalizedArea } from './orientation.js';
import type { FaceSkip } from './policy.js';
import { buildProvenance, emptyProvenance, hasContent, type Provenance, readProvenance } from './provenance.js';
import { findTopProp, textOf } from './rdf.js';
import { applyRegions, type PlannedFace } from './region-edit.js';
import { residueDigest } from './residue.js';
import { parseXml, serializeXml, XmpParseError } from './xml-dom.js';

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
   * (residue.ts): the file can be deleted instead of written.
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
    else planned.push({ face, area: { mwg: canonical(area.mwg), mp: canonical(area.mp) } });
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
function canonical(a: NormalizedArea): NormalizedArea {
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
