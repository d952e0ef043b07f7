/**
 * Watcher resources on a generated library: `node --expose-gc dist/bench/watcher.js [--files N] [--only a,b]`.
 *
 * Generates N tiny files (default 100,000) in folders of 100 (10 top folders, 1,011 folders in
 * all for 100k) under os.tmpdir(), then, each in its own child process:
 * - node: an idle Node process, the floor every row includes;
 * - facetag: createWatcher (@parcel/watcher + the settle queue and filters);
 * - parcel-raw: @parcel/watcher's subscribe alone, no ignore list;
 * - chokidar: chokidar 4 `watch(dir)` with default options.
 * For each: time to ready, RSS when ready, peak RSS (VmHWM), RSS and heap after two GCs,
 * inotify watches (counted by this process in /proc/<child>/fdinfo), the latency of one new
 * file, and whether the child exits by itself after closing. The tree is deleted at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { countInotifyWatches } from '../src/daemon/watch/inotify-watches.js';

const VARIANTS = ['node', 'facetag', 'parcel-raw', 'chokidar'] as const;
type Variant = (typeof VARIANTS)[number];

interface Ready {
  readonly readyMs: number;
  readonly rssReadyMb: number;
}
interface AfterGc {
  readonly rssGcMb: number;
  readonly heapGcMb: number;
  readonly peakRssMb: number;
}
interface Row extends Ready, AfterGc {
  readonly variant: Variant;
  readonly watches: number | undefined;
  readonly probeMs: number | undefined;
  readonly exitAfterCloseMs: number | undefined;
}

const MB = 1024 * 1024;
const PROBE = 'zz-probe.jpg';

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

// ---------------------------------------------------------------- child side

/** Lines from the parent on stdin: "gc", then "close". */
async function child(variant: Variant, dir: string): Promise<void> {
  const say = (obj: object): void => {
    process.stdout.write(`${JSON.stringify(obj)}\n`);
  };
  const probe = join(dir, PROBE);
  let probed = false;
  // Raw backends may report the probe twice (create, then update); the parent reads one line.
  const seen = (): void => {
    if (!probed) say({ probe: true });
    probed = true;
  };
  const t0 = performance.now();
  let close: () => Promise<void> = async () => {};
  if (variant === 'facetag') {
    // Imported here so the `node` row stays a bare Node process. This pulls in sharp, through
    // decode.ts's isSupportedImagePath; the daemon loads it anyway, the row includes it.
    const { createWatcher } = await import('../src/daemon/watch/create-watcher.js');
    const w = await createWatcher({
      roots: [dir],
      onEvent: (e) => {
        if (e.kind === 'upsert' && e.path === probe) seen();
      },
      log: (l) => {
        if (l.level === 'warn' || l.level === 'error') process.stderr.write(`${JSON.stringify(l)}\n`);
      },
    });
    close = () => w.close();
  } else if (variant === 'parcel-raw') {
    const parcel = (await import('@parcel/watcher')).default;
    const sub = await parcel.subscribe(
      dir,
      (_err, events) => {
        if (events.some((e) => e.path === probe)) seen();
      },
      { backend: 'inotify' },
    );
    close = () => sub.unsubscribe();
  } else if (variant === 'chokidar') {
    const { watch } = await import('chokidar');
    const w = watch(dir);
    w.on('add', (p) => {
      if (p === probe) seen();
    });
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    close = () => w.close();
  }
  say({ readyMs: performance.now() - t0, rssReadyMb: process.memoryUsage().rss / MB } satisfies Ready);

  const gc = (globalThis as { gc?: () => void }).gc;
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'gc') {
      gc?.();
      await new Promise((r) => setTimeout(r, 200));
      gc?.();
      const m = process.memoryUsage();
      say({ rssGcMb: m.rss / MB, heapGcMb: m.heapUsed / MB, peakRssMb: peakRssMb() } satisfies AfterGc);
    } else if (line === 'close') {
      await close();
      say({ closed: true });
      process.stdin.destroy();
      break;
    }
  }
  // No process.exit: the child must end by itself, proving close() left no handle behind.
}

// ---------------------------------------------------------------- parent side

/** Reads the child's JSON lines one at a time. */
function lines(proc: ChildProcess): () => Promise<Record<string, unknown>> {
  const queue: Record<string, unknown>[] = [];
  const waiting: ((v: Record<string, unknown>) => void)[] = [];
  if (!proc.stdout) throw new Error('child has no stdout');
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const value = JSON.parse(line) as Record<string, unknown>;
    const w = waiting.shift();
    if (w) w(value);
    else queue.push(value);
  });
  return () => {
    const next = queue.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve) => waiting.push(resolve));
  };
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

async function measure(variant: Variant, dir: string): Promise<Row> {
  const self = fileURLToPath(import.meta.url);
  const proc = spawn(process.execPath, ['--expose-gc', self, '--child', variant, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number>((resolve) => proc.on('exit', (code) => resolve(code ?? -1)));
  const next = lines(proc);
  const send = (line: string): void => {
    proc.stdin?.write(`${line}\n`);
  };
  try {
    const ready = (await within(300_000, `${variant} ready`, next())) as unknown as Ready;
    const pid = proc.pid;
    const watches = pid === undefined ? undefined : await countInotifyWatches(pid);
    let probeMs: number | undefined;
    if (variant !== 'node') {
      const t = performance.now();
      await writeFile(join(dir, PROBE), 'probe');
      await within(30_000, `${variant} probe`, next());
      probeMs = performance.now() - t;
    }
    send('gc');
    const gc = (await within(60_000, `${variant} gc`, next())) as unknown as AfterGc;
    send('close');
    await within(60_000, `${variant} close`, next());
    const closedAt = performance.now();
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000).unref())]);
    const exitAfterCloseMs = code === 0 ? performance.now() - closedAt : undefined;
    return { variant, ...ready, ...gc, watches, probeMs, exitAfterCloseMs };
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(join(dir, PROBE), { force: true });
  }
}

function generate(dir: string, files: number, perDir: number): number {
  const folders = Math.ceil(files / perDir);
  const top = Math.max(1, Math.round(folders / 100));
  let made = 0;
  for (let f = 0; f < folders; f++) {
    const sub = join(dir, `${2000 + (f % top)}`, `album-${String(f).padStart(5, '0')}`);
    mkdirSync(sub, { recursive: true });
    for (let i = 0; i < perDir && made < files; i++, made++) {
      writeFileSync(join(sub, `IMG_${String(i).padStart(4, '0')}.jpg`), 'x');
    }
  }
  return folders + top + 1; // albums, top folders, root
}

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function printTable(rows: readonly Row[], files: number, folders: number): void {
  const head = [
    'watcher',
    'ready',
    'RSS ready',
    'RSS peak',
    'RSS after GC',
    'heap after GC',
    'inotify watches',
    'new file seen',
    'exits after close',
  ];
  const body = rows.map((r) => [
    r.variant,
    `${fmt(r.readyMs / 1000, 2)} s`,
    `${fmt(r.rssReadyMb)} MB`,
    `${fmt(r.peakRssMb)} MB`,
    `${fmt(r.rssGcMb)} MB`,
    `${fmt(r.heapGcMb, 1)} MB`,
    fmt(r.watches),
    r.probeMs === undefined ? '-' : `${fmt(r.probeMs / 1000, 2)} s`,
    r.exitAfterCloseMs === undefined ? (r.variant === 'node' ? 'yes' : 'NO') : `yes (${fmt(r.exitAfterCloseMs)} ms)`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(`\n${fmt(files)} files in ${fmt(folders)} folders; node ${process.version}, ${process.platform}\n`);
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
  const a = rows.find((r) => r.variant === 'facetag');
  const b = rows.find((r) => r.variant === 'chokidar');
  if (a && b) {
    console.log('\nchokidar ÷ facetag:');
    console.log(
      `  ready ${fmt(b.readyMs / a.readyMs, 1)}×, RSS after GC ${fmt(b.rssGcMb / a.rssGcMb, 1)}×, peak RSS ${fmt(b.peakRssMb / a.peakRssMb, 1)}×, watches ${fmt((b.watches ?? 0) / (a.watches || 1), 0)}×`,
    );
  }
  console.log(
    '"new file seen": facetag waits for its 2 s settle time before announcing; the others report the create at once.',
  );
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--child') {
    const variant = argv[1] as Variant;
    if (!VARIANTS.includes(variant) || !argv[2]) throw new Error(`bad child arguments: ${argv.join(' ')}`);
    await child(variant, argv[2]);
    return;
  }
  let files = 100_000;
  let only: Variant[] = [...VARIANTS];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--files') files = Number(argv[++i]);
    else if (a === '--only') only = (argv[++i] ?? '').split(',') as Variant[];
    else throw new Error(`unknown argument ${a}; usage: watcher.js [--files N] [--only ${VARIANTS.join(',')}]`);
  }
  if (!Number.isInteger(files) || files < 1 || files > 2_000_000)
    throw new Error('--files must be an integer from 1 to 2,000,000');
  const unknown = only.filter((v) => !VARIANTS.includes(v));
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')}; choose from ${VARIANTS.join(', ')}`);

  const dir = await mkdtemp(join(tmpdir(), 'facetag-watch-bench-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const t = performance.now();
    const folders = generate(dir, files, 100);
    console.log(
      `generated ${fmt(files)} files in ${fmt(folders)} folders under ${dir} in ${fmt((performance.now() - t) / 1000, 1)} s`,
    );
    const rows: Row[] = [];
    for (const variant of only) {
      process.stdout.write(`measuring ${variant}…\n`);
      rows.push(await measure(variant, dir));
    }
    printTable(rows, files, folders);
  } finally {
    cleanup();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
