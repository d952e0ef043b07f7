import { mkdir } from 'node:fs/promises';
import { listImages } from '../files/walk.js';
import { type PhotoRecognition, recogniseFile } from '../pipeline/recognise.js';
import { loadPersonModels, ModelFileError } from '../recognize/person-model.js';
import { Recognizer, UNKNOWN } from '../recognize/recognizer.js';
import { annotateImageFile } from '../vision/annotate-file.js';
import { DecodeError } from '../vision/decode.js';
import { annotatedName } from './annotated-name.js';
import { InputError, parse, UsageError } from './args.js';
import { detectionContext, detectionFlags } from './detection-context.js';
import { faceJson } from './face-json.js';
import { createProgress } from './progress.js';
import { modelsDir } from './recognition-context.js';

export const classifyUsage = `facetag classify <image|dir>... [--models DIR] [--annotate DIR] [--json] [detection flags as for detect]
  The seed's pipeline: detect with the rotation sweep, name each face with the models
  (largest decision value, or unknown), de-duplicate, and print or draw the labelled boxes.`;

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

function recognitionJson(r: PhotoRecognition) {
  return {
    file: r.file,
    width: r.width,
    height: r.height,
    orientation: r.orientation,
    faces: r.faces.map((f) => ({
      label: f.recognition.name,
      score: f.recognition.value === null ? null : round4(f.recognition.value),
      ...faceJson(f),
      decisions: Object.fromEntries(Object.entries(f.recognition.decisions).map(([k, v]) => [k, round4(v)])),
    })),
    seconds: Math.round(r.wallMs) / 1000,
  };
}

export async function classifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...detectionFlags,
    models: { type: 'string' },
    json: { type: 'boolean' },
    annotate: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('give at least one image or folder');
  const failures: string[] = [];
  const files = await listImages(positionals, (path, reason) => failures.push(`cannot read folder ${path}: ${reason}`));
  const ctx = detectionContext(values);
  const dir = modelsDir(ctx.config, values);
  let recognizer: Recognizer;
  try {
    const models = await loadPersonModels(dir);
    if (models.length === 0) throw new InputError(`${dir}: no models (*.model.json); run facetag train first`);
    recognizer = new Recognizer(models, ctx.config.recognition.thresholds);
  } catch (err) {
    await ctx.close();
    if (err instanceof ModelFileError) throw new InputError(err.message);
    throw err;
  }
  const progress = createProgress({ label: 'classify', total: files.length });
  const results: unknown[] = [];
  const usedNames = new Set<string>();
  try {
    if (values.annotate) await mkdir(values.annotate, { recursive: true });
    for (const file of files) {
      try {
        const r = await recogniseFile(
          file,
          ctx.options,
          recognizer,
          ctx.config.detection.parity ? 'response' : ctx.config.recognition.dedupe,
        );
        const json = recognitionJson(r);
        results.push(json);
        if (!values.json) {
          for (const f of json.faces) {
            process.stdout.write(`${file}\t${f.label}\t${f.score ?? '-'}\t${f.box.join(',')}\tangle ${f.rect.angle}\n`);
          }
        }
        if (values.annotate) {
          const out = annotatedName(values.annotate, file, usedNames);
          const boxes = r.faces.map((f) => ({
            rect: f.rect,
            label: f.recognition.name,
            ...(f.recognition.value === null ? {} : { score: f.recognition.value }),
            known: f.recognition.name !== UNKNOWN,
          }));
          await annotateImageFile(file, out, boxes).catch((err: unknown) => {
            failures.push(`${file}: cannot write ${out}: ${err instanceof Error ? err.message : String(err)}`);
          });
        }
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        failures.push(err.message);
        results.push({ file, error: { reason: err.reason, message: err.message } });
      }
      progress.tick(1, file);
    }
  } finally {
    await ctx.close();
  }
  progress.done(failures.length ? `${failures.length} file(s) failed` : undefined);
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  for (const f of failures) process.stderr.write(`error: ${f}\n`);
  return failures.length ? 1 : 0;
}
