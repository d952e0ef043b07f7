/**
 * The stored chip of a face someone drew on the photo view: cut from the photo decoded at the
 * size detection uses, exactly as a detected face's chip is, so training cannot tell them apart.
 */

import { decodeForDetection } from '../engine/detector.js';
import { STORED_PADDING, storedChip } from '../recognize/stored-chip.js';
import { encodeChipPng } from '../vision/chip-png.js';
import { type AxisBox, boxRect, scaleRect } from '../vision/geometry.js';
import { faceThumb } from './face-thumb.js';

export interface DrawnFaceChip {
  readonly chip: Buffer;
  readonly padding: number;
  /** The same crop in colour (JPEG), what people are shown. */
  readonly thumb: Buffer;
}

/** `box` is in the oriented full-resolution frame. Throws DecodeError for a bad file. */
export async function drawnFaceChip(
  file: string,
  box: AxisBox,
  decode: Parameters<typeof decodeForDetection>[1],
): Promise<DrawnFaceChip> {
  const image = await decodeForDetection(file, decode);
  const rect = scaleRect(boxRect(box), image.width / image.fullWidth);
  return {
    chip: await encodeChipPng(storedChip(image, rect)),
    padding: STORED_PADDING,
    thumb: await faceThumb(image, rect),
  };
}
