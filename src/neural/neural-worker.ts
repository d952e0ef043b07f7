/**
 * Neural worker thread: loads face-api and its nets on first use (the embedding nets only
 * when a chip is first embedded), then runs SSD over the angles it is given, or embeds chips.
 * One task at a time per worker: tfjs-wasm is single-threaded, so a second task would only
 * queue inside it and hold a second input tensor in memory.
 */
import { parentPort } from 'node:worker_threads';
import { type FaceApi, loadFaceApi, loadNets, NeuralUnavailableError } from './face-api.js';
import { chipEmbedding, type EmbedStages } from './face-ops.js';
import type { NeuralReply, NeuralTask } from './neural-messages.js';
import { rotateRgb, UPRIGHT_MARGIN, withMargin } from './rotate-rgb.js';
import { hitsFromBoxes } from './ssd-hits.js';
import { type SsdNet, ssdNet } from './ssd-net.js';

let api: Promise<FaceApi> | undefined;
let ssd: SsdNet | undefined;
/** One canvas for every angle of every photo (see rotateRgb). */
let canvasBuffer: Uint8Array = new Uint8Array(0);

async function run(task: NeuralTask): Promise<NeuralReply> {
  api ??= loadFaceApi();
  const faceApi = await api;
  if (task.kind === 'detect') {
    await loadNets(faceApi, ['detector']);
    ssd ??= ssdNet(faceApi);
    const image = {
      width: task.width,
      height: task.height,
      channels: task.channels,
      pixels: new Uint8Array(task.pixels),
    };
    const hits = [];
    const marginHits = [];
    const stages = { rotate: 0, ssd: 0, margin: 0 };
    for (const angle of task.angles) {
      let s = performance.now();
      const { image: canvas, frame } = rotateRgb(image, angle, canvasBuffer);
      if (canvas.pixels.buffer !== canvasBuffer.buffer) canvasBuffer = canvas.pixels;
      stages.rotate += performance.now() - s;
      s = performance.now();
      hits.push(...hitsFromBoxes(ssd.locate(canvas, task.minConfidence), frame));
      stages.ssd += performance.now() - s;
      if (angle === 0) {
        // The SSD barely sees a face that fills the frame (a portrait, a close crop): on the dev
        // library 32 of 274 such faces scored under 0.3. Upright, the photo is looked at once
        // more with a margin around it, where the same faces score 0.8-0.99.
        s = performance.now();
        const { image: padded, pad } = withMargin(canvas, UPRIGHT_MARGIN);
        const boxes = ssd.locate(padded, task.minConfidence).map((b) => ({ ...b, x: b.x - pad, y: b.y - pad }));
        marginHits.push(...hitsFromBoxes(boxes, frame));
        stages.margin += performance.now() - s;
      }
    }
    return { id: task.id, ok: true, kind: 'detect', hits, marginHits, stages };
  }
  await loadNets(faceApi, ['landmarks', 'descriptor']);
  const embeddings: (Float32Array | null)[] = [];
  const stages: EmbedStages = { crop: 0, landmarks: 0, align: 0, descriptor: 0 };
  for (const chip of task.chips) embeddings.push(await chipEmbedding(faceApi, chip, task.padding, stages));
  return { id: task.id, ok: true, kind: 'embed', embeddings, stages: { ...stages } };
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
