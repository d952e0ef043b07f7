import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFile } from '../engine/detector.js';
import { readBoxesFile } from '../eval/boxes-file.js';
import { type MatchCounts, matchBoxes, score, seededRandom } from '../eval/match.js';
import { rotateSample } from '../eval/rotate-sample.js';
import { DecodeError } from '../vision/decode.js';
import { boundingBox } from '../vision/geometry.js';
import { intFlag, numberFlag, parse, UsageError } from './args.js';
import { detectionContext, detectionFlags, loadFlaggedConfig } from './detection-context.js';
import { createProgress } from './progress.js';

export const evalDetectUsage = `facetag eval detect --images DIR --boxes FILE [--iou 0.4] [--rotate 0|90|180|270|random]
    [--seed N] [--limit N] [--json] [--engine cascade|neural] [detection flags as for detect]
  Scores detection against ground-truth boxes: precision, recall, F1 and seconds per image
  (--json adds each photo's angle and counts).`;

function rotationFor(rotate: string, random: () => number): number {
  if (rotate === 'random') return Math.floor(random() * 360);
  const angle = Number(rotate);
  if (![0, 90, 180, 270].includes(angle))
    throw new UsageError(`--rotate must be 0, 90, 180, 270 or random, got "${rotate}"`);
  return angle;
}

export async function evalDetectCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...detectionFlags,
    images: { type: 'string' },
    boxes: { type: 'string' },
    iou: { type: 'string' },
    rotate: { type: 'string' },
    seed: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.images || !values.boxes) throw new UsageError('--images and --boxes are required');
  const minIou = numberFlag('iou', values.iou, 0.01, 1) ?? 0.4;
  const rotate = values.rotate ?? '0';
  const random = seededRandom(intFlag('seed', values.seed) ?? 1);
  const truth = [...(await readBoxesFile(values.boxes)).entries()].sort(([a], [b]) => a.localeCompare(b));
  const samples = truth.slice(0, intFlag('limit', values.limit, 1) ?? truth.length);

  const work = mkdtempSync(join(tmpdir(), 'facetag-eval-'));
  const ctx = detectionContext(loadFlaggedConfig(values), values);
  const progress = createProgress({ label: 'eval detect', total: samples.length });
  const totals = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  let seconds = 0;
  let faces = 0;
  let timed = 0;
  const failed: string[] = [];
  // Per photo, for --json: which photos (at which angle) lose faces or gain false ones.
  const perImage: ({ readonly image: string; readonly angle: number } & MatchCounts)[] = [];
  try {
    for (const [index, [name, boxes]] of samples.entries()) {
      const source = join(values.images, name);
      const angle = rotationFor(rotate, random);
      faces += boxes.length;
      try {
        let input = source;
        let gt = boxes;
        if (angle !== 0) {
          // A flat name: box keys may contain folders.
          input = join(work, `${index}.rot${angle}.png`);
          gt = await rotateSample(source, input, boxes, angle);
        }
        const d = await detectFile(input, ctx.options);
        seconds += d.wallMs / 1000;
        timed++;
        const m: MatchCounts = matchBoxes(
          gt,
          d.faces.map((f) => boundingBox(f.rect)),
          minIou,
        );
        totals.truePositives += m.truePositives;
        totals.falsePositives += m.falsePositives;
        totals.falseNegatives += m.falseNegatives;
        perImage.push({ image: name, angle, ...m });
      } catch (err) {
        // A bad image counts its faces as missed and the evaluation goes on.
        if (!(err instanceof DecodeError) && !(angle !== 0 && err instanceof Error)) throw err;
        failed.push(err.message.includes(source) ? err.message : `${source}: ${err.message}`);
        totals.falseNegatives += boxes.length;
        perImage.push({ image: name, angle, truePositives: 0, falsePositives: 0, falseNegatives: boxes.length });
      }
      progress.tick(1, name);
    }
  } finally {
    await ctx.close();
    await rm(work, { recursive: true, force: true });
  }
  progress.done();
  const s = score(totals);
  const result = {
    precision: s.precision,
    recall: s.recall,
    f1: s.f1,
    secondsPerImage: seconds / Math.max(1, timed),
    images: samples.length,
    faces,
    ...totals,
    rotate,
    failed,
    engine: ctx.config.engine,
    perImage,
    settings:
      ctx.config.engine === 'neural'
        ? { ...ctx.config.neural, maxSide: ctx.config.detection.maxSide }
        : ctx.config.detection,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(
      `images ${result.images}  faces ${faces}  precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  ` +
        `F1 ${s.f1.toFixed(3)}  ${result.secondsPerImage.toFixed(3)} s/image\n`,
    );
  }
  return failed.length ? 1 : 0;
}
