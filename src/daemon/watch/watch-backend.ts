/**
 * The seam between the watcher and the OS notification library: @parcel/watcher in production,
 * hand-written fakes in tests (a backend whose subscribe fails exercises the polling fallback).
 */

export interface BackendEvent {
  readonly type: 'create' | 'update' | 'delete';
  /** Absolute, under the directory that was subscribed. */
  readonly path: string;
}

export interface BackendSubscription {
  unsubscribe(): Promise<void>;
}

export interface WatchBackend {
  /** For log lines. */
  readonly name: string;
  /**
   * Watch `dir` recursively. Resolves once watching (the initial crawl done); rejects when it
   * cannot. `onError` reports a subscription that broke later; it delivers no more events after.
   */
  subscribe(
    dir: string,
    onEvents: (events: readonly BackendEvent[]) => void,
    onError: (error: Error) => void,
  ): Promise<BackendSubscription>;
}
