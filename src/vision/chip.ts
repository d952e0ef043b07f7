/**
 * Face chips: cut a (possibly rotated) face box out of an oriented image and turn it upright.
 * Pure pixel math, no I/O; `chip-png.ts` holds the PNG encoder.
 */
import type { RotatedRect } from './geometry.js';

export interface RasterImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** Interleaved 8-bit samples, row-major, `width * height * channels` long. */
  readonly pixels: Uint8Array;
}

export interface ChipOptions {
  /** Extra margin around the face box, as a fraction of its size on each side (0 = the box itself). */
  readonly padding: number;
  /** Output size; default: the rect's size (rounded) times (1 + 2*padding). */
  readonly outWidth?: number;
  readonly outHeight?: number;
}

const DEG = Math.PI / 180;

function checkOutSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`cutChip: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Cut a face out of `image`, turned upright (rotate by -rect.angle), with bilinear sampling
 * and the pixel-centre convention; pixels outside the image are filled by edge replication.
 *
 * Chip pixel (i, j) (row, col) sits at u = (j + 0.5) * sx - W/2, v = (i + 0.5) * sy - H/2 in
 * the rect's upright frame, where W x H is the padded rect size and sx = W / outWidth,
 * sy = H / outHeight. That point is mapped into the image as `fromRectFrame` does and sampled
 * at (x - 0.5, y - 0.5) in pixel-index space. At angle 0, no padding, an integer box and an
 * output of the box's size, the chip is exactly the plain crop.
 */
export function cutChip(image: RasterImage, rect: RotatedRect, options: ChipOptions): RasterImage {
  const { width: iw, height: ih, channels: ch, pixels: src } = image;
  if (!Number.isInteger(iw) || !Number.isInteger(ih) || iw < 1 || ih < 1) {
    throw new RangeError(`cutChip: bad image size ${iw}x${ih}`);
  }
  if (ch !== 1 && ch !== 3) throw new RangeError(`cutChip: unsupported channel count ${String(ch)}`);
  if (src.length !== iw * ih * ch) {
    throw new RangeError(`cutChip: pixel buffer holds ${src.length} bytes, expected ${iw * ih * ch}`);
  }
  const { cx, cy, angle } = rect;
  if (![cx, cy, rect.width, rect.height, angle].every(Number.isFinite) || rect.width <= 0 || rect.height <= 0) {
    throw new RangeError(`cutChip: bad rect ${JSON.stringify(rect)}`);
  }
  const scale = 1 + 2 * options.padding;
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`cutChip: bad padding ${options.padding}`);

  const W = rect.width * scale;
  const H = rect.height * scale;
  const ow = checkOutSize('outWidth', options.outWidth ?? Math.max(1, Math.round(W)));
  const oh = checkOutSize('outHeight', options.outHeight ?? Math.max(1, Math.round(H)));
  const sx = W / ow;
  const sy = H / oh;

  const cos = Math.cos(angle * DEG);
  const sin = Math.sin(angle * DEG);
  // Image position (minus the half-pixel shift into index space) of chip pixel (i, j):
  //   px = cx - 0.5 + u cos - v sin,  py = cy - 0.5 + u sin + v cos
  // with u = u0 + j sx and v = v0 + i sy, so px = rowX + j * dxj, py = rowY + j * dyj.
  const u0 = 0.5 * sx - W / 2;
  const v0 = 0.5 * sy - H / 2;
  const dxj = sx * cos;
  const dyj = sx * sin;
  const maxX = iw - 1;
  const maxY = ih - 1;
  const stride = iw * ch;

  const out = new Uint8Array(ow * oh * ch);
  let o = 0;
  for (let i = 0; i < oh; i++) {
    const v = v0 + i * sy;
    const rowX = cx - 0.5 + u0 * cos - v * sin;
    const rowY = cy - 0.5 + u0 * sin + v * cos;
    for (let j = 0; j < ow; j++) {
      const px = rowX + j * dxj;
      const py = rowY + j * dyj;
      const fx0 = Math.floor(px);
      const fy0 = Math.floor(py);
      const ax = px - fx0;
      const ay = py - fy0;
      // Clamp both neighbours: edge replication outside the image.
      const x0 = Math.min(maxX, Math.max(0, fx0));
      const x1 = Math.min(maxX, Math.max(0, fx0 + 1));
      const y0 = Math.min(maxY, Math.max(0, fy0));
      const y1 = Math.min(maxY, Math.max(0, fy0 + 1));
      const w00 = (1 - ax) * (1 - ay);
      const w01 = ax * (1 - ay);
      const w10 = (1 - ax) * ay;
      const w11 = ax * ay;
      const i00 = y0 * stride + x0 * ch;
      const i01 = y0 * stride + x1 * ch;
      const i10 = y1 * stride + x0 * ch;
      const i11 = y1 * stride + x1 * ch;
      for (let c = 0; c < ch; c++) {
        const value = w00 * src[i00 + c]! + w01 * src[i01 + c]! + w10 * src[i10 + c]! + w11 * src[i11 + c]!;
        // Weights sum to 1 and samples are in [0, 255], so rounding stays in range.
        out[o++] = Math.round(value);
      }
    }
  }
  return { width: ow, height: oh, channels: ch, pixels: out };
}
