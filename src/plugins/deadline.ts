/**
 * One plugin call, bounded in time. The call gets a signal that aborts at the deadline or when
 * `stop` aborts; either way the host stops waiting at that moment, even if the plugin ignores the
 * signal (its promise is left to settle on its own). Only a plugin that blocks the event loop with
 * synchronous work cannot be stopped this way; the README says so.
 */

export type CallOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'deadline'; readonly ms: number }
  | { readonly kind: 'stopped' };

class DeadlineReached extends Error {
  override name = 'DeadlineReached';
}
class Stopped extends Error {
  override name = 'Stopped';
}

export async function callWithDeadline<T>(
  call: (signal: AbortSignal) => Promise<T> | T,
  ms: number,
  stop?: AbortSignal,
): Promise<CallOutcome<T>> {
  if (stop?.aborted) return { kind: 'stopped' };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineReached(`deadline of ${ms} ms reached`)), ms);
  const onStop = () => controller.abort(new Stopped('stopping'));
  stop?.addEventListener('abort', onStop, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    // `then` turns a synchronous throw into a rejection like any other.
    const value = await Promise.race([Promise.resolve().then(() => call(controller.signal)), aborted]);
    return { kind: 'ok', value };
  } catch (error) {
    if (controller.signal.aborted) {
      return controller.signal.reason instanceof Stopped ? { kind: 'stopped' } : { kind: 'deadline', ms };
    }
    return { kind: 'error', error };
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener('abort', onStop);
  }
}
