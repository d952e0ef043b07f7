/**
 * The folder import rules of src/, as data (issue 16 §5): layers in data-flow order, bottom first.
 * A folder may import only folders of lower layers; files at the root of src/ are named with
 * their extension. `test/unit/import-rules.test.ts` checks every import against these rules and
 * the README's layout table against `layersTable()`.
 */

export interface Layer {
  readonly folders: readonly string[];
  /** What the layer holds, for the README. */
  readonly holds: string;
}

export const LAYERS: readonly Layer[] = [
  {
    folders: ['core', 'version.ts'],
    holds:
      'logger, exit-code errors, the clock and timers, the rotation rules (step, sweep angles, turned frame), status and metric shapes shared by services',
  },
  { folders: ['files', 'names'], holds: 'walking folders, hashing, storage faults; the one person-name rule' },
  {
    folders: ['config', 'store'],
    holds: 'the config schema; SQLite: migrations, photos, faces, persons, jobs, outbox',
  },
  {
    folders: ['labelling'],
    holds:
      'every label action (name, reject, ignore, undo, rename, merge, drawn faces), its refusals, and the change event after commit',
  },
  { folders: ['vision'], holds: 'pure image math: decode, geometry, chips, rotation, the LBP cascade' },
  {
    folders: ['recognize', 'dataset', 'workers', 'sidecar'],
    holds: 'HOG, SVMs and models; the HDF5 dataset; the thread pool; XMP sidecars',
  },
  { folders: ['detect'], holds: 'the rotation sweep and its angle runners' },
  { folders: ['neural'], holds: 'the neural engine: SSD, embeddings, worker pool' },
  { folders: ['engine'], holds: 'the engine seam: one detector over both engines, and their factory' },
  {
    folders: ['pipeline', 'cluster', 'web'],
    holds: 'one photo through the engines (the daemon, classify, chip); clusters of unknown faces; the labelling page',
  },
  { folders: ['eval'], holds: 'ground truth matching and the evaluations' },
  { folders: ['plugins'], holds: 'the plugin contract, host and built-in plugins' },
  { folders: ['http'], holds: 'the HTTP API' },
  { folders: ['daemon'], holds: 'the daemon: composition, job runner, reconcile, training, watcher' },
  { folders: ['cli'], holds: 'one file per command' },
  { folders: ['cli.ts'], holds: 'the command dispatcher' },
];

/**
 * Backward arrows allowed for now, each with where it is and what removes it. Empty: the check
 * fails on any backward arrow, and on an entry here that no longer exists.
 */
export const KNOWN_BACKWARD: readonly { readonly from: string; readonly to: string; readonly why: string }[] = [];

/** Who may import sharp: the decoder and the encoder, nothing else (issue 16 §5). */
export const SHARP_IMPORTERS: readonly string[] = ['src/vision/decode.ts', 'src/vision/encode.ts'];

/** The README's layout table, rendered from LAYERS. */
export function layersTable(): string {
  const rows = LAYERS.map(
    (l, i) => `| ${i} | ${l.folders.map((f) => `\`${f.endsWith('.ts') ? f : `${f}/`}\``).join(', ')} | ${l.holds} |`,
  );
  return ['| layer | folders under `src/` | holds |', '|---|---|---|', ...rows].join('\n');
}
