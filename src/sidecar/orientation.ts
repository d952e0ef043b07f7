/**
 * EXIF orientation and MWG regions (spec §2). MWG areas are fractions of the STORED raster (the
 * pixel grid before EXIF Orientation is applied), centre-based; the detector works on the
 * DISPLAYED (auto-rotated) image. This is the spec's §2.3 table, checked there for all 8 values.
 */

/** A box as fractions (0..1) of an image: centre (x, y) and size (w, h). */
export interface NormalizedArea {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Whether an orientation swaps width and height (5..8: the image is turned a quarter). */
export function swapsAxes(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

/** The displayed image's size for a stored raster of `width` × `height`. */
export function displayedSize(width: number, height: number, orientation: number): { width: number; height: number } {
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
