/**
 * From a face chip to the aligned face the recognition net sees, as face-api computes it
 * (extractFaceTensors, FaceLandmark68Net's post-processing, FaceLandmarks.align with dlib's
 * alignment), in plain arithmetic in face-api's order, so the boxes floor to the same pixels.
 * The landmark net itself runs elsewhere (landmark-onnx.ts). Pure.
 */
import type { AxisBox as FaceBox, Point } from '../vision/geometry.js';
import type { RgbImage } from './rotate-rgb.js';

/** face-api's extractFaceTensors: the box clipped to the image, each field floored, cut out; null if empty. */
export function cropFace(image: RgbImage, box: FaceBox): RgbImage | null {
  const cx = Math.max(box.x, 0);
  const cy = Math.max(box.y, 0);
  const x = Math.floor(cx);
  const y = Math.floor(cy);
  const width = Math.floor(Math.min(box.x + box.width - cx, image.width - cx));
  const height = Math.floor(Math.min(box.y + box.height - cy, image.height - cy));
  if (width <= 0 || height <= 0) return null;
  const pixels = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) {
    const from = ((y + r) * image.width + x) * 3;
    pixels.set(image.pixels.subarray(from, from + width * 3), r * width * 3);
  }
  return { width, height, pixels };
}

/**
 * The 68 landmarks in chip pixels, from the net's 136 outputs for a `crop` cut at `shift`: the
 * padding of the net's square taken off in float32 as face-api's tensors do, then scaled to the
 * crop and shifted as its FaceLandmarks objects do.
 */
export function landmarkPositions(
  out: ArrayLike<number>,
  crop: { width: number; height: number },
  shift: Point,
  side: number,
): Point[] {
  const f = Math.fround;
  const { width, height } = crop;
  const scale = side / Math.max(height, width);
  const w = width * scale;
  const h = height * scale;
  const padX = w < h ? Math.abs(w - h) / 2 : 0;
  const padY = h < w ? Math.abs(w - h) / 2 : 0;
  const points: Point[] = [];
  for (let k = 0; k < 68; k++) {
    const rx = f(f(f((out[2 * k] ?? 0) * side) - f(padX)) / f(w));
    const ry = f(f(f((out[2 * k + 1] ?? 0) * side) - f(padY)) / f(h));
    // detectLandmarks scales by the crop, shiftBy goes back to relative and scales again.
    points.push({ x: ((rx * width) / width) * width + shift.x, y: ((ry * height) / height) * height + shift.y });
  }
  return points;
}

/** face-api's getCenterPoint: summed in order from (0, 0), then divided. */
function centre(points: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p.x;
    y += p.y;
  }
  return { x: x / points.length, y: y / points.length };
}

/** FaceLandmarks68.align(null, { useDlibAlignment: true }): eyes and mouth set the box. */
export function dlibBox(points: readonly Point[], crop: { width: number; height: number }): FaceBox {
  const eyesAndMouth = [points.slice(36, 42), points.slice(42, 48), points.slice(48, 68)].map(centre);
  const [left, right, mouth] = eyesAndMouth as [Point, Point, Point];
  const toMouth = (p: Point) => Math.sqrt((mouth.x - p.x) ** 2 + (mouth.y - p.y) ** 2);
  const size = Math.floor((toMouth(left) + toMouth(right)) / 2 / 0.45);
  const ref = centre(eyesAndMouth);
  const x = Math.floor(Math.max(0, ref.x - 0.5 * size));
  const y = Math.floor(Math.max(0, ref.y - 0.43 * size));
  return { x, y, width: Math.min(size, crop.width + x), height: Math.min(size, crop.height + y) };
}
