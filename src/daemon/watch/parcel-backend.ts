import type ParcelWatcher from '@parcel/watcher';
import { NATIVE_IGNORE } from '../../files/ignore-rules.js';
import type { WatchBackend } from './watch-backend.js';

type ParcelModule = typeof ParcelWatcher;

let loading: Promise<ParcelModule> | undefined;

/**
 * Loaded on first use, so a platform without a prebuilt binding (e.g. musl without a compiler)
 * becomes a subscribe failure, and with it the polling fallback, instead of a crash at import.
 */
function loadParcel(): Promise<ParcelModule> {
  loading ??= import('@parcel/watcher').then((m) => m.default);
  return loading;
}

/**
 * @parcel/watcher 2.x: one inotify watch per directory (not per file) and its directory tree
 * kept in C++, not on the JS heap; see create-watcher.ts for the measurements. On Linux the
 * inotify backend is pinned: "default" would switch to watchman whenever a `watchman` binary
 * happens to be installed, with different resource use and failure modes.
 */
export function parcelBackend(): WatchBackend {
  return {
    name: '@parcel/watcher',
    async subscribe(dir, onEvents, onError) {
      const parcel = await loadParcel();
      const options: ParcelWatcher.Options = { ignore: [NATIVE_IGNORE] };
      if (process.platform === 'linux') options.backend = 'inotify';
      return parcel.subscribe(
        dir,
        (err, events) => {
          // An exception escaping this callback is fatal to the process (napi_fatal_exception).
          try {
            if (err) onError(err);
            else onEvents(events);
          } catch (thrown) {
            onError(thrown instanceof Error ? thrown : new Error(String(thrown)));
          }
        },
        options,
      );
    },
  };
}
