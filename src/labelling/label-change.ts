/**
 * The one event a label change sends (issue 16 §3): what a person did, published after its
 * transaction commits. The daemon's training, plugin host and clustering subscribe; the HTTP routes
 * publish. Labels written by another process (`facetag label`) are not seen here: the training
 * service's fingerprint poll notices those.
 */

export type LabelChange =
  /** Named, confirmed, rejected, ignored, "not a face" or cleared: one face or a whole group. */
  | { readonly kind: 'faces-labelled'; readonly faceIds: readonly number[] }
  | { readonly kind: 'label-action-undone'; readonly actionId: number }
  | { readonly kind: 'person-renamed'; readonly personId: number }
  | { readonly kind: 'persons-merged'; readonly from: number; readonly into: number }
  /** A face a person drew on a photo the detector missed. */
  | { readonly kind: 'face-drawn'; readonly faceId: number };

export type LabelListener = (change: LabelChange) => void;

export interface LabelChanges {
  publish(change: LabelChange): void;
  /** Returns the unsubscribe. */
  subscribe(listener: LabelListener): () => void;
}

/**
 * An in-process hub. A listener that throws does not keep the change from the others: its error
 * goes to `onListenerError` (the daemon logs it), since the label itself is already stored.
 */
export function labelChanges(onListenerError: (err: unknown, change: LabelChange) => void): LabelChanges {
  const listeners = new Set<LabelListener>();
  return {
    publish(change) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (err) {
          onListenerError(err, change);
        }
      }
    },
    subscribe(listener) {
      const own = (change: LabelChange) => listener(change);
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },
  };
}
