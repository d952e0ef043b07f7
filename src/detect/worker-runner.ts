import { rotationFrame } from '../core/rotation.js';
import { type AngleHit, emptyStageTimes, type StageTimes } from '../vision/detect-angle.js';
import { poolSize, threadPool } from '../workers/thread-pool.js';
import type { AngleTask, AngleTaskReply } from './angle-messages.js';
import type { AngleRunner, AngleRunResult } from './sweep.js';

/**
 * Runs the sweep's angles in parallel on worker threads. The grey image goes to the workers
 * once, in shared memory; each worker takes a balanced share of the angles.
 */
export function workerRunner(cascadePath: string, angles: readonly number[], threads = 0): AngleRunner {
  const pool = threadPool<AngleTask, AngleTaskReply>({
    url: new URL(`./angle-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
    size: poolSize(threads),
    label: 'detection',
    workerOptions: { workerData: { cascadePath } },
  });

  return {
    async run(grey, settings): Promise<AngleRunResult> {
      pool.checkUsable();
      const shared = new SharedArrayBuffer(grey.data.length * 8);
      new Float64Array(shared).set(grey.data);
      const { hits, replies } = await sweepOnPool(
        pool.size,
        angles,
        grey.width,
        grey.height,
        (i, share) => pool.send(i, { grey: shared, width: grey.width, height: grey.height, angles: share, settings }),
        (reply) => {
          if (!reply.ok) throw new Error(`detection worker failed: ${reply.error}`);
          return reply.hits;
        },
      );
      const times: StageTimes = emptyStageTimes();
      for (const reply of replies) {
        if (reply.ok) for (const k of Object.keys(times) as (keyof StageTimes)[]) times[k] += reply.times[k];
      }
      return { hits, times };
    },
    close: () => pool.close(),
  };
}

/**
 * A sweep's angles on a pool of `size` workers: split by canvas area (`balance`), one task per
 * worker, and the hits merged back in angle order, as the local runner returns them, so results
 * do not depend on thread timing. `hitsOf` checks each reply.
 */
export async function sweepOnPool<R>(
  size: number,
  angles: readonly number[],
  width: number,
  height: number,
  send: (slot: number, share: number[]) => Promise<R>,
  hitsOf: (reply: R) => readonly AngleHit[],
): Promise<{ hits: AngleHit[]; replies: R[] }> {
  const shares = balance(angles, width, height, size);
  const answered = await Promise.all(shares.map((share, i) => (share.length === 0 ? null : send(i, share))));
  const replies = answered.filter((r): r is Awaited<R> => r !== null);
  return { hits: inAngleOrder(angles, replies.flatMap(hitsOf)), replies };
}

/** `hits` ordered as their angles are in `angles` (each angle's own order kept), whoever found them. */
export function inAngleOrder(angles: readonly number[], hits: readonly AngleHit[]): AngleHit[] {
  const byAngle = new Map<number, AngleHit[]>();
  for (const hit of hits) {
    const list = byAngle.get(hit.rect.angle);
    if (list) list.push(hit);
    else byAngle.set(hit.rect.angle, [hit]);
  }
  return angles.flatMap((a) => byAngle.get(a) ?? []);
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
