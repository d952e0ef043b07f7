import type { Element } from '@xmldom/xmldom';
import { NS } from './namespaces.js';
import type { NormalizedArea } from './orientation.js';
import { arrayContainer, arrayItems, fieldHolders, findField, findStructField, textOf } from './rdf.js';

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
export function readAppliedDimensions(regionsEl: Element): { el: Element; dims: Dimensions | undefined } | undefined {
  const el = findStructField(fieldHolders(regionsEl), NS.mwgRs, 'AppliedToDimensions');
  if (!el) return undefined;
  const holders = fieldHolders(el);
  const w = Number(textOf(findField(holders, NS.stDim, 'w')));
  const h = Number(textOf(findField(holders, NS.stDim, 'h')));
  return { el, dims: w > 0 && h > 0 ? { w, h } : undefined };
}

/** The rdf:Bag (or Seq) of mwg-rs:RegionList, when present. */
export function mwgListContainer(regionsEl: Element): Element | undefined {
  const list = findStructField(fieldHolders(regionsEl), NS.mwgRs, 'RegionList');
  return list ? arrayContainer(list) : undefined;
}

/** MWG regions: Name and Area (pixel-unit areas are normalized by AppliedToDimensions). */
export function readMwgRegions(regionsEl: Element): RegionItem[] {
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
export function mpListContainer(regionInfoEl: Element): Element | undefined {
  const regions = findStructField(fieldHolders(regionInfoEl), NS.MPRI, 'Regions');
  return regions ? arrayContainer(regions) : undefined;
}

/** MP regions: PersonDisplayName and Rectangle ("x, y, w, h", top-left), turned centre-based. */
export function readMpRegions(regionInfoEl: Element): RegionItem[] {
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
export function parseRectangle(text: string | undefined): NormalizedArea | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || !parts.every(Number.isFinite)) return undefined;
  const [x, y, w, h] = parts as [number, number, number, number];
  return { x: x + w / 2, y: y + h / 2, w, h };
}

/** Whether two areas are the same box to within half a pixel of the stored raster. */
export function sameArea(a: NormalizedArea, b: NormalizedArea, dims: Dimensions): boolean {
  const tx = 0.5 / dims.w + 1e-9;
  const ty = 0.5 / dims.h + 1e-9;
  return (
    Math.abs(a.x - b.x) <= tx && Math.abs(a.w - b.w) <= tx && Math.abs(a.y - b.y) <= ty && Math.abs(a.h - b.h) <= ty
  );
}

/** Intersection over union of two centre-based areas. */
export function areaIou(a: NormalizedArea, b: NormalizedArea): number {
  const ix = Math.max(0, Math.min(a.x + a.w / 2, b.x + b.w / 2) - Math.max(a.x - a.w / 2, b.x - b.w / 2));
  const iy = Math.max(0, Math.min(a.y + a.h / 2, b.y + b.h / 2) - Math.max(a.y - a.h / 2, b.y - b.h / 2));
  const inter = ix * iy;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}
