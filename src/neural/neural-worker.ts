/**
 * Neural worker thread: builds the SSD on first use, and the landmark and recognition nets when a
 * chip is first embedded (on onnxruntime; face-api's own on tfjs-wasm where that cannot load),
 * then runs SSD over the angles it is given, or embeds chips. tfjs is loaded only as the fallback.
 * One task at a time per worker: a net already runs on all the worker's threads, so a second
 * task would only queue inside it and hold a second input in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RasterImage } from '../vision/chip.js';
import type { AngleHit } from '../vision/detect-angle.js';
import type { Embedder, EmbedStages } from './embedder.js';
import { onnxruntimeEmbedder } from './embedding-onnxruntime.js';
import { tfjsEmbedder } from './embedding-tfjs.js';
import { type FaceApi, faceApiModelDir, loadFaceApi, loadNets, NeuralUnavailableError } from './face-api.js';
import {
  isNeuralBackend,
  NEURAL_BACKENDS,
  type NeuralReply,
  type NeuralTask,
  type NeuralWorkerData,
  type StageMs,
} from './neural-messages.js';
import { loadOnnxruntime } from './onnxruntime.js';
import { rotateRgb, rotateRgbWindow, UPRIGHT_MARGIN, withMargin } from './rotate-rgb.js';
import { hitsFromBoxes, type ScoredBox } from './ssd-hits.js';
import { type SsdNet, ssdNet } from './ssd-net.js';
import { onnxruntimeSsd } from './ssd-onnxruntime.js';
import { tfjsSsd } from './ssd-tfjs.js';
import { SSD_MODEL, ssdWeights } from './ssd-weights.js';
import { readWeights } from './tfjs-weights.js';

/** How the pool (neural-pool.ts) set this worker up, checked. */
const { threads, backend } = setup(workerData);

function setup(data: unknown): NeuralWorkerData {
  const get = (key: string): unknown =>
    typeof data === 'object' && data !== null ? Reflect.get(data, key) : undefined;
  const t = get('threads');
  const b = get('backend');
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1)
    throw new Error(`neural worker started with threads ${String(t)}; expected a whole number of at least 1`);
  if (typeof b !== 'string' || !isNeuralBackend(b))
    throw new Error(
      `neural worker started with backend ${String(b)}; expected ${Object.keys(NEURAL_BACKENDS).join(' or ')}`,
    );
  return { threads: t, backend: b };
}

let api: Promise<FaceApi> | undefined;

/** face-api on tfjs-wasm, loaded once: for the embedding nets, and the SSD's fallback. */
function faceApi(): Promise<FaceApi> {
  api ??= loadFaceApi();
  return api;
}

/**
 * A net on onnxruntime where it loads (its npm package has linux x64 and arm64, macOS arm64 and
 * Windows binaries), else the same network on tfjs-wasm, ~5× slower, with the reason on stderr
 * (the journal, under systemd).
 */
async function onnxElseTfjs<T>(net: string, onnx: () => Promise<T>, tfjs: () => Promise<T>): Promise<T> {
  if (backend === 'onnxruntime') {
    try {
      return await onnx();
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      console.warn(`facetag: onnxruntime-node could not run the ${net} (${reason}); using tfjs-wasm, ~5x slower`);
    }
  }
  return tfjs();
}

function loadSsd(): Promise<SsdNet> {
  return onnxElseTfjs(
    'face detector',
    async () => ssdNet(await onnxruntimeSsd(loadOnnxruntime(), faceApiModelDir(), threads)),
    async () => ssdNet(tfjsSsd(await faceApi(), ssdWeights(await readWeights(faceApiModelDir(), SSD_MODEL)))),
  );
}

/** The landmark and recognition nets likewise. */
function loadEmbedder(): Promise<Embedder> {
  return onnxElseTfjs(
    'face landmark and recognition nets',
    () => onnxruntimeEmbedder(loadOnnxruntime(), faceApiModelDir(), threads),
    async () => {
      const tf = await faceApi();
      await loadNets(tf, ['landmarks', 'descriptor']);
      return tfjsEmbedder(tf);
    },
  );
}

/** A lazily built net that is built again on the next task if building it failed. */
function retried<T>(load: () => Promise<T>): () => Promise<T> {
  let net: Promise<T> | undefined;
  return () => {
    net ??= load().catch((err: unknown) => {
      net = undefined;
      throw err;
    });
    return net;
  };
}

const ssd = retried(loadSsd);
const embedder = retried(loadEmbedder);
/** One canvas for every angle of every photo (see rotateRgb). */
let canvasBuffer: Uint8Array = new Uint8Array(0);

/** `image` turned by `angle` onto that one canvas, grown when a photo needs more. */
function onCanvas(image: RasterImage, angle: number): ReturnType<typeof rotateRgb> {
  const turned = rotateRgb(image, angle, canvasBuffer);
  if (turned.image.pixels.buffer !== canvasBuffer.buffer) canvasBuffer = turned.image.pixels;
  return turned;
}

async function run(task: NeuralTask): Promise<NeuralReply> {
  if (task.kind === 'detect') {
    const net = await ssd();
    const image = {
      width: task.width,
      height: task.height,
      channels: task.channels,
      pixels: new Uint8Array(task.pixels),
    };
    if (task.mosaic)
      return { id: task.id, ok: true, kind: 'detect', backend: net.backend, ...(await mosaicPass(net, image, task)) };
    const hits = [];
    const extraHits = [];
    const stages = { rotate: 0, ssd: 0, margin: 0, focus: 0 };
    for (const angle of task.angles) {
      let s = performance.now();
      const { image: canvas, frame } = onCanvas(image, angle);
      stages.rotate += performance.now() - s;
      s = performance.now();
      hits.push(...hitsFromBoxes(await net.locate(canvas, task.minConfidence), frame));
      stages.ssd += performance.now() - s;
    }
    if (task.marginPass) {
      // The SSD barely sees a face that fills the frame (a portrait, a close crop): on the dev
      // library 32 of 274 such faces scored under 0.3. Upright, the photo is looked at once
      // more with a margin around it, where the same faces score 0.8-0.99.
      const s = performance.now();
      const { image: canvas, frame } = onCanvas(image, 0);
      const { image: padded, pad } = withMargin(canvas, UPRIGHT_MARGIN);
      extraHits.push(...hitsFromBoxes(shift(await net.locate(padded, task.minConfidence), pad), frame));
      stages.margin += performance.now() - s;
    }
    if (task.focus) {
      const s = performance.now();
      const { x, y, angle } = task.focus;
      const { image: crop, frame } = rotateRgbWindow(image, angle, task.focus);
      const boxes = (await net.locate(crop, task.minConfidence)).map((b) => ({ ...b, x: b.x + x, y: b.y + y }));
      extraHits.push(...hitsFromBoxes(boxes, frame));
      stages.focus = performance.now() - s;
    }
    return { id: task.id, ok: true, kind: 'detect', backend: net.backend, hits, extraHits, stages };
  }
  const stages: EmbedStages = { crop: 0, landmarks: 0, align: 0, descriptor: 0 };
  const nets = await embedder();
  const embeddings = await nets.embed(task.chips, task.padding, stages);
  return { id: task.id, ok: true, kind: 'embed', backend: nets.backend, embeddings, stages: { ...stages } };
}

/** Boxes on the margin canvas, moved back onto the canvas it surrounds. */
const shift = (boxes: readonly ScoredBox[], pad: number): ScoredBox[] =>
  boxes.map((b) => ({ ...b, x: b.x - pad, y: b.y - pad }));

/**
 * A small photo's angle canvases, four to an SSD pass. No margin pass: drawn into a cell,
 * the photo is at most ~1.7× its size rather than ~3.4×, so a face that fills the frame is
 * already seen at the size the margin gave it. Measured on the 549 library photos without it:
 * every centred face found, 545 kept upright.
 */
async function mosaicPass(
  ssd: SsdNet,
  image: RasterImage,
  task: Extract<NeuralTask, { kind: 'detect' }>,
): Promise<{ hits: AngleHit[]; extraHits: AngleHit[]; stages: StageMs }> {
  let s = performance.now();
  const turned = task.angles.map((angle) => rotateRgb(image, angle));
  const rotate = performance.now() - s;
  s = performance.now();
  const boxes = await ssd.locateMosaic(
    turned.map((t) => t.image),
    task.minConfidence,
  );
  const hits = turned.flatMap((t, k) => hitsFromBoxes(boxes[k] ?? [], t.frame));
  return { hits, extraHits: [], stages: { rotate, mosaic: performance.now() - s } };
}

let queue = Promise.resolve();
parentPort?.on('message', (task: NeuralTask) => {
  queue = queue.then(async () => {
    let reply: NeuralReply;
    try {
      reply = await run(task);
    } catch (err) {
      if (err instanceof NeuralUnavailableError) api = undefined;
      reply = {
        id: task.id,
        ok: false,
        // The unavailable message is for users (what to install); other errors keep their stack.
        error:
          err instanceof NeuralUnavailableError
            ? err.message
            : err instanceof Error
              ? (err.stack ?? err.message)
              : String(err),
        unavailable: err instanceof NeuralUnavailableError,
      };
    }
    parentPort?.postMessage(reply);
  });
});
