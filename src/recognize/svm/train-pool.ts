/**
 * Grid-searches many persons, in parallel on worker threads. The training matrix and its Gram
 * matrix (computed once, here) go to the workers in shared memory; each person is one task, handed
 * to whichever worker is free. Every person's computation is deterministic and independent, so the
 * results do not depend on `jobs` or on scheduling.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type GridSearchOptions, type GridSearchResult, runGridSearch } from './grid-search.js';
import { Libsvm, resolveEngine } from './libsvm.js';
import { checkMatrix, type FeatureMatrix, linearGram } from './matrix.js';
import { type PersonTask, type PoolWorkerData, parsePersonReply } from './pool-messages.js';

export interface PersonLabels {
  readonly name: string;
  /** 1 = this person, 0 = not, per row of X. */
  readonly y: Uint8Array;
}

export interface PersonResult extends GridSearchResult {
  readonly name: string;
}

export interface PoolOptions {
  /** Worker threads; 1 trains in this thread. Default: available parallelism. */
  readonly jobs?: number;
  /** Called as each person finishes (in completion order). */
  readonly onProgress?: (done: number, total: number, name: string) => void;
}

/** One GridSearchResult per person, in the order given. Rejects on the first failure. */
export async function trainPersons(
  x: FeatureMatrix,
  persons: readonly PersonLabels[],
  options: GridSearchOptions,
  pool: PoolOptions = {},
): Promise<PersonResult[]> {
  checkMatrix(x);
  for (const p of persons) {
    if (!(p.y instanceof Uint8Array) || p.y.length !== x.rows) {
      throw new RangeError(`${p.name}: labels must be a Uint8Array of ${x.rows} values`);
    }
  }
  if (pool.jobs !== undefined && !(Number.isInteger(pool.jobs) && pool.jobs >= 1)) {
    throw new RangeError(`jobs must be a positive integer, got ${pool.jobs}`);
  }
  const jobs = Math.max(1, Math.min(pool.jobs ?? availableParallelism(), persons.length));
  if (persons.length === 0) return [];
  const precomputed = resolveEngine(options.engine, x.rows) === 'precomputed';
  if (jobs === 1) return trainHere(x, persons, options, precomputed, pool.onProgress);

  const features = new SharedArrayBuffer(x.data.length * 8);
  new Float64Array(features).set(x.data);
  const gram = precomputed ? new SharedArrayBuffer(x.rows * x.rows * 8) : null;
  const workerData: PoolWorkerData = { rows: x.rows, cols: x.cols, features, gram, options };
  // The workers boot while the Gram matrix is computed; they read it only once tasks arrive.
  return trainOnWorkers(workerData, persons, jobs, pool.onProgress, () => {
    if (gram) linearGram(x, new Float64Array(gram));
  });
}

async function trainHere(
  x: FeatureMatrix,
  persons: readonly PersonLabels[],
  options: GridSearchOptions,
  precomputed: boolean,
  onProgress: PoolOptions['onProgress'],
): Promise<PersonResult[]> {
  const gram = precomputed ? { n: x.rows, values: linearGram(x) } : undefined;
  const results: PersonResult[] = [];
  for (const { name, y } of persons) {
    try {
      // Per person: after a failure inside wasm, load() gives a fresh instance.
      results.push({ name, ...runGridSearch(await Libsvm.load(), x, y, options, gram) });
    } catch (err) {
      throw new Error(`training ${name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    onProgress?.(results.length, persons.length, name);
    // Let timers and I/O run between persons.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return results;
}

function trainOnWorkers(
  workerData: PoolWorkerData,
  persons: readonly PersonLabels[],
  jobs: number,
  onProgress: PoolOptions['onProgress'],
  prepare: () => void,
): Promise<PersonResult[]> {
  const url = new URL(`./svm-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  const workers: Worker[] = [];
  const results = new Array<PersonResult | undefined>(persons.length);
  let next = 0;
  let done = 0;
  let settled = false;

  return new Promise<PersonResult[]>((resolve, reject) => {
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      // Always stop every worker, whether we succeeded or not.
      Promise.all(workers.map((w) => w.terminate())).then(
        () => (err ? reject(err) : resolve(results as PersonResult[])),
        () => (err ? reject(err) : resolve(results as PersonResult[])),
      );
    };
    const send = (worker: Worker, current: { index: number }) => {
      if (next >= persons.length) return;
      current.index = next++;
      const task: PersonTask = { index: current.index, y: persons[current.index]!.y };
      worker.postMessage(task);
    };

    const starts: (() => void)[] = [];
    for (let j = 0; j < jobs; j++) {
      const worker = new Worker(url, { workerData });
      workers.push(worker);
      const current = { index: -1 };
      const who = () => (current.index >= 0 ? ` while training ${persons[current.index]!.name}` : '');
      worker.on('message', (message: unknown) => {
        if (settled) return;
        let reply: ReturnType<typeof parsePersonReply>;
        let person: PersonLabels | undefined;
        try {
          reply = parsePersonReply(message);
          if (reply.index !== current.index)
            throw new Error(`reply for task ${reply.index}, expected ${current.index}`);
          person = persons[reply.index];
          if (!person) throw new Error(`reply for task ${reply.index}, but no task was sent`);
        } catch (err) {
          finish(err as Error);
          return;
        }
        const name = person.name;
        if (!reply.ok) {
          finish(new Error(`training ${name} failed: ${reply.error}`));
          return;
        }
        results[reply.index] = { name, ...reply.result };
        current.index = -1;
        done++;
        try {
          onProgress?.(done, persons.length, name);
        } catch (err) {
          finish(err as Error);
          return;
        }
        if (done === persons.length) finish();
        else send(worker, current);
      });
      // A crash reports 'error' and then 'exit'; the first one settles.
      worker.on('error', (err) =>
        finish(new Error(`SVM training worker crashed${who()}: ${err.message}`, { cause: err })),
      );
      worker.on('exit', (code) => finish(new Error(`SVM training worker exited with code ${code}${who()}`)));
      starts.push(() => send(worker, current));
    }
    try {
      prepare();
    } catch (err) {
      finish(err as Error);
      return;
    }
    for (const start of starts) start();
  });
}
