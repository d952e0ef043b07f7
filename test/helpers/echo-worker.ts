/** A worker for thread-pool tests: echoes each task, exits with code 3 on 'crash', never answers 'silent'. */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (task: { id: number; value: string }) => {
  if (task.value === 'crash') process.exit(3);
  if (task.value === 'silent') return;
  parentPort?.postMessage({ id: task.id, echo: task.value });
});
