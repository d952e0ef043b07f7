import { listImages } from '../files/walk.js';
import { type PhotoRecognition, recogniseFile } from '../pipeline/recognise.js';
import { loadPersonModels, ModelFileError } from '../recognize/person-model.js';
import { Recognizer, UNKNOWN } from '../recognize/recognizer.js';
import { InputError, parse, UsageError } from './args.js';
import { detectionContext, detectionFlags, loadFlaggedConfig } from './detection-context.js';
import { faceJson } from './face-json.js';
import { forEachPhoto } from './photo-loop.js';
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
  const loaded = loadFlaggedConfig(values);
  const dir = modelsDir(loaded, values);
  // Unless a person chose the engine, the models say which: HOG models were trained on the cascade's chips.
  const kind = loaded.engineChosen
    ? undefined
    : await loadPersonModels(dir).then(
        (models) => models[0]?.features.kind,
        () => undefined,
      );
  const ctx = detectionContext(
    kind === undefined ? loaded : { ...loaded, engine: kind === 'hog' ? 'cascade' : 'neural' },
    values,
  );
  let recognizer: Recognizer;
  try {
    // Models trained with the other engine's features are refused here, naming the file.
    const models = await loadPersonModels(dir, ctx.features);
    if (models.length === 0) throw new InputError(`${dir}: no models (*.model.json); run facetag train first`);
    recognizer = new Recognizer(models, ctx.config.recognition.thresholds);
  } catch (err) {
    await ctx.close();
    if (err instanceof ModelFileError) throw new InputError(err.message);
    throw err;
  }
  const dedupe = ctx.config.detection.parity ? 'response' : ctx.config.recognition.dedupe;
  try {
    return await forEachPhoto(
      files,
      {
        label: 'classify',
        json: values.json ?? false,
        failures,
        ...(values.annotate ? { annotateDir: values.annotate } : {}),
      },
      async (file) => {
        const r = await recogniseFile(file, ctx.options, recognizer, dedupe);
        const json = recognitionJson(r);
        return {
          json,
          lines: json.faces.map(
            (f) => `${file}\t${f.label}\t${f.score ?? '-'}\t${f.box.join(',')}\tangle ${f.rect.angle}`,
          ),
          annotations: r.faces.map((f) => ({
            rect: f.rect,
            label: f.recognition.name,
            ...(f.recognition.value === null ? {} : { score: f.recognition.value }),
            known: f.recognition.name !== UNKNOWN,
          })),
        };
      },
    );
  } finally {
    await ctx.close();
  }
}
