/**
 * Worker thread entry: scans the angles it is given on a shared grey image. It keeps its
 * scratch buffers between tasks, so a long backfill allocates them once per thread.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parseCascadeXml } from '../vision/cascade/model.js';
import { detectAngles, ScanScratch } from '../vision/detect-angle.js';
import type { AngleTask, AngleTaskReply } from './angle-messages.js';

const { cascadePath } = workerData as { cascadePath: string };
const model = parseCascadeXml(readFileSync(cascadePath, 'utf8'), cascadePath);
const scratch = new ScanScratch();

parentPort?.on('message', (task: AngleTask) => {
  let reply: AngleTaskReply;
  try {
    const grey = { width: task.width, height: task.height, data: new Float64Array(task.grey) };
    const { hits, times } = detectAngles(model, grey, task.angles, task.settings, scratch);
    reply = { id: task.id, ok: true, hits, times };
  } catch (err) {
    reply = { id: task.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort?.postMessage(reply);
});
