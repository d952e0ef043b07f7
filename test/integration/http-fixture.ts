/**
 * A real store (migrations, store API) behind a real HTTP API on a free loopback port, for the
 * http-*.test.ts files. The library holds a generated JPEG; beside it are a folder outside the
 * library and a symlink from the library into it.
 */

import { mkdir, rm, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { defaultConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/core/logger.js';
import { createHttpApi, type HttpServer, startHttpServer } from '../../src/http/app.js';
import type { HttpApiDeps, Readiness } from '../../src/http/deps.js';
import type { MetricsSnapshot } from '../../src/http/metrics.js';
import type { LabelChange } from '../../src/labelling/labelling.js';
import { drawnFaceChip } from '../../src/pipeline/drawn-face.js';
import { type AnalysisRecord, recordAnalysis } from '../../src/store/analysis.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import type { FaceInput } from '../../src/store/face-writes.js';
import { tmpDir } from '../helpers/paths.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface Fixture {
  readonly dir: string;
  readonly root: string;
  readonly outside: string;
  readonly db: Db;
  readonly server: HttpServer;
  /** Label changes the routes published, in order, and how many. */
  readonly labelsChanged: { count: number; changes: LabelChange[] };
  readonly readiness: { value: Readiness };
  readonly logLines: string[];
  readonly clock: { now: number };
  /** The photo ids by name: family (3 faces), solo (1 face), outsideRow, symlinked. */
  readonly photos: Record<'family' | 'solo' | 'outsideRow' | 'symlinked', number>;
  close(): Promise<void>;
}

/** The daemon's ports as a bare API sees them: no models, no training service; chips cut for real. */
export const TEST_PORTS: Pick<HttpApiDeps, 'training' | 'drawnFaceChip' | 'recognizer'> = {
  recognizer: () => undefined,
  training: { status: () => null, trainNow: () => false },
  drawnFaceChip: (file, box) =>
    drawnFaceChip(file, box, { detection: defaultConfig().detection, maxPixels: 100_000_000 }),
};

export const SNAPSHOT: MetricsSnapshot = {
  photos: { analysed: 12, reused: 3, failed: 1, retried: 2 },
  stageSeconds: {
    analyse: { bounds: [0.5, 1, 5], cumulativeCounts: [2, 5, 11], count: 12, sum: 21.5 },
    decode: { bounds: [0.1, 1], cumulativeCounts: [10, 12], count: 12, sum: 0.9 },
  },
  sidecarWriteErrors: 4,
  watcher: { roots: [{ mode: 'watching' }, { mode: 'polling' }, { mode: 'watching' }], pending: 5 },
};

/** A 64-px grey PNG, as the pipeline stores chips. */
export const chipPng = (shade: number): Promise<Buffer> =>
  sharp({ create: { width: 64, height: 64, channels: 3, background: { r: shade, g: shade, b: shade } } })
    .greyscale()
    .png()
    .toBuffer();

/** A mid-grey 640x480 JPEG. */
const writeJpeg = (path: string): Promise<unknown> =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 120, b: 120 } } })
    .jpeg()
    .toFile(path);

export const face = (
  cx: number,
  cy: number,
  chip: Buffer,
  predictedPerson: string | null,
  value: number | null,
): FaceInput => ({
  rect: { cx, cy, width: 100, height: 100, angle: 0 },
  strength: 5,
  chip,
  chipPadding: 0.25,
  predictedPerson,
  decisionValue: value,
});

export const analysis = (path: string, hashChar: string, faces: FaceInput[]): AnalysisRecord => ({
  path,
  size: 1000,
  mtimeMs: 1_700_000_000_000,
  hash: hashChar.repeat(64),
  pipelineVersion: 1,
  modelVersion: 'm1',
  width: 640,
  height: 480,
  orientation: 1,
  takenAt: null,
  faces,
});

export async function startFixture(overrides: Partial<HttpApiDeps> = {}): Promise<Fixture> {
  const dir = await tmpDir('facetag-http-');
  const root = join(dir, 'library');
  const outside = join(dir, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeJpeg(join(root, 'family.jpg'));
  await writeJpeg(join(root, 'solo.jpg'));
  await writeJpeg(join(outside, 'secret.jpg'));
  await symlink(join(outside, 'secret.jpg'), join(root, 'link.jpg'));

  const db = openDatabase(join(dir, 'data'));
  const clock = { now: Date.UTC(2026, 11, 1) };
  const chip = await chipPng(90);
  const family = recordAnalysis(
    db,
    null,
    analysis(join(root, 'family.jpg'), 'a', [
      face(120, 120, chip, 'Bob', 0.7),
      face(320, 240, chip, null, null),
      face(520, 360, chip, 'Bob', 0.2),
    ]),
    clock.now,
  ).photoId;
  const solo = recordAnalysis(
    db,
    null,
    analysis(join(root, 'solo.jpg'), 'b', [face(300, 200, await chipPng(200), 'Carol', 1.1)]),
    clock.now,
  ).photoId;
  const outsideRow = recordAnalysis(
    db,
    null,
    analysis(join(outside, 'secret.jpg'), 'c', [face(300, 200, chip, null, null)]),
    clock.now,
  ).photoId;
  const symlinked = recordAnalysis(
    db,
    null,
    analysis(join(root, 'link.jpg'), 'd', [face(300, 200, chip, null, null)]),
    clock.now,
  ).photoId;

  const labelsChanged = { count: 0, changes: [] as LabelChange[] };
  const readiness = { value: { ready: true } as Readiness };
  const logLines: string[] = [];
  const app = createHttpApi({
    db,
    dataDir: join(dir, 'data'),
    photoRoots: [root],
    token: TOKEN,
    now: () => clock.now,
    log: createLogger({ write: (l) => logLines.push(l), rateLimit: false, syslogPrefix: false }),
    labelChanges: {
      publish: (change) => {
        labelsChanged.count++;
        labelsChanged.changes.push(change);
      },
    },
    ...TEST_PORTS,
    readiness: () => readiness.value,
    metrics: () => SNAPSHOT,
    ...overrides,
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  return {
    dir,
    root,
    outside,
    db,
    server,
    labelsChanged,
    readiness,
    logLines,
    clock,
    photos: { family, solo, outsideRow, symlinked },
    async close() {
      await server.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
  readonly bytes: Buffer;
}

/** A request; `body` is sent as JSON, `token` as a bearer token. */
export async function call(
  fx: Pick<Fixture, 'server'>,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${fx.server.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const isJson = res.headers.get('content-type')?.startsWith('application/json') ?? false;
  return {
    status: res.status,
    headers: res.headers,
    json: isJson ? JSON.parse(bytes.toString('utf8')) : undefined,
    bytes,
  };
}

/** A request with the path sent exactly as given (fetch would normalise `..` segments). */
export function rawGet(
  fx: Pick<Fixture, 'server'>,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(fx.server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
