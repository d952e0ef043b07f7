/** The one box a face gets (issue 16 §3): sidecar regions and plugin events snap it the same way. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faceArea } from '../../src/sidecar/regions.js';
import { pixelBox } from '../../src/vision/geometry.js';

const image = { width: 200, height: 100 };

test('pixelBox snaps the bounding box to whole pixels and clips it to the image', () => {
  assert.deepEqual(pixelBox({ cx: 50.4, cy: 40.6, width: 20.2, height: 10, angle: 0 }, image), {
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
  // A square turned 45° has a bounding box √2 times its side.
  const turned = pixelBox({ cx: 100, cy: 50, width: 20, height: 20, angle: 45 }, image);
  assert.deepEqual(turned, { x: 86, y: 36, width: 28, height: 28 });
  assert.equal(pixelBox({ cx: 300, cy: 50, width: 20, height: 20, angle: 0 }, image), undefined, 'wholly outside');
});

test("the sidecar's region is the same pixel box, as fractions of the image (orientation 1)", () => {
  for (const rect of [
    { cx: 50.4, cy: 40.6, width: 20.2, height: 10, angle: 0 },
    { cx: 2, cy: 3, width: 10, height: 10, angle: 0 },
    { cx: 120, cy: 61, width: 33, height: 41, angle: 30 },
  ]) {
    const box = pixelBox(rect, image);
    const area = faceArea({ rect }, image.width, image.height, 1);
    assert.ok(box && area);
    assert.deepEqual(area.mp, {
      x: box.x / image.width,
      y: box.y / image.height,
      w: box.width / image.width,
      h: box.height / image.height,
    });
  }
});
