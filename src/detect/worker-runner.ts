import { availableParallelism } from 'node:os';
import { type AngleHit, emptyStageTimes, type StageTimes } from '../vision/detect-angle.js';
import { rotationFrame } from '../vision/rotate.js';
import { threadPool } from '../workers/thread-pool.js';
import type { AngleTask, AngleTaskReply } from './angle-messages.js';
import type { AngleRunner, AngleRunResult } from './sweep.js';

/**
 * Runs the sweep's angles in parallel on worker threads. The grey image goes to the workers
 * once, in shared memory; each worker takes a balanced share of the angles.
 */
export function workerRunner(cascadePath: string, threads = 0): AngleRunner {
  const pool = threadPool<AngleTask, AngleTaskReply>({
    url: new URL(`./angle-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
    size: threads > 0 ? threads : availableParallelism(),
    label: 'detection',
    workerOptions: { workerData: { cascadePath } },
  });

  return {
    async run(grey, angles, settings): Promise<AngleRunResult> {
      pool.checkUsable();
      const shared = new SharedArrayBuffer(grey.data.length * 8);
      new Float64Array(shared).set(grey.data);
      const shares = balance(angles, grey.width, grey.height, pool.size);
      const replies = await Promise.all(
        shares.map((share, i) =>
          share.length === 0
            ? null
            : pool.send(i, { grey: shared, width: grey.width, height: grey.height, angles: share, settings }),
        ),
      );
      const byAngle = new Map<number, AngleHit[]>();
      const times: StageTimes = emptyStageTimes();
      for (const reply of replies) {
        if (!reply) continue;
        if (!reply.ok) throw new Error(`detection worker failed: ${reply.error}`);
        for (const hit of reply.hits) {
          const list = byAngle.get(hit.rect.angle) ?? [];
          list.push(hit);
          byAngle.set(hit.rect.angle, list);
        }
        for (const k of Object.keys(times) as (keyof StageTimes)[]) times[k] += reply.times[k];
      }
      // Same order as the local runner, so results do not depend on thread timing.
      return { hits: angles.flatMap((a) => byAngle.get(a) ?? []), times };
    },
    close: () => pool.close(),
  };
}

/** Split angles into `n` shares of similar work (canvas area), largest first. */
export function balance(angles: readonly number[], width: number, height: number, n: number): number[][] {
  const shares: number[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  const area = (a: number) => {
    const f = rotationFrame(width, height, a);
    return f.width * f.height;
  };
  for (const a of [...angles].sort((x, y) => area(y) - area(x))) {
    const i = load.indexOf(Math.min(...load));
    shares[i]?.push(a);
    load[i] = (load[i] ?? 0) + area(a);
  }
  return shares;
}
