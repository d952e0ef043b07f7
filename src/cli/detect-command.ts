import { detectFile } from '../engine/detector.js';
import { listImages } from '../files/walk.js';
import { parse, UsageError } from './args.js';
import { detectionContext, detectionFlags, loadFlaggedConfig } from './detection-context.js';
import { detectionJson } from './face-json.js';
import { forEachPhoto } from './photo-loop.js';

export const detectUsage = `facetag detect <image|dir>... [--json] [--annotate DIR] [--config FILE]
    [--rotation-step N] [--max-side PX] [--step-ratio R] [--min-neighbours N] [--min-size PX] [--max-size PX]
    [--min-hit-density D] [--parity] [--workers N] [--engine cascade|neural] [--min-confidence S]
  Finds faces (rotation sweep included) and prints them, one line per face, or JSON with --json.
  --engine neural (the default): face-api's SSD with a 45° sweep by default;
  --rotation-step and --workers then apply to it, --min-confidence is its score threshold.`;

/** `facetag detect`: returns the process exit code (1 when any file failed). */
export async function detectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...detectionFlags,
    json: { type: 'boolean' },
    annotate: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('give at least one image or folder');
  const failures: string[] = [];
  const files = await listImages(positionals, (path, reason) => failures.push(`cannot read folder ${path}: ${reason}`));
  const ctx = detectionContext(loadFlaggedConfig(values), values);
  try {
    return await forEachPhoto(
      files,
      {
        label: 'detect',
        json: values.json ?? false,
        failures,
        ...(values.annotate ? { annotateDir: values.annotate } : {}),
      },
      async (file) => {
        const d = await detectFile(file, ctx.options);
        const json = detectionJson(d);
        return {
          json,
          lines: json.faces.map((f) => `${file}\t${f.box.join(',')}\tangle ${f.rect.angle}\tstrength ${f.strength}`),
          annotations: d.faces.map((f) => ({ rect: f.rect, label: 'face', score: f.strength, known: false })),
        };
      },
    );
  } finally {
    await ctx.close();
  }
}
