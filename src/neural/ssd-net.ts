/**
 * The SSD as the sweep uses it: canvases in, face boxes out, one canvas or four to a pass
 * (ssd-mosaic.ts), whichever backend runs the network (ssd-onnxruntime.ts, or ssd-tfjs.ts where
 * onnxruntime cannot load). Both take the same input (ssd-input.ts) and give the same outputs.
 */
import type { NeuralBackend } from './neural-messages.js';
import type { RgbImage } from './rotate-rgb.js';
import { facesFromOutputs, type SsdOutputs } from './ssd-decode.js';
import type { ScoredBox } from './ssd-hits.js';
import { ssdInput } from './ssd-input.js';
import { boxesByCanvas, MOSAIC_CELLS, mosaicInput, mosaicLayout } from './ssd-mosaic.js';

/** face-api pads its input to a square and scales it to this side. */
export const SSD_INPUT_SIDE = 512;
/** Boxes kept per canvas (face-api's default is 100; a crowd can have more). */
const SSD_MAX_FACES = 200;

/** One backend's network: an NHWC input of SSD_INPUT_SIDE² × 3 in, raw outputs back. */
export interface SsdModel {
  readonly backend: NeuralBackend;
  readonly anchors: Float32Array;
  forward(input: Float32Array): Promise<SsdOutputs>;
}

export interface SsdNet {
  readonly backend: SsdModel['backend'];
  /** Face boxes in `image` pixels, strongest first, as face-api's locateFaces returns them. */
  locate(image: RgbImage, minScore: number, maxResults?: number): Promise<ScoredBox[]>;
  /** `canvases` side by side, MOSAIC_CELLS to a pass (ssd-mosaic.ts): each canvas's boxes, in its pixels. */
  locateMosaic(canvases: readonly RgbImage[], minScore: number): Promise<ScoredBox[][]>;
}

export function ssdNet(model: SsdModel): SsdNet {
  // One input buffer for every pass: a fresh 3 MB array per canvas made workers' memory creep.
  const values = new Float32Array(SSD_INPUT_SIDE * SSD_INPUT_SIDE * 3);
  const square = { width: SSD_INPUT_SIDE, height: SSD_INPUT_SIDE };
  return {
    backend: model.backend,
    async locate(image, minScore, maxResults = SSD_MAX_FACES) {
      const outputs = await model.forward(ssdInput(image, SSD_INPUT_SIDE, values));
      return facesFromOutputs(outputs, model.anchors, image, { minScore, maxResults, inputSide: SSD_INPUT_SIDE });
    },
    async locateMosaic(canvases, minScore) {
      const found: ScoredBox[][] = [];
      for (let i = 0; i < canvases.length; i += MOSAIC_CELLS) {
        const share = canvases.slice(i, i + MOSAIC_CELLS);
        const layout = mosaicLayout(share, SSD_INPUT_SIDE);
        const outputs = await model.forward(mosaicInput(share, layout, SSD_INPUT_SIDE, values));
        // Boxes in input pixels (the input is already square), then back to each canvas.
        const boxes = facesFromOutputs(outputs, model.anchors, square, {
          minScore,
          maxResults: SSD_MAX_FACES,
          inputSide: SSD_INPUT_SIDE,
        });
        found.push(...boxesByCanvas(boxes, layout));
      }
      return found;
    },
  };
}
