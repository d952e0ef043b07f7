/**
 * Loads libsvm-js's wasm build once per thread and types the few raw exports we call. The package
 * has no type definitions, and its `SVM` class rebuilds the problem on every `train`, so we drive
 * the emscripten module directly (see js-interfaces.c in mljs/libsvm for the C side).
 */
import { createRequire } from 'node:module';

/** The parts of the emscripten module (`libsvm-js/out/wasm/libsvm.js`) this code uses. Pointers are numbers. */
export interface LibsvmWasm {
  /** Resolves when the runtime is ready (a plain promise, unlike the module's own `then`). */
  load(): Promise<void>;
  printErr: (text: string) => void;
  readonly HEAPU8: Uint8Array;
  readonly HEAP32: Int32Array;
  readonly HEAPF64: Float64Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  /** An svm_problem of `rows` instances with room for `dims` values each (plus the terminator). */
  _create_svm_nodes(rows: number, dims: number): number;
  /** Copies `dims` doubles from `values` into instance `i` (feature indices 1..dims) and sets its label. */
  _add_instance(problem: number, values: number, dims: number, label: number, i: number): void;
  _free_problem(problem: number): void;
  /** svm_train with a libsvm command line (`-s 0 -t 4 -c 1 …`); the model points into the problem. */
  _libsvm_train_problem(problem: number, command: number): number;
  _svm_free_model(model: number): void;
  /** libsvm's predicted label for `size` doubles at `values` (feature indices 1..size). */
  _libsvm_predict_one(model: number, values: number, size: number): number;
  _svm_get_nr_class(model: number): number;
  _svm_get_nr_sv(model: number): number;
  _svm_get_labels(model: number, out: number): void;
  /** 1-based problem rows of the support vectors, in the model's SV order. */
  _svm_get_sv_indices(model: number, out: number): void;
  /** libsvm's text model format, malloc'ed; the caller frees it. */
  _serialize_model(model: number): number;
  Pointer_stringify(ptr: number): string;
}

// Harmless on Node: the module tries fetch() on a file path first, then instantiates from the file.
const NOISE = /^(wasm streaming compile failed|falling back to ArrayBuffer instantiation)/;

/**
 * Requires the module with `fetch` hidden: emscripten then reads the .wasm file directly instead of
 * failing a fetch() of a file path (which also loads undici, ~10 ms per thread, and prints the noise).
 * The check happens synchronously inside require(), so nothing else can see the missing global.
 */
function requireWithoutFetch(require: NodeJS.Require, id: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (descriptor?.configurable) {
    Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  }
  try {
    return require(id);
  } finally {
    if (descriptor?.configurable) Object.defineProperty(globalThis, 'fetch', descriptor);
  }
}

const MODULE_ID = 'libsvm-js/out/wasm/libsvm.js';
let loading: Promise<{ wasm: LibsvmWasm }> | undefined;
const broken = new WeakSet<LibsvmWasm>();

/**
 * The thread's single libsvm instance (instantiating wasm again per fit would cost ~10 ms each).
 * It comes wrapped because the emscripten module has a `then` method: resolving a promise with it
 * directly never settles.
 */
export function loadLibsvmWasm(): Promise<{ wasm: LibsvmWasm }> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const mod = requireWithoutFetch(require, MODULE_ID) as LibsvmWasm;
    // Should fetch() be tried anyway, its failure is reported asynchronously: filtering the sink now catches it.
    const printErr = mod.printErr;
    mod.printErr = (text: string) => {
      if (!NOISE.test(String(text))) printErr(text);
    };
    await mod.load();
    return { wasm: mod };
  })();
  return loading;
}

/**
 * After a trap or an abort inside wasm the instance is unusable (see node-stack.md §3): mark it, and
 * make the thread's next load instantiate a fresh one.
 */
export function discardLibsvmWasm(wasm: LibsvmWasm): void {
  if (broken.has(wasm)) return;
  broken.add(wasm);
  loading = undefined;
  const require = createRequire(import.meta.url);
  delete require.cache[require.resolve(MODULE_ID)];
}

export function isDiscarded(wasm: LibsvmWasm): boolean {
  return broken.has(wasm);
}
