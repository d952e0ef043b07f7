/**
 * onnxruntime-node, as facetag uses it: one session per net per worker, on a model built in
 * memory, running on the threads the pool gives the worker. Only what facetag calls is typed here.
 */
import { createRequire } from 'node:module';

export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}

export interface Ort {
  readonly InferenceSession: {
    create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

function isOrt(m: unknown): m is Ort {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Partial<Ort>;
  return typeof o.InferenceSession?.create === 'function' && typeof o.Tensor === 'function';
}

const require = createRequire(import.meta.url);

/**
 * onnxruntime-node 1.31 sends Microsoft telemetry by default: it keeps a device id and a queue of
 * events (OS, CPU model, container, library version) under ~/.cache/Microsoft/DeveloperTools and
 * looks up mobile.events.data.microsoft.com to upload them (seen with strace and in the queue's
 * SQLite file). A family's face tagger tells nobody anything: ORT_DISABLE_TELEMETRY=1 turns it off,
 * unless the person running facetag set the variable themselves. The native library reads the
 * process environment, which only the main thread's process.env writes through to (a worker's is
 * a copy), so the engine factory and neuralPool call this on the main thread before any worker
 * loads the library. The call in loadOnnxruntime covers main-thread loads (tests, benches); in a
 * worker it changes nothing.
 */
export function disableOrtTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env.ORT_DISABLE_TELEMETRY ??= '1';
}

/** onnxruntime-node, or why it cannot load here (no binary for the platform, a broken install). */
export function loadOnnxruntime(load: (id: string) => unknown = require): Ort {
  disableOrtTelemetry();
  const m = load('onnxruntime-node');
  if (!isOrt(m)) throw new Error('onnxruntime-node loaded, but without InferenceSession and Tensor');
  return m;
}

/** A net with one float32 input and its float32 outputs by name. */
export type OnnxNet = (input: Float32Array, dims: readonly number[]) => Promise<ReadonlyMap<string, Float32Array>>;

export async function onnxNet(ort: Ort, model: Uint8Array, inputName: string, threads: number): Promise<OnnxNet> {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Measured on the SSD (scratch probe, one session): without the arena a pass took 136-252 ms
    // instead of 37; the memory pattern planner only added ~80 MB of RSS for no speed.
    enableCpuMemArena: true,
    enableMemPattern: false,
    graphOptimizationLevel: 'all',
    // Spinning threads wait hot between ops; on this machine they bought nothing (bench:neural
    // 0.29 s a 12 MP photo without, 0.31 s with) and would hold a home server's cores busy.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  return async (input, dims) => {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
    const floats = new Map<string, Float32Array>();
    for (const [name, t] of Object.entries(out)) {
      if (!(t.data instanceof Float32Array)) throw new Error(`onnxruntime returned ${name} not as float32`);
      floats.set(name, t.data);
    }
    return floats;
  };
}

/** Output `name` of a run, or an error naming it. */
export function outputOf(outputs: ReadonlyMap<string, Float32Array>, name: string): Float32Array {
  const o = outputs.get(name);
  if (!o) throw new Error(`onnxruntime returned no ${name}`);
  return o;
}
