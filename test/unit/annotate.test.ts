import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Annotation,
  annotationStyle,
  annotationSvg,
  KNOWN_COLOUR,
  UNKNOWN_COLOUR,
  xmlEscape,
} from '../../src/vision/annotate.js';
import { rectCorners } from '../../src/vision/geometry.js';
import { at, take } from '../helpers/items.js';

const annotations: Annotation[] = [
  { rect: { cx: 100, cy: 80, width: 60, height: 70, angle: 0 }, label: 'Alice', score: 1.23456, known: true },
  { rect: { cx: 300.25, cy: 210.5, width: 50.5, height: 64, angle: 30 }, label: 'unknown', known: false },
  { rect: { cx: 420, cy: 30, width: 40, height: 40, angle: -90 }, label: '<b>&"\'', score: -0.5, known: true },
];

function polygons(svg: string): { points: number[][]; stroke: string }[] {
  return [...svg.matchAll(/<polygon points="([^"]*)"[^>]*stroke="([^"]*)"/g)].map((m) => ({
    points: at(m, 1, 'polygon points')
      .split(' ')
      .map((pair) => pair.split(',').map(Number)),
    stroke: at(m, 2, 'polygon stroke'),
  }));
}

test('one polygon per annotation, corners matching rectCorners', () => {
  const svg = annotationSvg(640, 480, annotations);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  const polys = polygons(svg);
  assert.equal(polys.length, annotations.length);
  polys.forEach((poly, i) => {
    const expected = rectCorners(at(annotations, i, 'annotations').rect);
    assert.equal(poly.points.length, 4);
    poly.points.forEach((point, k) => {
      const [x, y] = take(point, 2, 'corner coordinates');
      const corner = at(expected, k, 'expected corners');
      assert.ok(Math.abs(x - corner.x) <= 0.005 + 1e-9, `x ${x} vs ${corner.x}`);
      assert.ok(Math.abs(y - corner.y) <= 0.005 + 1e-9, `y ${y} vs ${corner.y}`);
    });
  });
});

test('colours follow `known`', () => {
  const polys = polygons(annotationSvg(640, 480, annotations));
  assert.deepEqual(
    polys.map((p) => p.stroke),
    [KNOWN_COLOUR, UNKNOWN_COLOUR, KNOWN_COLOUR],
  );
  assert.notEqual(KNOWN_COLOUR, UNKNOWN_COLOUR);
  // Green-ish and red-ish.
  const channel = (hex: string, i: number): number => Number.parseInt(hex.slice(i, i + 2), 16);
  const rgb = (hex: string): [number, number, number] => [channel(hex, 1), channel(hex, 3), channel(hex, 5)];
  const [kr, kg, kb] = rgb(KNOWN_COLOUR);
  assert.ok(kg > 150 && kr < 80 && kb < 80);
  const [ur, ug, ub] = rgb(UNKNOWN_COLOUR);
  assert.ok(ur > 150 && ug < 80 && ub < 80);
});

test('labels are XML-escaped and scores shown to 2 decimals', () => {
  const svg = annotationSvg(640, 480, annotations);
  assert.ok(svg.includes('>Alice 1.23<'));
  assert.ok(svg.includes('>unknown<'));
  assert.ok(svg.includes('>&lt;b&gt;&amp;&quot;&apos; -0.50<'));
  assert.ok(!svg.includes('<b>'));
  // Only the escaped entities remain: no raw '&' that doesn't start an entity.
  assert.ok(!/&(?!amp;|lt;|gt;|quot;|apos;)/.test(svg));
  assert.equal(xmlEscape('a\u0001b\uD800c\u{1F600}'), 'a\uFFFDb\uFFFDc\u{1F600}');
});

test('line width and font size scale with the image', () => {
  const small = annotationStyle(320, 240);
  const large = annotationStyle(4000, 3000);
  assert.ok(large.strokeWidth > small.strokeWidth);
  assert.ok(large.fontSize > small.fontSize);
  const svg = annotationSvg(4000, 3000, annotations);
  assert.ok(svg.includes(`stroke-width="${large.strokeWidth}"`));
  assert.ok(svg.includes(`font-size="${large.fontSize}"`));
});

test('no annotations: an empty overlay', () => {
  const svg = annotationSvg(10, 10, []);
  assert.equal(polygons(svg).length, 0);
  assert.throws(() => annotationSvg(0, 10, []), RangeError);
});
