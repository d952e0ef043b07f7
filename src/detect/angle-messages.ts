import type { AngleHit, ScanSettings, StageTimes } from '../vision/detect-angle.js';

/** Main thread to worker: scan `angles` of the grey image held in shared memory. */
export interface AngleTask {
  readonly id: number;
  readonly grey: SharedArrayBuffer;
  readonly width: number;
  readonly height: number;
  readonly angles: readonly number[];
  readonly settings: ScanSettings;
}

export type AngleTaskReply =
  | { readonly id: number; readonly ok: true; readonly hits: AngleHit[]; readonly times: StageTimes }
  | { readonly id: number; readonly ok: false; readonly error: string };
