/**
 * `facetag train --library`: train from what the family labelled in the daemon's database (and
 * the labels folder), exactly as the daemon does. When the daemon is running it is asked to train
 * (POST /api/training), so it picks up the new models at once and nothing trains twice; otherwise
 * the models are trained here, and the daemon loads them at its next start.
 */
import { join } from 'node:path';
import * as z from 'zod';
import type { Config } from '../config/schema.js';
import { createLogger } from '../core/logger.js';
import { engineForLibrary } from '../daemon/library.js';
import { trainLibrary } from '../daemon/train-library.js';
import type { PersonTraining } from '../recognize/trainer.js';
import { libraryEngine } from '../store/pipeline.js';
import { openStoreForCommand } from './open-store.js';
import { createProgress } from './progress.js';
import { readToken } from './token-command.js';

const POLL_MS = 500;

const statusAnswer = z.object({
  service: z
    .object({
      phase: z.string(),
      progress: z.object({ done: z.number(), total: z.number(), current: z.string().nullable() }).nullable(),
      last: z
        .object({ finishedAt: z.number(), persons: z.number(), named: z.number(), error: z.string().nullable() })
        .nullable(),
    })
    .nullable(),
  persons: z.array(
    z.object({
      name: z.string(),
      chips: z.number(),
      model: z.object({ version: z.number(), cvScore: z.number().nullable() }).nullable(),
    }),
  ),
});

/** The daemon's API, if one answers on the configured address. */
async function runningDaemon(config: Config): Promise<string | undefined> {
  if (!config.http.enabled || config.http.port === 0) return undefined;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${config.http.port}`;
  const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    (r) => r.ok,
    () => false,
  );
  return ok ? url : undefined;
}

/** Ask the running daemon to train, follow its progress, print its table. */
async function trainThroughDaemon(url: string, token: string): Promise<number> {
  const since = Date.now();
  const started = await fetch(`${url}/api/training`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!started.ok) throw new Error(`the daemon at ${url} refused to train: ${started.status} ${await started.text()}`);
  process.stderr.write(`the daemon at ${url} is training\n`);
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const answer = statusAnswer.parse(await (await fetch(`${url}/api/training`)).json());
    const s = answer.service;
    if (s?.phase === 'training' && s.progress) {
      process.stderr.write(`\rtrain ${s.progress.done}/${s.progress.total} ${s.progress.current ?? ''}   `);
    }
    if (s && s.phase === 'idle' && s.last && s.last.finishedAt >= since) {
      process.stderr.write('\n');
      if (s.last.error) throw new Error(`training failed in the daemon: ${s.last.error}`);
      for (const p of answer.persons) {
        const model = p.model ? `v${p.model.version}, CV ${p.model.cvScore?.toFixed(3) ?? '-'}` : 'no model';
        process.stdout.write(`${p.name}\t${p.chips} named faces\t${model}\n`);
      }
      process.stdout.write(`${s.last.persons} models; ${s.last.named} faces named by them\n`);
      return s.last.persons > 0 ? 0 : 1;
    }
  }
}

/** Train here, from the database, with progress; returns the report for the caller's table. */
async function trainHere(
  config: Config,
  values: { 'data-dir'?: string; config?: string },
): Promise<{ readonly persons: readonly PersonTraining[] } | null> {
  const { db, dataDir } = openStoreForCommand('train', values);
  try {
    let progress: ReturnType<typeof createProgress> | undefined;
    const result = await trainLibrary({
      db,
      // The daemon's engine for this library: a cascade library trains HOG models unless told.
      config: engineForLibrary(config, libraryEngine(db)).config,
      modelsDir: join(dataDir, 'models'),
      labelsDir: join(dataDir, 'labels'),
      log: createLogger({ level: 'warn', syslogPrefix: false, write: (line) => process.stderr.write(`${line}\n`) }),
      now: Date.now,
      onProgress: (done, total, person) => {
        progress ??= createProgress({ label: 'train', total });
        progress.tick(1, person);
        if (done === total) progress.done();
      },
    });
    if (!result.report) process.stderr.write('no labelled faces in the library yet: nothing to train\n');
    return result.report;
  } finally {
    db.close();
  }
}

export type LibraryTrainingOutcome =
  | { readonly via: 'daemon'; readonly code: number }
  | { readonly via: 'here'; readonly report: { readonly persons: readonly PersonTraining[] } | null };

export async function trainLibraryCommand(
  config: Config,
  values: { 'data-dir'?: string; config?: string },
): Promise<LibraryTrainingOutcome> {
  const url = await runningDaemon(config);
  if (url) {
    return { via: 'daemon', code: await trainThroughDaemon(url, await readToken(config, values)) };
  }
  return { via: 'here', report: await trainHere(config, values) };
}
