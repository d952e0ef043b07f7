/**
 * Face regions in a sidecar: EXIF orientation (displayed ↔ stored frame), the one box a face gets
 * (faceArea), reading the MWG and MP region lists other tools wrote, and merging ours into them.
 */

import type { Element } from '@xmldom/xmldom';
import { pixelBox } from '../vision/geometry.js';
import type { FaceSkip, NormalizedArea, Provenance, RegionRecord, SidecarFace } from './types.js';
import {
  arrayContainer,
  arrayItems,
  fieldHolders,
  findField,
  findStructField,
  findTopProp,
  NS,
  type RdfProp,
  textOf,
  type XmpEditor,
} from './xmp-document.js';

// ---- Orientation ----
/*
 * EXIF orientation and MWG regions (spec §2). MWG areas are fractions of the STORED raster (the
 * pixel grid before EXIF Orientation is applied), centre-based; the detector works on the
 * DISPLAYED (auto-rotated) image. This is the spec's §2.3 table, checked there for all 8 values.
 */

/** Whether an orientation swaps width and height (5..8: the image is turned a quarter). */
function swapsAxes(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

/** The displayed image's size for a stored raster of `width` × `height`. */
function displayedSize(width: number, height: number, orientation: number): { width: number; height: number } {
  return swapsAxes(orientation) ? { width: height, height: width } : { width, height };
}

/**
 * Maps a box given as fractions of the displayed image (centre u, v; size wd, hd) to fractions
 * of the stored raster: the spec's §2.3 table, row by row.
 */
export function displayedToStored(orientation: number, d: NormalizedArea): NormalizedArea {
  const { x: u, y: v, w: wd, h: hd } = d;
  switch (orientation) {
    case 1:
      return { x: u, y: v, w: wd, h: hd };
    case 2:
      return { x: 1 - u, y: v, w: wd, h: hd };
    case 3:
      return { x: 1 - u, y: 1 - v, w: wd, h: hd };
    case 4:
      return { x: u, y: 1 - v, w: wd, h: hd };
    case 5:
      return { x: v, y: u, w: hd, h: wd };
    case 6:
      return { x: v, y: 1 - u, w: hd, h: wd };
    case 7:
      return { x: 1 - v, y: 1 - u, w: hd, h: wd };
    case 8:
      return { x: 1 - v, y: u, w: hd, h: wd };
    default:
      throw new RangeError(`EXIF orientation must be 1..8, got ${orientation}`);
  }
}

/** One face's region as written: MWG centre-based area and the MP top-left rectangle, same numbers. */
export interface FaceArea {
  /** MWG `stArea` x, y (centre), w, h: fractions of the stored raster. */
  readonly mwg: NormalizedArea;
  /** MP `Rectangle` x, y (top-left), w, h: the same box. */
  readonly mp: NormalizedArea;
}

/**
 * The stored-frame region of a face. The rotated rect's axis-aligned bounding box is clipped to
 * the displayed image and snapped to whole pixels, then turned into the stored frame. Whole pixels
 * because digiKam stores faces as integer rectangles and only collapses an MWG and an MP copy of a
 * face into one when they round to the same pixels (spec §1.4 and §8): both come from this box.
 *
 * Returns undefined when nothing of the face lies inside the image.
 */
export function faceArea(
  face: Pick<SidecarFace, 'rect'>,
  imageWidth: number,
  imageHeight: number,
  orientation: number,
): FaceArea | undefined {
  const shown = displayedSize(imageWidth, imageHeight, orientation);
  const box = pixelBox(face.rect, shown);
  if (!box) return undefined;
  const displayed: NormalizedArea = {
    x: (box.x + box.x + box.width) / 2 / shown.width,
    y: (box.y + box.y + box.height) / 2 / shown.height,
    w: box.width / shown.width,
    h: box.height / shown.height,
  };
  const mwg = displayedToStored(orientation, displayed);
  return { mwg, mp: { x: mwg.x - mwg.w / 2, y: mwg.y - mwg.h / 2, w: mwg.w, h: mwg.h } };
}

/**
 * An XMP real: fixed-point, at most 10 decimals, no exponent (not every reader parses `1e-7`),
 * no trailing zeros. 10 decimals keep a 1,000,000 px side exact to 1e-4 px.
 */
export function formatReal(v: number): string {
  const s = (Math.abs(v) < 5e-11 ? 0 : v).toFixed(10);
  return s.replace(/\.?0+$/, '');
}

/** One region item (`rdf:li`) of an MWG or MP region list, as read. */
export interface RegionItem {
  readonly li: Element;
  readonly name: string | undefined;
  /** Centre-based, normalized to the stored raster; undefined when it has no usable box. */
  readonly area: NormalizedArea | undefined;
}

export interface Dimensions {
  readonly w: number;
  readonly h: number;
}

/** mwg-rs:AppliedToDimensions of a Regions struct, when it is there and has numbers. */
function readAppliedDimensions(regionsEl: Element): { el: Element; dims: Dimensions | undefined } | undefined {
  const el = findStructField(fieldHolders(regionsEl), NS.mwgRs, 'AppliedToDimensions');
  if (!el) return undefined;
  const holders = fieldHolders(el);
  const w = Number(textOf(findField(holders, NS.stDim, 'w')));
  const h = Number(textOf(findField(holders, NS.stDim, 'h')));
  return { el, dims: w > 0 && h > 0 ? { w, h } : undefined };
}

/** The rdf:Bag (or Seq) of mwg-rs:RegionList, when present. */
function mwgListContainer(regionsEl: Element): Element | undefined {
  const list = findStructField(fieldHolders(regionsEl), NS.mwgRs, 'RegionList');
  return list ? arrayContainer(list) : undefined;
}

/** MWG regions: Name and Area (pixel-unit areas are normalized by AppliedToDimensions). */
function readMwgRegions(regionsEl: Element): RegionItem[] {
  const container = mwgListContainer(regionsEl);
  if (!container) return [];
  const dims = readAppliedDimensions(regionsEl)?.dims;
  return arrayItems(container).map((li) => {
    const holders = fieldHolders(li);
    const name = textOf(findField(holders, NS.mwgRs, 'Name'));
    const areaEl = findStructField(holders, NS.mwgRs, 'Area');
    return { li, name: name?.trim() || undefined, area: areaEl ? readMwgArea(areaEl, dims) : undefined };
  });
}

function readMwgArea(areaEl: Element, dims: Dimensions | undefined): NormalizedArea | undefined {
  const holders = fieldHolders(areaEl);
  const num = (local: string): number => Number(textOf(findField(holders, NS.stArea, local)) ?? Number.NaN);
  const unit = textOf(findField(holders, NS.stArea, 'unit')) ?? 'normalized';
  const area = { x: num('x'), y: num('y'), w: num('w'), h: num('h') };
  if (![area.x, area.y, area.w, area.h].every(Number.isFinite)) return undefined;
  if (unit === 'normalized') return area;
  if (unit === 'pixel' && dims)
    return { x: area.x / dims.w, y: area.y / dims.h, w: area.w / dims.w, h: area.h / dims.h };
  return undefined;
}

/** The rdf:Bag of MP:RegionInfo/MPRI:Regions, when present. */
function mpListContainer(regionInfoEl: Element): Element | undefined {
  const regions = findStructField(fieldHolders(regionInfoEl), NS.MPRI, 'Regions');
  return regions ? arrayContainer(regions) : undefined;
}

/** MP regions: PersonDisplayName and Rectangle ("x, y, w, h", top-left), turned centre-based. */
function readMpRegions(regionInfoEl: Element): RegionItem[] {
  const container = mpListContainer(regionInfoEl);
  if (!container) return [];
  return arrayItems(container).map((li) => {
    const holders = fieldHolders(li);
    const name = textOf(findField(holders, NS.MPReg, 'PersonDisplayName'));
    const rect = parseRectangle(textOf(findField(holders, NS.MPReg, 'Rectangle')));
    return { li, name: name?.trim() || undefined, area: rect };
  });
}

/** An MP Rectangle string as a centre-based area. */
function parseRectangle(text: string | undefined): NormalizedArea | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || !parts.every(Number.isFinite)) return undefined;
  const [x, y, w, h] = parts as [number, number, number, number];
  return { x: x + w / 2, y: y + h / 2, w, h };
}

/** Whether two areas are the same box to within half a pixel of the stored raster. */
function sameArea(a: NormalizedArea, b: NormalizedArea, dims: Dimensions): boolean {
  const tx = 0.5 / dims.w + 1e-9;
  const ty = 0.5 / dims.h + 1e-9;
  return (
    Math.abs(a.x - b.x) <= tx && Math.abs(a.w - b.w) <= tx && Math.abs(a.y - b.y) <= ty && Math.abs(a.h - b.h) <= ty
  );
}

/** Intersection over union of two centre-based areas. */
function areaIou(a: NormalizedArea, b: NormalizedArea): number {
  const ix = Math.max(0, Math.min(a.x + a.w / 2, b.x + b.w / 2) - Math.max(a.x - a.w / 2, b.x - b.w / 2));
  const iy = Math.max(0, Math.min(a.y + a.h / 2, b.y + b.h / 2) - Math.max(a.y - a.h / 2, b.y - b.h / 2));
  const inter = ix * iy;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** A face that has a region: the input face and its stored-frame area. */
export interface PlannedFace {
  readonly face: SidecarFace;
  readonly area: FaceArea;
}

export interface RegionOutcome {
  readonly written: readonly PlannedFace[];
  readonly skipped: readonly FaceSkip[];
  /** Names of faces another tool already tags under the same name: still keywords of the photo. */
  readonly taggedElsewhere: readonly string[];
  readonly records: readonly RegionRecord[];
  readonly appliedToDimensions: string | undefined;
}

/** A named foreign region at least this much overlapping one of our faces is the same face. */
const SAME_FACE_IOU = 0.5;

/**
 * Edits the MWG and MP region lists (spec §3.2 step 4). Our previous regions are the items our
 * record names (same name, same area to half a pixel); they are replaced in place, or removed
 * when their face is gone. Every other item is another tool's and is never touched. A face that
 * a named foreign region already covers is not written again: an identical box would show twice
 * (digiKam only collapses exact duplicates), and a different name is the user's decision.
 */
export function applyRegions(
  ed: XmpEditor,
  seed: readonly Element[] | undefined,
  faces: readonly PlannedFace[],
  record: Provenance,
  dims: Dimensions,
): RegionOutcome {
  let mwgEl = elementOf(findTopProp(ed.descriptions, NS.mwgRs, 'Regions'));
  let mpEl = elementOf(findTopProp(ed.descriptions, NS.MP, 'RegionInfo'));
  // A sidecar's RegionInfo replaces the embedded one in Immich and digiKam (spec gotchas 2, 3):
  // before adding a list, carry over the regions other tools embedded in the photo.
  if (seed && faces.length > 0) {
    const seedMwg = elementOf(findTopProp(seed, NS.mwgRs, 'Regions'));
    if (!mwgEl && seedMwg) mwgEl = ed.adopt(ed.target, seedMwg);
    const seedMp = elementOf(findTopProp(seed, NS.MP, 'RegionInfo'));
    if (!mpEl && seedMp) mpEl = ed.adopt(ed.target, seedMp);
  }
  const mwgItems = mwgEl ? readMwgRegions(mwgEl) : [];
  const mpItems = mpEl ? readMpRegions(mpEl) : [];
  const ownMwg = matchOwn(mwgItems, record.regions, dims);
  const ownMp = matchOwn(mpItems, record.regions, dims);
  const foreign = [...mwgItems, ...mpItems].filter((i) => !ownMwg.claimed.has(i) && !ownMp.claimed.has(i));

  const written: PlannedFace[] = [];
  const skipped: FaceSkip[] = [];
  const taggedElsewhere: string[] = [];
  for (const planned of faces) {
    const other = bestOverlap(planned.area, foreign);
    if (!other) {
      written.push(planned);
    } else if (other === planned.face.name) {
      taggedElsewhere.push(other);
      skipped.push({
        faceId: planned.face.faceId,
        kind: 'tagged-elsewhere',
        reason: `another tool's region already tags this face as "${other}"`,
      });
    } else {
      skipped.push({
        faceId: planned.face.faceId,
        kind: 'foreign-region',
        reason: `another tool's region names this face "${other}", not "${planned.face.name}"`,
      });
    }
  }

  const appliedToDimensions = editMwg(ed, mwgEl, ownMwg, written, record, dims);
  editMp(ed, mpEl, ownMp, written);
  const records = written.map((p) => ({ faceId: p.face.faceId, name: p.face.name, area: p.area.mwg }));
  return { written, skipped, taggedElsewhere, records, appliedToDimensions };
}

function elementOf(prop: RdfProp | undefined): Element | undefined {
  return prop?.kind === 'element' ? prop.el : undefined;
}

interface OwnItems {
  /** Our item per face id (the first, when a face somehow has two). */
  readonly byFace: Map<number, RegionItem>;
  /** Every item that is ours, duplicates included. */
  readonly claimed: Set<RegionItem>;
}

function matchOwn(items: readonly RegionItem[], records: readonly RegionRecord[], dims: Dimensions): OwnItems {
  const byFace = new Map<number, RegionItem>();
  const claimed = new Set<RegionItem>();
  for (const r of records) {
    const item = items.find((i) => !claimed.has(i) && i.name === r.name && i.area && sameArea(i.area, r.area, dims));
    if (!item) continue;
    claimed.add(item);
    if (!byFace.has(r.faceId)) byFace.set(r.faceId, item);
  }
  return { byFace, claimed };
}

/** The name of the named foreign region that covers this face, if any. */
function bestOverlap(area: FaceArea, foreign: readonly RegionItem[]): string | undefined {
  let best: { name: string; iou: number } | undefined;
  for (const item of foreign) {
    if (!item.name || !item.area) continue;
    const iou = areaIou(area.mwg, item.area);
    if (iou >= SAME_FACE_IOU && (!best || iou > best.iou)) best = { name: item.name, iou };
  }
  return best?.name;
}

function sameNumbers(item: RegionItem, name: string, area: { x: number; y: number; w: number; h: number }): boolean {
  const a = item.area;
  if (!a || item.name !== name) return false;
  return [a.x - area.x, a.y - area.y, a.w - area.w, a.h - area.h].every((d) => Math.abs(d) < 1e-9);
}

/** Applies our MWG regions; returns the AppliedToDimensions we own afterwards. */
function editMwg(
  ed: XmpEditor,
  regionsEl: Element | undefined,
  own: OwnItems,
  written: readonly PlannedFace[],
  record: Provenance,
  dims: Dimensions,
): string | undefined {
  const ours = `${dims.w}x${dims.h}`;
  const mwgLi = (p: PlannedFace, context: Element): Element => {
    const b = ed.builder(context);
    const a = p.area.mwg;
    return b.element(
      NS.rdf,
      'li',
      [],
      [
        b.element(
          NS.rdf,
          'Description',
          [
            [NS.mwgRs, 'Name', p.face.name],
            [NS.mwgRs, 'Type', 'Face'],
          ],
          [
            b.element(NS.mwgRs, 'Area', [
              [NS.stArea, 'x', formatReal(a.x)],
              [NS.stArea, 'y', formatReal(a.y)],
              [NS.stArea, 'w', formatReal(a.w)],
              [NS.stArea, 'h', formatReal(a.h)],
              [NS.stArea, 'unit', 'normalized'],
            ]),
          ],
        ),
      ],
    );
  };
  const dimsEl = (context: Element): Element =>
    ed.builder(context).element(NS.mwgRs, 'AppliedToDimensions', [
      [NS.stDim, 'w', String(dims.w)],
      [NS.stDim, 'h', String(dims.h)],
      [NS.stDim, 'unit', 'pixel'],
    ]);

  if (!regionsEl) {
    if (written.length === 0) return undefined;
    const b = ed.builder(ed.target);
    const bag = b.element(
      NS.rdf,
      'Bag',
      [],
      written.map((p) => mwgLi(p, ed.target)),
    );
    const struct = b.element(
      NS.mwgRs,
      'Regions',
      [[NS.rdf, 'parseType', 'Resource']],
      [dimsEl(ed.target), b.element(NS.mwgRs, 'RegionList', [], [bag])],
    );
    ed.append(ed.target, struct);
    return ours;
  }

  const removed = replaceOwn(
    ed,
    own,
    written,
    (p, ctx) => mwgLi(p, ctx),
    (item, p) => sameNumbers(item, p.face.name, p.area.mwg),
  );
  const fresh = written.filter((p) => !own.byFace.has(p.face.faceId));
  if (fresh.length > 0) {
    const container = mwgListContainer(regionsEl) ?? createList(ed, regionsEl, NS.mwgRs, 'RegionList');
    for (const p of fresh) ed.append(container, mwgLi(p, container));
  }

  let owned: string | undefined;
  const applied = readAppliedDimensions(regionsEl);
  const appliedText = applied?.dims ? `${applied.dims.w}x${applied.dims.h}` : undefined;
  const appliedIsOurs = appliedText !== undefined && record.appliedToDimensions === appliedText;
  if (!applied) {
    // Immich ignores regions without AppliedToDimensions (spec gotcha 1): add them if we write any.
    if (written.length > 0) {
      const body = ed.structBody(regionsEl);
      ed.append(body, dimsEl(body));
      owned = ours;
    }
  } else if (written.length === 0) {
    // Without regions of ours, what we added for them goes: the struct is as other tools left it.
    if (appliedIsOurs) ed.remove(applied.el);
  } else if (appliedText === ours) {
    owned = appliedIsOurs ? ours : undefined;
  } else if (appliedIsOurs) {
    // Ours from an earlier version of the photo: update. Another tool's stays as it is (our areas
    // are normalized, so they do not depend on it).
    ed.replace(applied.el, dimsEl(applied.el.parentNode as Element));
    owned = ours;
  }

  const container = mwgListContainer(regionsEl);
  const empty = !container || arrayItems(container).length === 0;
  const onlyOurs = !ed.hasOtherFields(regionsEl, [
    [NS.mwgRs, 'AppliedToDimensions'],
    [NS.mwgRs, 'RegionList'],
  ]);
  if (removed > 0 && empty && onlyOurs) {
    ed.remove(regionsEl);
    return undefined;
  }
  return owned;
}

/** Applies our MP regions (MP `Rectangle` is top-left based; same numbers as MWG). */
function editMp(ed: XmpEditor, infoEl: Element | undefined, own: OwnItems, written: readonly PlannedFace[]): void {
  const mpLi = (p: PlannedFace, context: Element): Element => {
    const r = p.area.mp;
    return ed.builder(context).element(NS.rdf, 'li', [
      [NS.MPReg, 'PersonDisplayName', p.face.name],
      [NS.MPReg, 'Rectangle', [r.x, r.y, r.w, r.h].map(formatReal).join(', ')],
    ]);
  };
  if (!infoEl) {
    if (written.length === 0) return;
    const b = ed.builder(ed.target);
    const bag = b.element(
      NS.rdf,
      'Bag',
      [],
      written.map((p) => mpLi(p, ed.target)),
    );
    ed.append(
      ed.target,
      b.element(NS.MP, 'RegionInfo', [[NS.rdf, 'parseType', 'Resource']], [b.element(NS.MPRI, 'Regions', [], [bag])]),
    );
    return;
  }
  const removed = replaceOwn(ed, own, written, mpLi, (item, p) => sameNumbers(item, p.face.name, p.area.mwg));
  const fresh = written.filter((p) => !own.byFace.has(p.face.faceId));
  if (fresh.length > 0) {
    const container = mpListContainer(infoEl) ?? createList(ed, infoEl, NS.MPRI, 'Regions');
    for (const p of fresh) ed.append(container, mpLi(p, container));
  }
  const container = mpListContainer(infoEl);
  const empty = !container || arrayItems(container).length === 0;
  if (removed > 0 && empty && !ed.hasOtherFields(infoEl, [[NS.MPRI, 'Regions']])) ed.remove(infoEl);
}

/**
 * Our existing items: kept when unchanged, replaced in place when their face changed, removed
 * when their face is no longer written. Returns how many were removed.
 */
function replaceOwn(
  ed: XmpEditor,
  own: OwnItems,
  written: readonly PlannedFace[],
  build: (p: PlannedFace, context: Element) => Element,
  unchanged: (item: RegionItem, p: PlannedFace) => boolean,
): number {
  const byId = new Map(written.map((p) => [p.face.faceId, p]));
  const kept = new Set<RegionItem>();
  let removed = 0;
  for (const [faceId, item] of own.byFace) {
    const p = byId.get(faceId);
    if (!p) continue;
    kept.add(item);
    if (!unchanged(item, p)) ed.replace(item.li, build(p, item.li.parentNode as Element));
  }
  for (const item of own.claimed) {
    if (kept.has(item)) continue;
    ed.remove(item.li);
    removed++;
  }
  return removed;
}

/** Creates an empty list (`ns:local` with an rdf:Bag) in a struct and returns the Bag. */
function createList(ed: XmpEditor, structEl: Element, ns: string, local: string): Element {
  const existing = findStructField(fieldHolders(structEl), ns, local);
  if (existing) {
    // An array property holds its container directly.
    const bag = ed.builder(existing).element(NS.rdf, 'Bag');
    ed.append(existing, bag);
    return bag;
  }
  const body = ed.structBody(structEl);
  const b = ed.builder(body);
  const bag = b.element(NS.rdf, 'Bag');
  ed.append(body, b.element(ns, local, [], [bag]));
  return bag;
}
