/**
 * Teaching end to end (`npm run eval:teaching`). The daemon, on its default config, analyses a copy
 * of ../shared/data/library; the groups of unknown faces it then offers are scored before anyone
 * names a face; then ../shared/tools/teach.py, a simulated family member, names faces through the
 * HTTP API round by round within an action budget. Prints the groups' quality, every round, the
 * final coverage and error rate, and the backfill rate. Not a test.
 *
 *   npm run eval:teaching -- [--library DIR] [--budget 20] [--timeout 3600] [--keep] [--json FILE]
 *
 * The daemon is spawned here rather than through test/helpers/daemon.ts: its output goes to a
 * file one can follow during the 10-20 minute run, not into memory, and it logs at `warn`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import type { GroupKind } from '../src/cluster/unknown-groups.js';
import { TOKEN_FILE } from '../src/daemon/http-token.js';
import {
  type Group,
  type GroupPurity,
  groupPurities,
  type MemberSpread,
  meanOf,
  memberSpreads,
  type PhotoFaces,
  parseTruth,
  truthOfFaces,
} from '../src/eval/cluster-quality.js';
import { sleep, writeConfig } from '../test/helpers/daemon.js';
import { cliPath } from '../test/helpers/detector.js';
import { sharedDir } from '../test/helpers/paths.js';
import { fmt, round, say, table } from './common.js';

const { values: opts } = parseArgs({
  options: {
    library: { type: 'string', default: join(sharedDir, 'data/library') },
    budget: { type: 'string', default: '20' },
    timeout: { type: 'string', default: '3600' },
    keep: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const library = resolve(opts.library);
const budget = Number(opts.budget);
const timeoutS = Number(opts.timeout);
if (!Number.isInteger(budget) || budget < 0) throw new Error(`--budget: expected a whole number (got ${opts.budget})`);
if (!(timeoutS > 0)) throw new Error(`--timeout: expected seconds (got ${opts.timeout})`);
const TEACH = join(sharedDir, 'tools/teach.py');
/** Groups the daemon lists that gather unrelated faces (see src/cluster/unknown-groups.ts). */
const GATHERED: ReadonlySet<string> = new Set<GroupKind>(['once', 'unlikely']);

// ---- the API's answers, as far as this bench reads them

const trainingAnswer = z.object({ service: z.object({ phase: z.string() }).nullable() });
const photoPage = z.object({ photos: z.array(z.object({ id: z.int() })), next: z.string().nullable() });
const photoFacesAnswer = z.object({
  photo: z.object({ path: z.string(), width: z.number().nullable(), height: z.number().nullable() }),
  faces: z.array(z.object({ id: z.int(), box: z.object({ cx: z.number(), cy: z.number(), width: z.number() }) })),
});
const unknownAnswer = z.object({
  groups: z.array(z.object({ kind: z.string().optional(), faces: z.array(z.object({ id: z.int() })) })),
  truncated: z.boolean().optional(),
});

// ---- what teach.py writes (its --json file; each stdout line is one round)

const teachRound = z.object({
  coverage: z.number(),
  wrong: z.number(),
  familyFaces: z.int(),
  familyDetected: z.int(),
  centredFaces: z.int(),
  faces: z.int(),
  actions: z.int(),
  seconds: z.number(),
  action: z.enum(['name', 'ignore']).optional(),
  group: z.int().optional(),
  kept: z.int().optional(),
  named: z.string().nullable().optional(),
});
const teachResult = z.object({
  budget: z.int(),
  actions: z.int(),
  final: teachRound,
  worstWrong: z.number(),
  rounds: z.array(teachRound),
  actionsTo50: z.int().nullable(),
  actionsTo80: z.int().nullable(),
  actionsTo90: z.int().nullable(),
  sidecar: z.object({ coverage: z.number(), wrong: z.number(), namedPhotos: z.int() }).optional(),
});
type TeachResult = z.infer<typeof teachResult>;

// ---- the daemon

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface RunningDaemon {
  readonly child: ChildProcess;
  /** performance.now() at spawn. */
  readonly startedAt: number;
  readonly exited: Promise<Exit>;
  /** Set once the process has exited. */
  exit?: Exit;
}

/** Inherited variables that would change what the daemon does (FACETAG_PORT, FACETAG_TOKEN, ...). */
const INHERITED = /^(FACETAG_.*|NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)$/;

function spawnDaemon(photos: string, dataDir: string, config: string, log: string): RunningDaemon {
  const inherited = Object.entries(process.env).filter(([k]) => !INHERITED.test(k));
  const env = { ...Object.fromEntries(inherited), MALLOC_ARENA_MAX: '2', FACETAG_LOG_LEVEL: 'warn' };
  const fd = openSync(log, 'a');
  const child = spawn(
    process.execPath,
    [cliPath, 'run', '--photos', photos, '--data-dir', dataDir, '--config', config],
    { env, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const daemon: RunningDaemon = {
    child,
    startedAt: performance.now(),
    exited: new Promise<Exit>((done) => {
      child.once('exit', (code, signal) => {
        daemon.exit = { code, signal };
        done(daemon.exit);
      });
    }),
  };
  return daemon;
}

function assertRunning(daemon: RunningDaemon): void {
  if (daemon.exit) throw new Error(`the daemon exited early (${JSON.stringify(daemon.exit)})`);
}

/** SIGTERM, then SIGKILL if it has not exited after 30 s. */
async function stopDaemon(daemon: RunningDaemon): Promise<Exit & { seconds: number }> {
  const t = performance.now();
  if (!daemon.exit) daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), 30_000);
  const exit = await daemon.exited;
  clearTimeout(timer);
  return { ...exit, seconds: (performance.now() - t) / 1000 };
}

/** A port nobody listens on now: the kernel's pick for port 0. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel');
  return address.port;
}

function tailOf(file: string, lines = 40): string {
  const text = existsSync(file) ? readFileSync(file, 'utf8').trimEnd() : '';
  return text === '' ? '(nothing logged at warn or above)' : text.split('\n').slice(-lines).join('\n');
}

// ---- the HTTP API

interface Api {
  json<T>(path: string, schema: z.ZodType<T>): Promise<T>;
  text(path: string): Promise<string>;
}

function apiOf(base: string, token: string): Api {
  const get = async (path: string): Promise<Response> => {
    // 503 means "starting" or "busy": teach.py waits too.
    for (let attempt = 0; attempt < 30; attempt++) {
      const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 503) {
        if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
        return res;
      }
      await res.body?.cancel();
      await sleep(2000);
    }
    throw new Error(`GET ${path}: still 503 after a minute`);
  };
  return {
    json: async (path, schema) => schema.parse(await (await get(path)).json()),
    text: async (path) => (await get(path)).text(),
  };
}

/** Until the token file is written and /healthz answers 200. */
async function waitStarted(daemon: RunningDaemon, base: string, tokenFile: string, timeoutMs: number): Promise<string> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    assertRunning(daemon);
    const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
    if (token.length >= 16) {
      const ok = await fetch(`${base}/healthz`).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ok) return token;
    }
    if (performance.now() > end) throw new Error(`the daemon did not start within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** Sum of the values of the /metrics lines that pass `pick`. */
function metricSum(text: string, pick: (line: string) => boolean): number {
  return text
    .split('\n')
    .filter(pick)
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * teach.py's rule for idle: the training service idle, the queue empty, and at least `minDone`
 * photos done or failed. Checked every second, so the backfill time is this precise.
 */
async function waitIdle(
  daemon: RunningDaemon,
  api: Api,
  minDone: number,
  timeoutMs: number,
): Promise<{ done: number; failed: number }> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    assertRunning(daemon);
    try {
      const phase = (await api.json('/api/training', trainingAnswer)).service?.phase;
      const metrics = await api.text('/metrics');
      const depth = metricSum(metrics, (l) => l.startsWith('facetag_queue_depth'));
      const photos = (status: string) =>
        metricSum(metrics, (l) => l.startsWith('facetag_photos{') && l.includes(`status="${status}"`));
      const [done, failed] = [photos('done'), photos('failed')];
      if (phase === 'idle' && depth === 0 && done + failed >= minDone) return { done, failed };
    } catch (err) {
      // fetch's "no connection" (a TypeError): asked again, as teach.py does; a wrong answer is not.
      if (!(err instanceof TypeError)) throw err;
    }
    if (performance.now() > end) throw new Error(`the daemon was not idle within ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/** Every photo the daemon knows, with its faces (paging as the API says: newest first). */
async function photosWithFaces(api: Api, photosRoot: string): Promise<PhotoFaces[]> {
  const root = realpathSync(photosRoot);
  const out: PhotoFaces[] = [];
  let cursor = '';
  for (;;) {
    const page = await api.json(`/api/photos?limit=500${cursor && `&cursor=${cursor}`}`, photoPage);
    for (const { id } of page.photos) {
      const { photo, faces } = await api.json(`/api/photos/${id}/faces`, photoFacesAnswer);
      const path = existsSync(photo.path) ? realpathSync(photo.path) : photo.path;
      out.push({ rel: relative(root, path), width: photo.width, height: photo.height, faces });
    }
    if (page.next === null) return out;
    cursor = page.next;
  }
}

// ---- teach.py

/** Runs teach.py, its stdout passed through line by line; fails if it fails or the daemon exits. */
async function teach(daemon: RunningDaemon, args: readonly string[]): Promise<void> {
  const child = spawn('python3', [TEACH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout }).on('line', (line) => say(`  ${line}`));
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    process.stderr.write(`  teach.py: ${line}\n`);
    stderr.push(line);
  });
  const finished = new Promise<Exit>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  const first = await Promise.race([finished, daemon.exited.then(() => 'daemon' as const)]);
  if (first === 'daemon') {
    child.kill('SIGTERM');
    await finished;
    assertRunning(daemon);
  } else if (first.code !== 0) {
    throw new Error(`teach.py failed (${JSON.stringify(first)}): ${stderr.slice(-5).join(' / ')}`);
  }
}

// ---- figures

const pct = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined ? '-' : `${(100 * v).toFixed(digits)} %`;

interface BeforeNaming {
  readonly groups: number;
  readonly gatheredFaces: number;
  readonly faces: number;
  readonly scoredFaces: number;
  readonly purity: readonly (GroupPurity & { kind: string | null })[];
  readonly meanPurity: number | null;
  readonly members: readonly MemberSpread[];
  readonly meanGroupsFor90: number | null;
}

function printBefore(b: BeforeNaming): void {
  say(
    `\n${b.groups} groups of unknown faces before naming (${b.gatheredFaces} faces in the gathered lists); ` +
      `${b.faces} faces, ${b.scoredFaces} of them centred faces with a truth`,
  );
  say(
    table(
      ['group', 'kind', 'size', 'with truth', 'majority', 'role', 'purity'],
      b.purity.map((p) => [
        String(p.index + 1),
        p.kind ?? '-',
        String(p.size),
        String(p.known),
        p.majority ?? '-',
        p.role ?? '-',
        pct(p.purity),
      ]),
    ),
  );
  const scored = b.purity.filter((p) => p.purity !== null).length;
  say(`mean purity of the ${b.purity.length} biggest clusters (the ${scored} with truth): ${pct(b.meanPurity)}`);
  say(
    `\n${table(
      ['family member', 'detected', 'in any group', 'in clusters', 'biggest group', 'groups for 90 %'],
      b.members.map((m) => [
        m.person,
        String(m.detected),
        String(m.grouped),
        String(m.clustered),
        pct(m.biggestShare, 0),
        m.groupsNeeded === null ? 'not reached' : String(m.groupsNeeded),
      ]),
    )}`,
  );
  say(
    `mean groups for 90 % of a family member's faces: ${fmt(b.meanGroupsFor90 ?? undefined, 1)}` +
      ' (a face of a gathered list counts as a group of its own)',
  );
}

function printTeaching(t: TeachResult): void {
  say(
    `\n${table(
      ['round', 'action', 'actions', 'named', 'group', 'kept', 'coverage', 'wrong', 'seconds'],
      t.rounds.map((r, i) => [
        String(i),
        r.action ?? '-',
        String(r.actions),
        r.named ?? '-',
        r.group === undefined ? '-' : String(r.group),
        r.kept === undefined ? '-' : String(r.kept),
        pct(r.coverage),
        pct(r.wrong, 2),
        fmt(r.seconds, 1),
      ]),
    )}`,
  );
  const reached = (a: number | null) => (a === null ? 'not reached' : `${a} actions`);
  say(
    table(
      ['after teaching', 'value'],
      [
        ['actions used', `${t.actions} of ${t.budget}`],
        ['coverage (API)', pct(t.final.coverage)],
        ['wrong, worst over all rounds (API)', pct(t.worstWrong, 2)],
        ['coverage (sidecars)', t.sidecar ? pct(t.sidecar.coverage) : 'no exiftool: not read'],
        ['wrong (sidecars)', t.sidecar ? pct(t.sidecar.wrong, 2) : 'no exiftool: not read'],
        ['coverage 50 %', reached(t.actionsTo50)],
        ['coverage 80 %', reached(t.actionsTo80)],
        ['coverage 90 %', reached(t.actionsTo90)],
      ],
    ),
  );
}

// ---- the run

async function main(): Promise<number> {
  const truth = parseTruth(readFileSync(join(library, 'truth.csv'), 'utf8'));
  const family = [...truth.roleOf].filter(([, role]) => role === 'family').map(([person]) => person);
  family.sort();
  const work = mkdtempSync(join(tmpdir(), 'facetag-teaching-'));
  const photos = join(work, 'photos');
  const dataDir = join(work, 'data');
  const log = join(work, 'daemon.log');
  const teachJson = join(work, 'teach.json');
  let daemon: RunningDaemon | undefined;
  try {
    cpSync(join(library, 'photos'), photos, { recursive: true });
    mkdirSync(dataDir);
    const port = await freePort();
    const config = await writeConfig(work, { http: { port } });
    say(`teaching bench: ${library} (${truth.personOf.size} photos) under ${work}, action budget ${budget}`);
    say(`daemon log: ${log}`);
    const base = `http://127.0.0.1:${port}`;
    daemon = spawnDaemon(photos, dataDir, config, log);
    const token = await waitStarted(daemon, base, join(dataDir, TOKEN_FILE), 120_000);
    const api = apiOf(base, token);

    say('analysing the library…');
    const idle = await waitIdle(daemon, api, truth.personOf.size, timeoutS * 1000);
    const backfillS = (performance.now() - daemon.startedAt) / 1000;
    const perHour = ((idle.done + idle.failed) / backfillS) * 3600;
    say(
      `idle after ${fmt(backfillS, 1)} s: ${idle.done} photos done, ${idle.failed} failed (${fmt(perHour)} photos/hour)`,
    );

    // The groups as the family first sees them: the same moment teach.py takes its first look.
    const unknown = await api.json('/api/unknown-faces?limit=2000', unknownAnswer);
    if (unknown.truncated) say('warning: the unknown-faces list was cut at 2000 faces');
    const scanned = await photosWithFaces(api, photos);
    const personOfFace = truthOfFaces(scanned, truth.personOf);
    const groups: Group[] = unknown.groups.map((g) => ({
      faceIds: g.faces.map((f) => f.id),
      gathered: GATHERED.has(g.kind ?? ''),
    }));
    const purity = groupPurities(groups, personOfFace, truth.roleOf, 10).map((p) => ({
      ...p,
      kind: unknown.groups[p.index]?.kind ?? null,
    }));
    const members = memberSpreads(groups, personOfFace, family, 0.9);
    const before: BeforeNaming = {
      groups: groups.length,
      gatheredFaces: groups.filter((g) => g.gathered).reduce((n, g) => n + g.faceIds.length, 0),
      faces: scanned.reduce((n, p) => n + p.faces.length, 0),
      scoredFaces: personOfFace.size,
      purity,
      meanPurity: meanOf(purity.map((p) => p.purity)),
      members,
      meanGroupsFor90: meanOf(members.map((m) => m.groupsNeeded)),
    };
    printBefore(before);

    say(`\nteach.py, ${budget} actions:`);
    // `--name=value`: a token may start with '-', which argparse would take for an option.
    await teach(daemon, [
      ...[`--api=${base}`, `--token=${token}`, `--library=${library}`, `--photos=${photos}`],
      ...[`--budget=${budget}`, `--timeout=${timeoutS}`, `--json=${teachJson}`],
    ]);
    const taught = teachResult.parse(JSON.parse(readFileSync(teachJson, 'utf8')));
    printTeaching(taught);
    say(`\nbackfill: ${fmt(backfillS, 1)} s from the daemon's start to idle, ${fmt(perHour)} photos/hour`);

    const stopped = await stopDaemon(daemon);
    say(
      `daemon stopped in ${fmt(stopped.seconds, 1)} s (${JSON.stringify({ code: stopped.code, signal: stopped.signal })})`,
    );
    if (opts.json) {
      const figures = {
        library,
        budget,
        photos: truth.personOf.size,
        backfill: {
          seconds: round(backfillS, 1),
          done: idle.done,
          failed: idle.failed,
          photosPerHour: round(perHour, 0),
        },
        beforeNaming: before,
        teaching: taught,
        daemonStop: stopped,
      };
      writeFileSync(opts.json, `${JSON.stringify(figures, null, 1)}\n`);
      say(`figures written to ${opts.json}`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.stderr.write(`\nlast lines of ${log}:\n${tailOf(log)}\n`);
    return 1;
  } finally {
    if (daemon) await stopDaemon(daemon);
    if (opts.keep) say(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
