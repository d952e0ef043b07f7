/**
 * Annotation overlay: labelled face boxes as an SVG the size of the oriented image. Pure
 * string building; `annotate-file.ts` composites it onto a copy of the photo.
 */
import { type Point, type RotatedRect, rectCorners } from './geometry.js';

export interface Annotation {
  readonly rect: RotatedRect;
  readonly label: string;
  /** e.g. decision value or detector strength */
  readonly score?: number;
  readonly known: boolean;
}

export const KNOWN_COLOUR = '#00e600';
export const UNKNOWN_COLOUR = '#e60000';
const KNOWN_TEXT = '#000000';
const UNKNOWN_TEXT = '#ffffff';

/** Whether XML 1.0 allows this code point at all (not C0 controls bar tab/LF/CR, U+FFFE/F, lone surrogates). */
function xmlAllowed(cp: number): boolean {
  if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d;
  return !(cp >= 0xd800 && cp <= 0xdfff) && cp !== 0xfffe && cp !== 0xffff;
}

/** Escape text for use in XML content or a double- or single-quoted attribute; characters XML cannot hold become U+FFFD. */
export function xmlEscape(text: string): string {
  let clean = '';
  for (const ch of text) clean += xmlAllowed(ch.codePointAt(0) ?? 0) ? ch : '\uFFFD';
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate with at most 2 decimals and no `-0`. */
function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return (r === 0 ? 0 : r).toString();
}

function pointsAttr(pts: readonly Point[]): string {
  return pts.map((p) => `${num(p.x)},${num(p.y)}`).join(' ');
}

/** Line width and font size for an image of this size. */
export function annotationStyle(width: number, height: number): { strokeWidth: number; fontSize: number } {
  const side = Math.min(width, height);
  return {
    strokeWidth: Math.max(2, Math.round(side / 250)),
    fontSize: Math.max(12, Math.round(side / 40)),
  };
}

/** Rough advance width of a label in em (DejaVu-Sans-like proportions). */
function textWidthEm(text: string): number {
  let em = 0;
  for (const ch of text) {
    if (/[ijlI.,:;'|!`]/.test(ch)) em += 0.32;
    else if (/[mwMW@%&<>=+~#]/.test(ch)) em += 0.86;
    else if (/[A-Z0-9]/.test(ch)) em += 0.7;
    else if ((ch.codePointAt(0) ?? 0) > 0x2e7f) em += 1;
    else em += 0.6;
  }
  return em;
}

function labelText(a: Annotation): string {
  return a.score !== undefined && Number.isFinite(a.score) ? `${a.label} ${a.score.toFixed(2)}` : a.label;
}

/**
 * Pure: an SVG overlay (width x height) with each rect drawn as a rotated polygon (green when
 * known, red otherwise), and the label (+ score to 2 decimals) in a filled tag along the box's
 * top edge: just outside the box when that fits in the image, otherwise just inside.
 * Labels are XML-escaped. Line width and font size scale with the image size.
 */
export function annotationSvg(width: number, height: number, annotations: readonly Annotation[]): string {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`annotationSvg: bad size ${width}x${height}`);
  }
  const { strokeWidth, fontSize } = annotationStyle(width, height);
  const pad = Math.round(fontSize * 0.3);
  const tagH = fontSize + 2 * pad;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  for (const a of annotations) {
    const colour = a.known ? KNOWN_COLOUR : UNKNOWN_COLOUR;
    const textColour = a.known ? KNOWN_TEXT : UNKNOWN_TEXT;
    const corners = rectCorners(a.rect);
    parts.push(
      `<polygon points="${pointsAttr(corners)}" fill="none" stroke="${colour}" stroke-width="${strokeWidth}" stroke-linejoin="round"/>`,
    );
    const text = labelText(a);
    if (text.length === 0) continue;

    // The tag lives in the face's upright frame, anchored at the top-left corner and running
    // along the top edge (rotated with the face). Its width is estimated from the text, and the
    // text is fitted to it (textLength) so it neither spills out nor leaves a gap in any font.
    const textW = Math.ceil(textWidthEm(text) * fontSize);
    const tagW = textW + 2 * pad;
    const half = strokeWidth / 2;
    const rad = (a.rect.angle * Math.PI) / 180;
    const cos = Math.cos(rad);
    const sin = Math.sin(rad);
    const origin = corners[0];
    const toImage = (u: number, v: number): Point => ({
      x: origin.x + u * cos - v * sin,
      y: origin.y + u * sin + v * cos,
    });
    const fits = (top: number): boolean =>
      [
        toImage(-half, top),
        toImage(tagW - half, top),
        toImage(tagW - half, top + tagH),
        toImage(-half, top + tagH),
      ].every((p) => p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height);
    const outside = -tagH - half;
    const top = fits(outside) ? outside : half;
    parts.push(
      `<g transform="translate(${num(origin.x)} ${num(origin.y)}) rotate(${num(a.rect.angle)})">` +
        `<rect x="${num(-half)}" y="${num(top)}" width="${tagW}" height="${tagH}" fill="${colour}"/>` +
        `<text x="${num(pad - half)}" y="${num(top + pad + fontSize * 0.8)}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="${fontSize}" textLength="${textW}" lengthAdjust="spacingAndGlyphs" fill="${textColour}">${xmlEscape(text)}</text>` +
        '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
