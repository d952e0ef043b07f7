/**
 * What the daemon's services report and the HTTP API shows (GET /api/training, /metrics,
 * /readyz): the contract between them, so neither imports the other's internals.
 */

/** How a photo folder is being followed right now. */
export type RootMode = 'starting' | 'watching' | 'polling' | 'closed';

export type TrainingPhase = 'idle' | 'waiting' | 'training' | 'naming';

export interface TrainingStatus {
  /** waiting: labels changed, training starts at `startsAt` (the debounce). */
  readonly phase: TrainingPhase;
  readonly startsAt: number | null;
  /** While training: persons done of total, and the last one finished. While naming: faces. */
  readonly progress: { readonly done: number; readonly total: number; readonly current: string | null } | null;
  readonly last: {
    readonly finishedAt: number;
    readonly seconds: number;
    readonly persons: number;
    readonly named: number;
    readonly error: string | null;
  } | null;
}
