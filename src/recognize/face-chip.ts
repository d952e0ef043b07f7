import { cutChip, type RasterImage } from '../vision/chip.js';
import type { RotatedRect } from '../vision/geometry.js';
import { rgbToGrey } from '../vision/grey.js';
import type { GreyChip } from './features.js';

/** The upright grey chip of a face, as the models see it (grey like skimage's rgb2gray). */
export function greyChip(image: RasterImage, rect: RotatedRect, padding: number): GreyChip {
  const chip = cutChip(image, rect, { padding });
  return { width: chip.width, height: chip.height, data: rgbToGrey(chip.pixels, chip.channels) };
}
