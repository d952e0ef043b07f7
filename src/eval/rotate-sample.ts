import { writeTurnedPng } from '../vision/encode.js';
import { type AxisBox, boundingBox } from '../vision/geometry.js';

/**
 * Turn an evaluation image clockwise by `angle` (expanding the canvas, black outside) and
 * its ground-truth boxes with it. Each box becomes the bounding box of the turned box,
 * the same convention detections are scored with.
 */
export async function rotateSample(
  input: string,
  output: string,
  boxes: readonly AxisBox[],
  angle: number,
): Promise<AxisBox[]> {
  // Boxes are in the displayed frame, so turn the displayed image: orient first, then rotate.
  const { before: meta, after: info } = await writeTurnedPng(input, output, angle);
  const rad = (angle * Math.PI) / 180;
  const [cos, sin] = [Math.cos(rad), Math.sin(rad)];
  const w = meta.width;
  const h = meta.height;
  return boxes.map((b) => {
    const dx = b.x + b.width / 2 - w / 2;
    const dy = b.y + b.height / 2 - h / 2;
    return boundingBox({
      cx: dx * cos - dy * sin + info.width / 2,
      cy: dx * sin + dy * cos + info.height / 2,
      width: b.width,
      height: b.height,
      angle,
    });
  });
}
