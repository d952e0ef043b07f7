import * as z from 'zod';
import { isRotationStep } from '../core/rotation.js';
import { pluginsSchema } from './plugins.js';

/** How faces are found and described. */
export const ENGINES = ['neural', 'cascade'] as const;
export type Engine = (typeof ENGINES)[number];
/** A new library's engine: it finds 92 % of faces and names 97 % right, against 77 % and 74 % (README). */
export const DEFAULT_ENGINE: Engine = 'neural';

/**
 * The one definition of facetag's configuration: types (inferred), defaults and descriptions.
 * config.example.json and config.schema.json are generated from it (`npm run gen:config`), and a unit
 * test fails when they drift. Do not keep a parallel interface or defaults object anywhere else.
 *
 * Every field has a default, so `{}` is a valid config. Objects are strict: an unknown key is an
 * error, which catches typos such as `detection.rotationstep`.
 */

const decodeSchema = z
  .strictObject({
    maxPixels: z
      .int()
      .positive()
      .default(100_000_000)
      .describe(
        'Refuse to decode images with more pixels than this (width × height); guards against decompression bombs.',
      ),
  })
  .describe('Image decoding.');

const detectionSchema = z
  .strictObject({
    maxSide: z
      .int()
      .min(64)
      .default(1600)
      .describe('Longest side, in pixels, of the grey image the detector scans; larger photos are scaled down first.'),
    minFaceFraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.015)
      .describe(
        "Smallest face to look for, as a fraction of the detection image's longest side (never below the 24 px cascade window).",
      ),
    maxFaceFraction: z
      .number()
      .gt(0)
      .lte(1)
      .default(1)
      .describe("Largest face to look for, as a fraction of the detection image's longest side."),
    scaleFactor: z
      .number()
      .gt(1)
      .default(1.1)
      .describe('Ratio between successive window sizes of the cascade scan (skimage scale_factor).'),
    stepRatio: z
      .number()
      .gt(0)
      .default(2)
      .describe('Step between windows as a multiple of the current scale (skimage step_ratio).'),
    minNeighbours: z
      .int()
      .min(1)
      .default(2)
      .describe('Raw hits a group needs to count as a face (skimage min_neighbour_number).'),
    intersectionScoreThreshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        'A hit joins a group when intersection / smaller area exceeds this (skimage intersection_score_threshold).',
      ),
    minHitDensity: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe(
        'Keep a face only if this share of a dense second scan around it also finds a face (0 turns the check off). Separates faces from chance textures.',
      ),
    rotationStep: z
      .int()
      .min(1)
      .max(360)
      // Out-of-range values already fail min/max; report only the divisibility problem here.
      .refine((v) => v < 1 || v > 360 || isRotationStep(v), { message: 'must divide 360' })
      .default(15)
      .describe('Degrees between the angles of the rotation sweep; must divide 360. 360 turns the sweep off.'),
    parity: z
      .boolean()
      .default(false)
      .describe(
        'Scan exactly like scikit-image (float32 integral image, full-size image, no shrink). Slow; for checking parity.',
      ),
    workers: z.int().min(0).default(0).describe('Worker threads for detection; 0 means one per CPU core.'),
  })
  .refine((d) => d.minFaceFraction <= d.maxFaceFraction, {
    message: 'minFaceFraction must not exceed maxFaceFraction',
    path: ['minFaceFraction'],
  })
  .describe('Face detection (LBP cascade with rotation sweep).');

const neuralSchema = z
  .strictObject({
    rotationStep: z
      .int()
      .min(1)
      .max(360)
      .refine((v) => v < 1 || v > 360 || isRotationStep(v), { message: 'must divide 360' })
      .default(45)
      .describe(
        'Degrees between the angles of the neural sweep; must divide 360. The SSD tolerates some tilt: quarter turns (90) find sideways and upside-down photos, 45 also faces tilted by 20–45°; 360 turns the sweep off.',
      ),
    minConfidence: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.5)
      .describe('Smallest SSD score a face needs (face-api ssd_mobilenetv1).'),
    offAxisMinConfidence: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.6)
      .describe(
        'Smallest SSD score for a face found at a sweep angle that is not a quarter turn (e.g. 45°): turned photos show the SSD textures it mistakes for faces more often.',
      ),
    offAxisPenalty: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe(
        'When one face is found at several angles, each score is lowered by this times its distance from the nearest quarter turn (1 at 45°) before the strongest is kept, so an upright box wins unless the turned one is clearly stronger.',
      ),
    chipPadding: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        'Margin of the upright chip the embedding is computed from (landmarks inside the box, aligned crop from the whole chip).',
      ),
    maxDistance: z
      .number()
      .min(0)
      .default(0.5)
      .describe(
        "A face is named only if its mean euclidean distance to the person's nearest training embeddings (galleryNeighbours of them) is within this. On the dev library, against every family member's other faces, 0.5 accepted 96 % of family faces, 1.2 % of friends and strangers and no other family member; face-api's usual 0.6 on the nearest one alone accepted 48 % of friends and strangers. 0 turns the check off and leaves it to the SVMs alone.",
      ),
    galleryNeighbours: z
      .int()
      .min(1)
      .default(3)
      .describe('How many of the nearest training embeddings maxDistance is measured against (their mean).'),
    workers: z
      .int()
      .min(0)
      .default(1)
      .describe(
        "Neural worker threads; 0 means one per CPU core. A photo's sweep angles are split between them and its faces are embedded on the first. Each holds its own copy of the nets (about 150 MB), and each net already runs on `threads` cores, so a second worker buys little time for much memory: on 2 cores (bench:neural), one worker with 2 threads took 0.29 s a 12 MP photo at 390-425 MB, two with one thread each 0.26-0.27 s at 545-555 MB.",
      ),
    backend: z
      .enum(['onnxruntime', 'tfjs-wasm'])
      .default('onnxruntime')
      .describe(
        'What runs the nets. onnxruntime (native, ~5x faster) falls back to tfjs-wasm by itself where it cannot load; set tfjs-wasm only to rule onnxruntime out. Both give the same faces and descriptors.',
      ),
    threads: z
      .int()
      .min(0)
      .default(0)
      .describe(
        'Threads each neural worker runs a net on (onnxruntime); 0 shares the CPU cores among the workers. The tfjs-wasm fallback runs on one.',
      ),
  })
  .describe("The neural engine (engine: 'neural'): face-api's SSD MobileNet, 68 landmarks and 128-d descriptors.");

const chipsSchema = z
  .strictObject({
    padding: z
      .number()
      .min(0)
      .max(1)
      .default(0.25)
      .describe('Margin added around each detected face box before cutting the chip, as a fraction of the box size.'),
  })
  .describe('Face chips cut for recognition.');

const hogSchema = z
  .strictObject({
    orientations: z.int().min(1).max(36).default(9).describe('HOG orientation bins (the seed: 8).'),
    pixelsPerCell: z
      .tuple([z.int().min(2), z.int().min(2)])
      .default([10, 10])
      .describe('HOG cell size in pixels, [rows, cols] (the seed: [16, 16]).'),
    cellsPerBlock: z
      .tuple([z.int().min(1), z.int().min(1)])
      .default([2, 2])
      .describe('HOG block size in cells, [rows, cols] (the seed: [1, 1]).'),
    blockNorm: z.enum(['L1', 'L1-sqrt', 'L2', 'L2-Hys']).default('L2-Hys').describe('HOG block normalisation.'),
  })
  .describe('HOG features of each face chip (skimage.feature.hog parameters).');

const recognitionSchema = z
  .strictObject({
    hog: hogSchema.prefault({}),
    chipSize: z
      .union([z.literal('median'), z.tuple([z.int().min(16).max(512), z.int().min(16).max(512)])])
      .default([80, 80])
      .describe(
        "Size every chip is scaled to before HOG, [width, height]; 'median' uses the training chips' median size (the seed's scaler).",
      ),
    padding: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('Margin around the detected face box in the chips the models see, as a fraction of the box size.'),
    model: z
      .enum(['svm', 'tree'])
      .default('svm')
      .describe("Per-person classifier: 'svm' (grid-searched SVC) or the seed's 'tree'."),
    folds: z.int().min(2).max(20).default(3).describe('Stratified cross-validation folds of the grid search.'),
    kernels: z
      .array(z.enum(['linear', 'rbf']))
      .min(1)
      .default(['linear', 'rbf'])
      .describe('SVM kernels in the grid.'),
    C: z
      .array(z.number().positive())
      .min(1)
      .default([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10])
      .describe('SVM C values in the grid (the seed: 1, 1.5, ..., 10).'),
    classWeight: z
      .enum(['balanced', 'none'])
      .default('balanced')
      .describe(
        "SVM class weights: 'balanced' weighs each class by n / (2 · its count), so a person with few chips is not drowned by everyone else.",
      ),
    scoring: z
      .enum(['accuracy', 'balanced_accuracy'])
      .default('balanced_accuracy')
      .describe('Grid-search score: the mean over folds of this.'),
    maxDepths: z
      .array(z.int().min(1))
      .min(1)
      .default([10, 20, 30, 40, 50, 60, 70, 80, 90])
      .describe("The 'tree' model's max_depth grid."),
    thresholds: z
      .record(z.string(), z.number())
      .default({})
      .describe("Per-person acceptance thresholds on the decision value, overriding the model's own (0 for SVMs)."),
    jobs: z.int().min(0).default(0).describe('Worker threads for training; 0 means one per CPU core.'),
    guessFloor: z
      .number()
      .nullable()
      .default(null)
      .describe(
        "Cascade engine: group unknown faces as 'Maybe Ann?' when Ann's model scores them at least this decision value (below its acceptance threshold); null offers no guesses. On the identity dev data (npm run eval:labelling -- --engine cascade, 5 names per person) no floor made a guess right 90 % of the time (-1: 52 %, -0.5: 55 %, -0.25: 70 %), so by default none is offered and unknown faces are grouped by likeness.",
      ),
    dedupe: z
      .enum(['response', 'detector'])
      .default('detector')
      .describe(
        "Which detection of a face found at several sweep angles is kept and named: 'response', the one the models like best (the seed's rule), or 'detector', the cascade's strongest. 'detector' names strangers far less often: the seed's rule gives every stranger one chance per angle to be accepted.",
      ),
  })
  .describe('Recognition: HOG features and one classifier per person.');

const daemonSchema = z
  .strictObject({
    concurrency: z
      .int()
      .min(1)
      .max(16)
      .default(2)
      .describe('Photos analysed at once. Their cascade scans share the detection worker threads.'),
    settleMs: z
      .int()
      .min(0)
      .default(2000)
      .describe(
        'A new or changed photo is analysed once its size and mtime have been still this long (imports over SMB or rsync write for seconds).',
      ),
    include: z
      .array(z.string().min(1))
      .default([])
      .describe('Glob patterns (relative to a photo folder) a photo must match; empty means every supported image.'),
    exclude: z
      .array(z.string().min(1))
      .default([])
      .describe('Glob patterns (relative to a photo folder) to skip, e.g. "Screenshots/**".'),
    reconcileSchedule: z
      .string()
      .default('17 3 * * *')
      .describe(
        'node-cron schedule of the full reconcile that catches anything the watcher missed (default 03:17 daily).',
      ),
    trainDebounceSeconds: z
      .int()
      .min(1)
      .default(60)
      .describe('Retrain this long after the last label change, then re-name the stored faces.'),
    retryBaseSeconds: z
      .int()
      .min(1)
      .default(30)
      .describe('First retry delay of a photo that failed for a passing reason (doubles each attempt).'),
    truncatedFailAfterHours: z
      .number()
      .min(0)
      .default(24)
      .describe(
        'A truncated photo is looked at again while it may still be being copied; left unchanged this long, it is recorded as failed (truncated) until it changes.',
      ),
    stopDeadlineSeconds: z
      .int()
      .min(1)
      .max(600)
      .default(10)
      .describe('On SIGTERM, finish in-flight work and stop within this long, else exit anyway.'),
    releaseWorkersAfterSeconds: z
      .int()
      .min(0)
      .default(30)
      .describe(
        'Detection worker threads are ended after this long with no photo to analyse and started again when one arrives, so an idle daemon holds little memory; 0 keeps them.',
      ),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('Least severe log level written.'),
  })
  .describe('The watching daemon (facetag run).');

const httpSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the HTTP API (and, later, the labelling page).'),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address to listen on. Anything but loopback requires a token for every request.'),
    port: z.int().min(0).max(65535).default(8427).describe('TCP port (FACETAG_PORT overrides it). 0 picks a free one.'),
    token: z
      .string()
      .default('')
      .describe('Bearer token for write requests (and for all requests beyond loopback). FACETAG_TOKEN overrides it.'),
  })
  .describe('The HTTP API.');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema of this file, for editor completion; ignored by facetag.'),
    photos: z.array(z.string().min(1)).default([]).describe('Photo directories to watch.'),
    dataDir: z
      .string()
      .default('')
      .describe(
        'Where facetag keeps its database, chips and models. Empty means $STATE_DIRECTORY (systemd), else $XDG_DATA_HOME/facetag, else ~/.local/share/facetag.',
      ),
    engine: z
      .enum(ENGINES)
      .optional()
      .describe(
        "How faces are found and described: 'neural' (SSD + face embeddings: finds and names far more faces) or 'cascade' (the seed's LBP cascade + HOG). Unset: a library keeps the engine that analysed it, and a new one gets 'neural'. Setting it to another engine analyses every photo again (labels are kept). Models are tied to the engine they were trained with.",
      ),
    // prefault({}) runs the nested defaults when the whole section is missing.
    decode: decodeSchema.prefault({}),
    detection: detectionSchema.prefault({}),
    neural: neuralSchema.prefault({}),
    chips: chipsSchema.prefault({}),
    recognition: recognitionSchema.prefault({}),
    daemon: daemonSchema.prefault({}),
    http: httpSchema.prefault({}),
    plugins: pluginsSchema
      .default([
        {
          name: 'xmp',
          enabled: true,
          options: {},
          deadlineSeconds: 30,
          concurrency: 2,
          disableAfterFailures: 10,
          disableAfterMinutes: 60,
          giveUpAfterAttempts: 50,
          parkAfterAttempts: 3,
        },
      ])
      .describe(
        "Where tags go: built-ins 'xmp' (sidecars beside the photos), 'immich', 'photoprism', 'webhook', or a path or package name of a third-party plugin. Default: XMP sidecars only.",
      ),
  })
  .describe('facetag configuration');

/** A validated config file, defaults applied; `engine` may still be unset (see `Config`). */
export type ConfigFile = z.infer<typeof configSchema>;

/**
 * The configuration facetag runs with: the file's, with the engine decided. `engineChosen` says
 * whether a person chose it (file or flag); an engine nobody chose gives way to the library's own.
 */
export type Config = Omit<ConfigFile, 'engine'> & { readonly engine: Engine; readonly engineChosen: boolean };

/** A config file's values as facetag runs them, before any library is consulted. */
export function withEngine(file: ConfigFile): Config {
  const { engine, ...rest } = file;
  return { ...rest, engine: engine ?? DEFAULT_ENGINE, engineChosen: engine !== undefined };
}

/** What a config file may contain before defaults are applied. */
export type ConfigInput = z.input<typeof configSchema>;

/** The configuration `{}` parses to. `dataDir` is still '' here; `loadConfig` resolves it. */
export function defaultConfig(): Config {
  return withEngine(configSchema.parse({}));
}
