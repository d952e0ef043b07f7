/**
 * The neural packages (@vladmandic/face-api on @tensorflow/tfjs with the wasm backend), loaded
 * lazily: commands that use the cascade never pay for loading tfjs. They are ordinary
 * dependencies; a broken or partial install is still reported plainly (NeuralUnavailableError).
 * Only what facetag calls is typed here.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A tfjs tensor, as far as facetag touches one. */
export interface Tensor {
  readonly shape: readonly number[];
  dispose(): void;
  dataSync(): Float32Array | Int32Array | Uint8Array;
}

/** Arguments of tfjs's fused convolutions (bias and activation applied in the same kernel). */
export interface FusedConvArgs {
  readonly x: Tensor;
  readonly filter: Tensor;
  readonly strides: [number, number];
  readonly pad: 'same';
  readonly bias: Tensor;
  readonly activation?: 'relu6';
}

/** The tfjs operations facetag calls (its own SSD forward pass, tensors in and out). */
export interface TfOps {
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): Tensor;
  tensor4d(values: Float32Array, shape: [number, number, number, number]): Tensor;
  tensor1d(values: Float32Array): Tensor;
  tidy<T>(fn: () => T): T;
  reshape(x: Tensor, shape: number[]): Tensor;
  concat(xs: Tensor[], axis: number): Tensor;
  slice(x: Tensor, begin: number[], size: number[]): Tensor;
  sigmoid(x: Tensor): Tensor;
  readonly fused: {
    conv2d(args: FusedConvArgs): Tensor;
    depthwiseConv2d(args: FusedConvArgs): Tensor;
  };
}

export interface BoxLike {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface FaceDetectionResult {
  readonly score: number;
  readonly box: BoxLike;
}

export interface Landmarks68 {
  shiftBy(x: number, y: number): Landmarks68;
  align(detection: null, options: { useDlibAlignment: boolean }): BoxLike;
  readonly positions: readonly { readonly x: number; readonly y: number }[];
}

interface Net {
  loadFromDisk(dir: string): Promise<void>;
  readonly isLoaded: boolean;
}

/** The subset of face-api's node-wasm build that facetag uses. */
export interface FaceApi {
  readonly tf: TfOps & {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
    memory(): { numTensors: number; numBytes: number };
  };
  readonly nets: {
    /** face-api's own SSD: the reference the tests hold facetag's passes to (ssd-net.test.ts). */
    readonly ssdMobilenetv1: Net & { locateFaces(input: Tensor, options: unknown): Promise<FaceDetectionResult[]> };
    readonly faceLandmark68Net: Net & { detectLandmarks(input: Tensor): Promise<Landmarks68> };
    readonly faceRecognitionNet: Net & { computeFaceDescriptor(input: Tensor): Promise<Float32Array> };
  };
  /** face-api's box class: extractFaceTensors wants instances, not plain objects. */
  readonly Rect: new (
    x: number,
    y: number,
    width: number,
    height: number,
  ) => BoxLike;
  readonly SsdMobilenetv1Options: new (options: { minConfidence: number; maxResults: number }) => unknown;
  extractFaceTensors(input: Tensor, boxes: BoxLike[]): Promise<Tensor[]>;
}

/** The modules to load; injectable so tests can simulate a missing package. */
export type Importer = (specifier: string) => Promise<unknown>;

const require = createRequire(import.meta.url);

/** face-api's node-wasm build is CommonJS; tfjs and its wasm backend are imported for their side effects. */
export const defaultImporter: Importer = async (specifier) => {
  if (specifier === FACE_API) return require(specifier);
  return import(specifier);
};

const FACE_API = '@vladmandic/face-api/dist/face-api.node-wasm.js';
export const NEURAL_PACKAGES = [
  '@vladmandic/face-api@1.7.15',
  '@tensorflow/tfjs@4.22.0',
  '@tensorflow/tfjs-backend-wasm@4.22.0',
];

/** The neural engine was asked for but its packages are not installed (or fail to load). */
export class NeuralUnavailableError extends Error {
  readonly exitCode = 69; // EX_UNAVAILABLE
  constructor(message: string) {
    super(message);
    this.name = 'NeuralUnavailableError';
  }

  static loading(missing: string, cause: unknown): NeuralUnavailableError {
    return new NeuralUnavailableError(
      `the neural engine (the default) needs the packages ${NEURAL_PACKAGES.join(', ')}; loading ${missing} failed ` +
        `(${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}). Install them with ` +
        `\`npm ci\` (or \`npm install ${NEURAL_PACKAGES.join(' ')}\`), or use --engine cascade.`,
    );
  }
}

/** Where each package is found; injectable so tests can simulate a missing one. */
export type Resolver = (specifier: string) => string;

/**
 * Fail early, on the main thread and without loading tfjs, when a package is missing, so the
 * user gets the install hint before any worker starts.
 */
export function checkNeuralPackages(resolve: Resolver = (s) => require.resolve(s)): void {
  for (const specifier of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', FACE_API]) {
    try {
      resolve(specifier);
    } catch (err) {
      throw NeuralUnavailableError.loading(specifier, err);
    }
  }
}

function isFaceApi(m: unknown): m is FaceApi {
  if (typeof m !== 'object' || m === null) return false;
  const api = m as Partial<FaceApi>;
  return (
    typeof api.tf?.tensor3d === 'function' &&
    typeof api.tf?.tensor1d === 'function' &&
    typeof api.tf?.fused?.conv2d === 'function' &&
    typeof api.tf?.fused?.depthwiseConv2d === 'function' &&
    typeof api.nets?.ssdMobilenetv1?.locateFaces === 'function' &&
    typeof api.nets?.faceLandmark68Net?.detectLandmarks === 'function' &&
    typeof api.nets?.faceRecognitionNet?.computeFaceDescriptor === 'function' &&
    typeof api.extractFaceTensors === 'function' &&
    typeof api.Rect === 'function'
  );
}

/**
 * Load tfjs, the wasm backend and face-api, and select the wasm backend. setWasmPaths is not
 * called: its fetch path fails on Node 20, and the default location (inside the package) works.
 */
export async function loadFaceApi(importer: Importer = defaultImporter): Promise<FaceApi> {
  for (const specifier of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']) {
    try {
      await importer(specifier);
    } catch (err) {
      throw NeuralUnavailableError.loading(specifier, err);
    }
  }
  let api: unknown;
  try {
    api = await importer(FACE_API);
  } catch (err) {
    throw NeuralUnavailableError.loading('@vladmandic/face-api', err);
  }
  if (!isFaceApi(api))
    throw NeuralUnavailableError.loading('@vladmandic/face-api', new Error('unexpected module shape'));
  if (!(await api.tf.setBackend('wasm'))) throw new Error('tfjs could not start its wasm backend');
  await api.tf.ready();
  return api;
}

/** The weights shipped in face-api's npm package; nothing is downloaded at run time. */
export function faceApiModelDir(): string {
  return join(dirname(dirname(require.resolve(FACE_API))), 'model');
}

export type NetName = 'detector' | 'landmarks' | 'descriptor';

/** Load the nets named (once each) from the package's model folder. */
export async function loadNets(api: FaceApi, names: readonly NetName[], dir = faceApiModelDir()): Promise<void> {
  const nets = {
    detector: api.nets.ssdMobilenetv1,
    landmarks: api.nets.faceLandmark68Net,
    descriptor: api.nets.faceRecognitionNet,
  };
  for (const name of names) {
    const net = nets[name];
    if (!net.isLoaded) await net.loadFromDisk(dir);
  }
}
