import type { Config } from '../config/schema.js';
import type { AngleHit } from '../vision/detect-angle.js';
import type { Focus } from './focus.js';

/** What a neural worker is started with. */
export interface NeuralWorkerData {
  /** Threads each of its nets runs on (onnxruntime's intra-op threads). */
  readonly threads: number;
  /** onnxruntime, falling back to tfjs-wasm where it cannot load; or tfjs-wasm only. */
  readonly backend: NeuralBackend;
}

/** What runs the nets: the config's `neural.backend`. */
export type NeuralBackend = Config['neural']['backend'];

/** Every backend, as a record so that a new one in the config cannot be missed here. */
export const NEURAL_BACKENDS: Readonly<Record<NeuralBackend, true>> = { onnxruntime: true, 'tfjs-wasm': true };

export const isNeuralBackend = (name: string): name is NeuralBackend => Object.hasOwn(NEURAL_BACKENDS, name);

/** Milliseconds a worker spent per stage of one task (summed over its angles or chips): bench:neural. */
export type StageMs = Readonly<Record<string, number>>;

/** Main thread to a neural worker. Pixels travel in shared memory, once per photo. */
export type NeuralTask =
  | {
      readonly id: number;
      readonly kind: 'detect';
      readonly pixels: SharedArrayBuffer;
      readonly width: number;
      readonly height: number;
      readonly channels: 1 | 3;
      readonly angles: readonly number[];
      readonly minConfidence: number;
      /** Canvases four to an SSD pass (ssd-mosaic.ts): the pool sends a small photo's angles to one worker. */
      readonly mosaic: boolean;
      /** Also look at the upright photo with a margin around it (rotate-rgb.ts withMargin). */
      readonly marginPass: boolean;
      /** Also look closer at this crop of a turned canvas (focus.ts). */
      readonly focus: Focus | null;
    }
  | {
      readonly id: number;
      readonly kind: 'embed';
      /** Upright face chips, each cut with `padding` around the face box. */
      readonly chips: readonly {
        readonly width: number;
        readonly height: number;
        readonly channels: 1 | 3;
        readonly pixels: Uint8Array;
      }[];
      readonly padding: number;
    };

export type NeuralReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly kind: 'detect';
      /** What ran the SSD: onnxruntime, or tfjs-wasm where it could not load. */
      readonly backend: NeuralBackend;
      readonly hits: AngleHit[];
      /** The margin pass's and the closer look's: they only add faces no other pass found (neural-pool). */
      readonly extraHits: AngleHit[];
      readonly stages: StageMs;
    }
  | {
      readonly id: number;
      readonly ok: true;
      readonly kind: 'embed';
      /** What ran the landmark and recognition nets. */
      readonly backend: NeuralBackend;
      /** One 128-d descriptor per chip; null when the chip gave no usable landmarks. */
      readonly embeddings: (Float32Array | null)[];
      readonly stages: StageMs;
    }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly unavailable: boolean };
