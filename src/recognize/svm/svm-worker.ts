/**
 * Worker thread entry for trainPersons: loads libsvm at start, then grid-searches the persons it is
 * sent, on the training matrix (and Gram matrix) shared by the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runGridSearch } from './grid-search.js';
import { Libsvm } from './libsvm.js';
import type { FeatureMatrix } from './matrix.js';
import { isPersonTask, type PersonReply, type PoolWorkerData } from './pool-messages.js';

const data = workerData as PoolWorkerData;
const x: FeatureMatrix = { rows: data.rows, cols: data.cols, data: new Float64Array(data.features) };
const gram = data.gram ? { n: data.rows, values: new Float64Array(data.gram) } : undefined;
// Start loading now, while the main thread computes the Gram matrix. A failure is reported by the
// first task, which awaits the same load.
Libsvm.load().catch(() => undefined);

parentPort?.on('message', async (task: unknown) => {
  let reply: PersonReply;
  const index = typeof task === 'object' && task !== null ? Number((task as { index?: unknown }).index) : -1;
  try {
    if (!isPersonTask(task, x.rows)) throw new Error('malformed task');
    // Per task: after a failure inside wasm, load() gives a fresh instance.
    const result = runGridSearch(await Libsvm.load(), x, task.y, data.options, gram);
    reply = { index, ok: true, result };
  } catch (err) {
    reply = { index, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
