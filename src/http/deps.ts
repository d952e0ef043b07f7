/** What the HTTP API needs from the daemon: narrow ports, given once to createHttpApi. */
import type { Logger } from '../core/logger.js';
import type { TrainingStatus } from '../core/service-status.js';
import type { LabelChanges } from '../labelling/labelling.js';
import type { DrawnFaceChip } from '../pipeline/drawn-face.js';
import type { PluginHost } from '../plugins/host.js';
import type { Recognizer } from '../recognize/recognizer.js';
import type { Db } from '../store/db.js';
import type { MetricsSnapshot } from './metrics.js';

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready, e.g. "starting: reconciling" or "stopping". */
  readonly reason?: string;
}

export interface HttpApiDeps {
  readonly db: Db;
  /**
   * The daemon's data folder. Nothing is served from it yet (chips come from the database); it
   * is here for the labelling page's files.
   */
  readonly dataDir: string;
  /** The photo folders; a photo file is served only when it resolves inside one of them. */
  readonly photoRoots: readonly string[];
  /**
   * Bearer token for writes, and for every request beyond loopback. Unset or '': writes are
   * refused and the server will not listen beyond loopback. At least 16 visible ASCII characters.
   */
  readonly token?: string;
  /** The file the token is kept in (`<dataDir>/http-token`), when it is not set in the config. */
  readonly tokenFile?: string;
  /** An auto name at least this sure goes into the sidecars (the xmp plugin's autoThreshold); default 0.5. */
  readonly sureFrom?: number;
  readonly now: () => number;
  readonly log: Logger;
  /** Where the routes say what a person did to the labels, once it is stored (training, plugins, clusters listen). */
  readonly labelChanges: Pick<LabelChanges, 'publish'>;
  readonly readiness: () => Readiness;
  /** The models in use, for best guesses on unknown faces; undefined before the first training. */
  readonly recognizer: () => Recognizer | undefined;
  /** The training service: its live status, and "train now". Null status: not started yet. */
  readonly training: {
    readonly status: () => TrainingStatus | null;
    /** False when there is no training service yet (start-up). */
    readonly trainNow: () => boolean;
  };
  /**
   * The stored chip of a face drawn on a photo (`box` in the oriented full-resolution frame).
   * Throws DecodeError when the photo cannot be decoded.
   */
  readonly drawnFaceChip: (
    file: string,
    box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number },
  ) => Promise<DrawnFaceChip>;
  readonly metrics: () => MetricsSnapshot;
  /** Cascade: the decision value from which a "Maybe <person>?" guess is offered; null: never. Default −1. */
  readonly guessFloor?: number | null;
  /**
   * The clusters of unknown faces (neural engine). Absent: unknown faces are grouped per request
   * by the models' guesses and HOG likeness (cascade).
   */
  readonly clusters?: {
    /** Take a face out of its cluster for good; its new cluster id, or undefined if it is in none. */
    readonly takeOut: (faceId: number) => number | undefined;
  };
  /** The plugin host: status (with parked events) and retry. Absent: no plugins are listed. */
  readonly plugins?: Pick<PluginHost, 'status' | 'retry'>;
  /** Largest JSON body accepted; default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Decode limit for the annotated photo (config decode.maxPixels); default 100 megapixels. */
  readonly maxPixels?: number;
}
