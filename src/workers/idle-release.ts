/**
 * A resource made on first use and closed again once it has had nothing to do for `idleMs`. The
 * daemon waits for new photos most of the day; with its worker threads released it holds none of
 * their heaps, cascade kernels or tfjs-wasm memory, and makes them again when a photo arrives
 * (milliseconds for the cascade's workers, ~1.5 s for the neural ones).
 */
export interface IdleReleased<T> {
  /** Run `fn` on the resource, making it first if it was released. */
  use<R>(fn: (resource: T) => Promise<R>): Promise<R>;
  /** Whether the resource exists right now. */
  readonly live: boolean;
  /** Close it for good; later use fails. */
  close(): Promise<void>;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // An idle timer must not keep a finished process alive.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function idleReleased<T extends { close(): Promise<void> }>(
  create: () => T,
  idleMs: number,
  timers: Timers = realTimers,
): IdleReleased<T> {
  let resource: T | undefined;
  let inFlight = 0;
  let timer: unknown;
  let closed = false;
  /** The close of a released resource still running: a new one waits for it. */
  let releasing: Promise<void> = Promise.resolve();

  const release = () => {
    timer = undefined;
    if (inFlight > 0 || !resource) return;
    const r = resource;
    resource = undefined;
    releasing = r.close().catch(() => {});
  };

  return {
    async use(fn) {
      if (closed) throw new Error('workers are closed');
      if (timer !== undefined) {
        timers.clearTimeout(timer);
        timer = undefined;
      }
      inFlight++;
      try {
        if (!resource) {
          await releasing;
          resource ??= create();
        }
        return await fn(resource);
      } finally {
        inFlight--;
        if (inFlight === 0 && !closed && idleMs > 0) timer = timers.setTimeout(release, idleMs);
      }
    },
    get live() {
      return resource !== undefined;
    },
    async close() {
      closed = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      const r = resource;
      resource = undefined;
      await releasing;
      await r?.close();
    },
  };
}
