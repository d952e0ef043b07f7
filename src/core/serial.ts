/**
 * Tasks run one after another, in the order given. A task that fails rejects its own promise
 * only: the tasks queued after it still run (a rejected link would otherwise stop the chain for
 * good, e.g. every later reconcile of the daemon).
 */
export function serially(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => {});
    return run;
  };
}
