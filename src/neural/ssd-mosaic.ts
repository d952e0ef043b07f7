/**
 * Small canvases four to an SSD pass (issue 17). The SSD always looks at a 512×512 input, so a
 * 150 px photo cost as much per angle as a 12 MP one (~165 ms a pass, 9 passes a photo). When
 * every canvas of a photo fits a cell of a 2×2 grid on that input without losing more than a
 * quarter of its own pixels, the canvases are laid out side by side, four to a pass; each box is
 * then given back to the canvas whose cell holds its centre. Pure.
 */
import type { RgbImage } from './rotate-rgb.js';
import type { ScoredBox } from './ssd-hits.js';
import { writeSsdCell } from './ssd-input.js';

/**
 * The least scale a canvas may get in its cell: 0.75. With 256 px cells, photos up to 241 px
 * across share passes; a 150×150 photo's turned canvas (213 px) is drawn at 1.2.
 */
export const MOSAIC_MIN_SCALE = 0.75;

/**
 * Canvases per pass (a 2×2 grid, 256 px cells). With 3×3 (170 px cells) the library's faces came
 * to ~55 px of input, where the SSD no longer tells upright from upside down: on 6 library
 * photos it scored the face 0.5-0.96 at 135°-225° and the upright face fell from 0.89-1.0 to
 * 0.36-0.97, so 52 of 200 faces were kept turned (8 with one canvas a pass).
 */
export const MOSAIC_CELLS = 4;

/** Where one canvas sits in the input: its cell's corner and the scale it is drawn at. */
export interface MosaicCell {
  readonly x: number;
  readonly y: number;
  readonly side: number;
  /** Input pixels per canvas pixel. */
  readonly scale: number;
  readonly width: number;
  readonly height: number;
}

/** The side of each cell when `count` canvases (at most MOSAIC_CELLS) share an input `inputSide` across. */
export function cellSide(count: number, inputSide: number): number {
  return Math.floor(inputSide / Math.ceil(Math.sqrt(Math.min(count, MOSAIC_CELLS))));
}

/** Cells of a square grid for canvases of these sizes (at most MOSAIC_CELLS), row by row. */
export function mosaicLayout(sizes: readonly { width: number; height: number }[], inputSide: number): MosaicCell[] {
  if (sizes.length > MOSAIC_CELLS)
    throw new RangeError(`${sizes.length} canvases in one mosaic (at most ${MOSAIC_CELLS})`);
  const grid = Math.ceil(Math.sqrt(sizes.length));
  const side = cellSide(sizes.length, inputSide);
  return sizes.map(({ width, height }, i) => ({
    x: (i % grid) * side,
    y: Math.floor(i / grid) * side,
    side,
    scale: side / Math.max(width, height),
    width,
    height,
  }));
}

/** Whether a photo's canvases share passes: each keeps at least MOSAIC_MIN_SCALE of its pixels. */
export function fitsMosaic(sizes: readonly { width: number; height: number }[], inputSide: number): boolean {
  const side = cellSide(sizes.length, inputSide);
  return sizes.length > 1 && sizes.every((c) => side / Math.max(c.width, c.height) >= MOSAIC_MIN_SCALE);
}

/** The SSD input (−1..1, black gaps) with each canvas in its cell; `out` has inputSide² × 3 values. */
export function mosaicInput(
  canvases: readonly RgbImage[],
  layout: readonly MosaicCell[],
  inputSide: number,
  out = new Float32Array(inputSide * inputSide * 3),
): Float32Array {
  out.fill(-1);
  canvases.forEach((canvas, i) => {
    const cell = layout[i];
    if (cell) writeSsdCell(canvas, out, inputSide, cell);
  });
  return out;
}

/**
 * Boxes found on the mosaic (input pixels) to boxes on each canvas (its pixels): a box belongs
 * to the cell holding its centre, is dropped when that centre is outside the canvas, and is
 * clipped to the canvas, as face-api clips to the image.
 */
export function boxesByCanvas(boxes: readonly ScoredBox[], layout: readonly MosaicCell[]): ScoredBox[][] {
  const out: ScoredBox[][] = layout.map(() => []);
  for (const b of boxes) {
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    const i = layout.findIndex(
      (c) => cx >= c.x && cy >= c.y && cx < c.x + c.width * c.scale && cy < c.y + c.height * c.scale,
    );
    const cell = layout[i];
    if (!cell) continue;
    const left = Math.max(0, (b.x - cell.x) / cell.scale);
    const top = Math.max(0, (b.y - cell.y) / cell.scale);
    const right = Math.min(cell.width, (b.x + b.width - cell.x) / cell.scale);
    const bottom = Math.min(cell.height, (b.y + b.height - cell.y) / cell.scale);
    out[i]?.push({ score: b.score, x: left, y: top, width: right - left, height: bottom - top });
  }
  return out;
}
