/** The one box a face gets (issue 16 §3): sidecar regions and plugin events snap it the same way. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faceArea } from '../../src/sidecar/regions.js';
import { pixelBox } from '../../src/vision/geometry.js';

const image = { width: 200, height: 100 };

test('pixelBox snaps the bounding box to whole pixels and clips it to the image', () => {
  // Edges at 40.3..60.5 → 40..61 would hang on a .5; these sit clear of it: 40.4..60.6, 35.6..45.6.
  assert.deepEqual(pixelBox({ cx: 50.5, cy: 40.6, width: 20.2, height: 10, angle: 0 }, image), {
    x: 40,
    y: 36,
    width: 21,
    height: 10,
  });
  // Half outside on the left and the top: what is inside remains.
  assert.deepEqual(pixelBox({ cx: 2, cy: 3, width: 10, height: 10, angle: 0 }, image), {
    x: 0,
    y: 0,
    width: 7,
    height: 8,
  });
  // A square turned 45° has a bounding box √2 times its side (28.28 px → 86..114).
  assert.deepEqual(pixelBox({ cx: 100, cy: 50, width: 20, height: 20, angle: 45 }, image), {
    x: 86,
    y: 36,
    width: 28,
    height: 28,
  });
  assert.equal(pixelBox({ cx: 300, cy: 50, width: 20, height: 20, angle: 0 }, image), undefined, 'wholly outside');
});

test("the sidecar's region is the same pixel box, as fractions of the image (orientation 1)", () => {
  // Random rects, some partly outside, at any angle: the region, back in pixels, is the box.
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 2000; i++) {
    const rect = {
      cx: random() * 240 - 20,
      cy: random() * 140 - 20,
      width: 2 + random() * 60,
      height: 2 + random() * 60,
      angle: random() * 360,
    };
    const box = pixelBox(rect, image);
    const area = faceArea({ rect }, image.width, image.height, 1);
    assert.equal(area === undefined, box === undefined, `rect ${i}: both or neither`);
    if (!box || !area) continue;
    const px = (v: number, side: number) => Math.round(v * side);
    assert.deepEqual(
      {
        x: px(area.mp.x, image.width),
        y: px(area.mp.y, image.height),
        width: px(area.mp.w, image.width),
        height: px(area.mp.h, image.height),
      },
      box,
      `rect ${i}`,
    );
  }
});
