/**
 * One binary C-SVC training problem in libsvm-js's wasm memory, fitted for several C.
 *
 * - Rows go to libsvm negatives first, positives second (each in input order). libsvm numbers labels by
 *   first appearance, so the label order is [0, 1], and its internal grouping equals sklearn's (which
 *   sorts labels); the solver then takes the same steps as sklearn's.
 * - libsvm's f(x) = Σ coef·K − rho is > 0 for label[0] = 0; we store sklearn's sign: dualCoef = −coef,
 *   intercept = rho, so decision > 0 means the person.
 * - Cross-validation needs only predictions, so `predict` asks libsvm itself (sklearn's `predict` does
 *   the same) and never reads the model out of wasm.
 * - A model that is kept (`fit`) is read from libsvm's text form: coefficients (%.16g; alphas at their
 *   bound are snapped to exactly C·w) and SV indices. The text rounds rho to 6 digits, so with a
 *   precomputed kernel rho is recomputed as libsvm's `calculate_rho` does (libsvm-output.ts).
 */
import { type Gram, gramKernel } from './kernels.js';
import { calculateRho, parseModelText } from './libsvm-output.js';
import { discardLibsvmWasm, isDiscarded, type LibsvmWasm } from './libsvm-wasm.js';
import type { FeatureMatrix } from './matrix.js';
import type { SvmKernel } from './model.js';

export type ClassWeight = 'balanced' | 'none';

/** libsvm's stopping tolerance and shrinking, as sklearn's SVC defaults. */
const TOLERANCE = 1e-3;
const CACHE_MB = 200;
/** 16·l² bytes of wasm heap; beyond this, allocation fails inside wasm and corrupts memory. */
const PRECOMPUTED_HARD_LIMIT = 8000;

/** One trained SVM in terms of training-matrix rows. */
export interface BinaryFit {
  /** Training-matrix rows of the support vectors, in libsvm's order (negatives first), as sklearn's `support_`. */
  support: Int32Array;
  dualCoef: Float64Array;
  intercept: number;
}

export interface ProblemSpec {
  /** The training rows (indices into the full matrix), ascending. */
  rows: ArrayLike<number>;
  /** 0/1 label of every row of the full matrix. */
  y: ArrayLike<number>;
  kernel: SvmKernel;
  /** rbf only. */
  gamma: number;
  classWeight: ClassWeight;
  /** Kernel values from a Gram matrix (precomputed engine) or the features themselves. */
  data: { gram: Gram } | { features: FeatureMatrix };
  /** Rows (indices into the full matrix) that `predict` labels, e.g. a fold's test rows. */
  test?: ArrayLike<number>;
}

export class BinaryProblem {
  /** Problem row → training-matrix row. */
  private readonly order: Int32Array;
  /** Problem rows 0..negatives-1 are class 0. */
  private readonly negatives: number;
  private readonly weights: [number, number];
  private readonly kernelType: number;
  private readonly gamma: number;
  /** Precomputed engine: float32 kernel values in problem order, for the exact rho. */
  private readonly q: Float32Array | null;
  private ptr: number;
  /** The test rows in libsvm's input format, `testDims` doubles each, in wasm memory. */
  private testPtr = 0;
  private readonly testCount: number;
  private readonly testDims: number;

  constructor(
    private readonly wasm: LibsvmWasm,
    spec: ProblemSpec,
  ) {
    const { rows, y } = spec;
    const test = spec.test ?? [];
    this.testCount = test.length;
    const l = rows.length;
    const neg: number[] = [];
    const pos: number[] = [];
    for (let r = 0; r < l; r++) {
      const i = rows[r]!;
      if (y[i] === 0) neg.push(i);
      else if (y[i] === 1) pos.push(i);
      else throw new RangeError(`labels must be 0 or 1, got ${y[i]} at row ${i}`);
    }
    if (neg.length === 0 || pos.length === 0) {
      throw new RangeError(`an SVM needs both classes; got ${pos.length} positives and ${neg.length} negatives`);
    }
    this.order = Int32Array.from([...neg, ...pos]);
    this.negatives = neg.length;
    // sklearn's 'balanced': n_samples / (n_classes · count) over the rows being fitted.
    this.weights = spec.classWeight === 'balanced' ? [l / (2 * neg.length), l / (2 * pos.length)] : [1, 1];
    this.gamma = spec.gamma;
    if (spec.kernel === 'rbf' && !(spec.gamma > 0 && Number.isFinite(spec.gamma))) {
      throw new RangeError(`rbf gamma must be a positive number, got ${spec.gamma}`);
    }
    const data = spec.data;
    if ('gram' in data && l > PRECOMPUTED_HARD_LIMIT) {
      throw new RangeError(`${l} samples are too many for the precomputed engine; use 'features'`);
    }
    if ('gram' in data) {
      // The fold's kernel values, computed once for all C, half of them: K is symmetric.
      const k = gramKernel(data.gram, spec.kernel, spec.gamma);
      const order = this.order;
      const block = new Float64Array(l * l);
      for (let a = 0; a < l; a++) {
        const i = order[a]!;
        for (let b = a; b < l; b++) {
          const v = k(i, order[b]!);
          block[a * l + b] = v;
          block[b * l + a] = v;
        }
      }
      // libsvm caches kernel values as float (Qfloat); rho is recomputed from these.
      this.q = Float32Array.from(block);
      this.kernelType = 4;
      this.ptr = this.build(l + 1, (a, out) => {
        // libsvm's precomputed format: [serial (1-based), K(a, 1), …, K(a, l)].
        out[0] = a + 1;
        out.set(block.subarray(a * l, (a + 1) * l), 1);
      });
      this.testDims = l + 1;
      this.testPtr = this.storeTest(test, (i, out) => {
        // Prediction reads K(x, sv) at the SV's serial; slot 0 is unused.
        out[0] = 0;
        for (let b = 0; b < l; b++) out[b + 1] = k(i, order[b]!);
      });
    } else {
      const x = data.features;
      this.q = null;
      this.kernelType = spec.kernel === 'linear' ? 0 : 2;
      this.ptr = this.build(x.cols, (a, out) => {
        const i = this.order[a]!;
        out.set(x.data.subarray(i * x.cols, (i + 1) * x.cols));
      });
      this.testDims = x.cols;
      this.testPtr = this.storeTest(test, (i, out) => out.set(x.data.subarray(i * x.cols, (i + 1) * x.cols)));
    }
  }

  /** Writes the test rows into one wasm block (0 if there are none). */
  private storeTest(test: ArrayLike<number>, fill: (i: number, out: Float64Array) => void): number {
    if (test.length === 0) return 0;
    return this.guarded(() => {
      const dims = this.testDims;
      const ptr = this.wasm._malloc(test.length * dims * 8);
      const row = new Float64Array(dims);
      for (let t = 0; t < test.length; t++) {
        fill(test[t]!, row);
        this.wasm.HEAPF64.set(row, ptr / 8 + t * dims);
      }
      return ptr;
    });
  }

  private build(dims: number, fill: (a: number, out: Float64Array) => void): number {
    return this.guarded(() => this.buildUnguarded(dims, fill));
  }

  /** Runs wasm calls; if anything throws, this thread's instance is replaced before the next use. */
  private guarded<T>(run: () => T): T {
    if (isDiscarded(this.wasm)) throw new Error('libsvm failed earlier in this thread; load it again');
    try {
      return run();
    } catch (err) {
      discardLibsvmWasm(this.wasm);
      throw err instanceof Error ? err : new Error(`libsvm aborted: ${String(err)}`);
    }
  }

  // On any error `guarded` discards the whole instance, so the wasm helpers below free only on success:
  // after a trap, a free() could only throw again and hide the first error.
  private buildUnguarded(dims: number, fill: (a: number, out: Float64Array) => void): number {
    const { wasm } = this;
    const l = this.order.length;
    const problem = wasm._create_svm_nodes(l, dims);
    const row = new Float64Array(dims);
    const buf = wasm._malloc(dims * 8);
    for (let a = 0; a < l; a++) {
      fill(a, row);
      wasm.HEAPF64.set(row, buf / 8);
      wasm._add_instance(problem, buf, dims, a < this.negatives ? 0 : 1, a);
    }
    wasm._free(buf);
    return problem;
  }

  /** Trains at this C and reads the model out. */
  fit(C: number): BinaryFit {
    const command = this.command(C);
    const raw = this.guarded(() => this.train(command));
    return this.toFit(raw, C);
  }

  /**
   * Trains at this C and returns libsvm's own predictions (0/1) for the test rows: what sklearn's
   * `predict` gives, without reading the model out of wasm.
   */
  predict(C: number): Uint8Array {
    const command = this.command(C);
    return this.guarded(() => {
      const { wasm } = this;
      const model = this.trainModel(command);
      const out = new Uint8Array(this.testCount);
      for (let t = 0; t < this.testCount; t++) {
        out[t] = wasm._libsvm_predict_one(model, this.testPtr + t * this.testDims * 8, this.testDims) === 1 ? 1 : 0;
      }
      wasm._svm_free_model(model);
      return out;
    });
  }

  private command(C: number): string {
    if (!this.ptr) throw new Error('the SVM problem was freed');
    if (!(C > 0 && Number.isFinite(C))) throw new RangeError(`C must be a positive number, got ${C}`);
    // libsvm-js calls exit() on a malformed command line, which would end the process: build it carefully.
    const [w0, w1] = this.weights;
    let command = `-s 0 -t ${this.kernelType} -c ${C} -e ${TOLERANCE} -h 1 -m ${CACHE_MB} -q 1`;
    if (this.kernelType === 2) command += ` -g ${this.gamma}`;
    if (w0 !== 1 || w1 !== 1) command += ` -w0 ${w0} -w1 ${w1}`;
    // parse_command_line copies into a 256-byte buffer.
    if (command.length > 255) throw new Error(`libsvm command too long: ${command}`);
    return command;
  }

  /** svm_train; the caller frees the model. */
  private trainModel(command: string): number {
    const { wasm } = this;
    const cmd = wasm._malloc(command.length + 1);
    const heap = wasm.HEAPU8;
    for (let c = 0; c < command.length; c++) heap[cmd + c] = command.charCodeAt(c);
    heap[cmd + command.length] = 0;
    const model = wasm._libsvm_train_problem(this.ptr, cmd);
    wasm._free(cmd);
    if (!model) throw new Error('libsvm returned no model');
    if (wasm._svm_get_nr_class(model) !== 2) throw new Error('libsvm did not train a two-class model');
    return model;
  }

  private train(command: string): { labels: number[]; svRows: Int32Array; coef: Float64Array; rho: number } {
    const { wasm } = this;
    const model = this.trainModel(command);
    const labels = Array.from(this.ints(model, 2, (m, p) => wasm._svm_get_labels(m, p)));
    const nSv = wasm._svm_get_nr_sv(model);
    const svRows = this.ints(model, nSv, (m, p) => wasm._svm_get_sv_indices(m, p));
    const textPtr = wasm._serialize_model(model);
    const text = wasm.Pointer_stringify(textPtr);
    wasm._free(textPtr);
    wasm._svm_free_model(model);
    const { coef, rho } = parseModelText(text, nSv);
    for (let s = 0; s < nSv; s++) svRows[s]! -= 1;
    return { labels, svRows, coef, rho };
  }

  private ints(model: number, count: number, get: (model: number, out: number) => void): Int32Array {
    const { wasm } = this;
    const p = wasm._malloc(Math.max(1, count) * 4);
    get(model, p);
    const out = wasm.HEAP32.slice(p / 4, p / 4 + count);
    wasm._free(p);
    return out;
  }

  private toFit(raw: { labels: number[]; svRows: Int32Array; coef: Float64Array; rho: number }, C: number): BinaryFit {
    const { svRows, coef } = raw;
    // Rows were ordered so that class 0 comes first; libsvm must agree or the signs below are wrong.
    if (raw.labels[0] !== 0 || raw.labels[1] !== 1) throw new Error(`unexpected libsvm label order ${raw.labels}`);
    const cw: [number, number] = [C * this.weights[0], C * this.weights[1]];
    const l = this.order.length;
    const alpha = new Float64Array(l);
    for (let s = 0; s < svRows.length; s++) {
      const a = svRows[s]!;
      if (a < 0 || a >= l) throw new Error(`libsvm support vector index ${a + 1} out of range`);
      const bound = cw[a < this.negatives ? 0 : 1];
      // %.16g may be an ulp off; libsvm clips alphas to exactly C·w.
      let c = coef[s]!;
      if (Math.abs(Math.abs(c) - bound) <= 1e-14 * bound) {
        c = Math.sign(c) * bound;
        coef[s] = c;
      }
      alpha[a] = Math.abs(c);
    }
    let rho = raw.rho;
    if (this.q) {
      const exact = calculateRho(this.q, this.negatives, svRows, coef, alpha, cw);
      // A guard against a misreading: keep the text value if they disagree beyond its 6 digits.
      if (Math.abs(exact - rho) <= 1e-5 * Math.abs(rho) + 1e-12) rho = exact;
    }
    const support = new Int32Array(svRows.length);
    const dualCoef = new Float64Array(svRows.length);
    for (let s = 0; s < svRows.length; s++) {
      support[s] = this.order[svRows[s]!]!;
      dualCoef[s] = -coef[s]!;
    }
    return { support, dualCoef, intercept: rho };
  }

  free(): void {
    // A discarded instance is garbage as a whole; calling into it again could only throw.
    if (!isDiscarded(this.wasm)) {
      if (this.ptr) this.wasm._free_problem(this.ptr);
      if (this.testPtr) this.wasm._free(this.testPtr);
    }
    this.ptr = 0;
    this.testPtr = 0;
  }
}
