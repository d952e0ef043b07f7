/**
 * A face box in the oriented (displayed) image, in pixels: its centre, its size, and the
 * angle in degrees by which the face is turned clockwise from upright. Rotating the image
 * counter-clockwise by `angle` makes the face upright. Coordinates have y pointing down.
 */
export interface RotatedRect {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  readonly angle: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface AxisBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const DEG = Math.PI / 180;

/** The same rect in an image scaled by `s` (e.g. detection pixels ↔ full-resolution pixels). */
export function scaleRect(rect: RotatedRect, s: number): RotatedRect {
  return { cx: rect.cx * s, cy: rect.cy * s, width: rect.width * s, height: rect.height * s, angle: rect.angle };
}

/** An axis-aligned box as an upright rotated rect. */
export function boxRect(b: AxisBox): RotatedRect {
  return { cx: b.x + b.width / 2, cy: b.y + b.height / 2, width: b.width, height: b.height, angle: 0 };
}

/** Map a point given in the rect's upright frame (origin at its centre) into the image. */
export function fromRectFrame(rect: RotatedRect, u: number, v: number): Point {
  const cos = Math.cos(rect.angle * DEG);
  const sin = Math.sin(rect.angle * DEG);
  return { x: rect.cx + u * cos - v * sin, y: rect.cy + u * sin + v * cos };
}

/** Whether point (x, y) lies inside the rotated rect (edges included). */
export function rectContains(rect: RotatedRect, x: number, y: number): boolean {
  const cos = Math.cos(rect.angle * DEG);
  const sin = Math.sin(rect.angle * DEG);
  const dx = x - rect.cx;
  const dy = y - rect.cy;
  // Into the rect's upright frame: the inverse of fromRectFrame.
  const u = dx * cos + dy * sin;
  const v = -dx * sin + dy * cos;
  return Math.abs(u) <= rect.width / 2 && Math.abs(v) <= rect.height / 2;
}

/** Corners in drawing order: top-left, top-right, bottom-right, bottom-left of the upright face. */
export function rectCorners(rect: RotatedRect): [Point, Point, Point, Point] {
  const hw = rect.width / 2;
  const hh = rect.height / 2;
  return [
    fromRectFrame(rect, -hw, -hh),
    fromRectFrame(rect, hw, -hh),
    fromRectFrame(rect, hw, hh),
    fromRectFrame(rect, -hw, hh),
  ];
}

/** Axis-aligned bounding box of a rotated rect. */
export function boundingBox(rect: RotatedRect): AxisBox {
  const pts = rectCorners(rect);
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/**
 * The rect's bounding box snapped to whole pixels and clipped to a `width`×`height` image, or
 * undefined when nothing of it lies inside. The one box a face gets: sidecar regions and plugin
 * events both use it, so a gallery sees the same pixels from either (digiKam keeps faces as integer
 * rectangles, spec §1.4).
 */
export function pixelBox(
  rect: RotatedRect,
  image: { readonly width: number; readonly height: number },
): AxisBox | undefined {
  const b = boundingBox(rect);
  const clip = (v: number, hi: number) => Math.min(hi, Math.max(0, Math.round(v)));
  const left = clip(b.x, image.width);
  const top = clip(b.y, image.height);
  const right = clip(b.x + b.width, image.width);
  const bottom = clip(b.y + b.height, image.height);
  if (right <= left || bottom <= top) return undefined;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Intersection over union of two axis-aligned boxes. */
export function iou(a: AxisBox, b: AxisBox): number {
  const iw = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const ih = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = iw * ih;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Angle folded into (-180, 180], so 345 becomes -15. */
export function signedAngle(angle: number): number {
  const a = ((angle % 360) + 360) % 360;
  return a > 180 ? a - 360 : a;
}
