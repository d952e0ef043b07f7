/**
 * Issue 15, items 1 and 7: one photo's failure is that photo's alone, and a gallery that is busy is
 * not a gallery that is down. Through the plugin host on a real store, with a fake clock (the
 * delivery loops run for real; only time is ours to move): a malformed sidecar is parked and
 * reported (state, `facetag status`, /metrics, /api/plugins), other photos' names are still written,
 * a repaired file or a retry request brings it back, and a restart never keeps the plugin tripped;
 * a gallery answering 429 waits for its Retry-After without counting a failure, while 500s trip and
 * disable the plugin until a retry is asked for.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import exifr from 'exifr';
import sharp from 'sharp';
import * as z from 'zod';
import { pluginsSchema } from '../../src/config/plugins.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import { createHttpApi, startHttpServer } from '../../src/http/app.js';
import { type PluginHost, startPluginHost } from '../../src/plugins/host.js';
import { readPluginStatus, STATE_FILE } from '../../src/plugins/state.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { cliPath } from '../helpers/detector.js';
import { FakeGallery, hashOf, seedPhoto } from '../helpers/fake-gallery.js';
import { first, take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';
import { SNAPSHOT, TEST_PORTS, TOKEN } from './http-fixture.js';

const execFileP = promisify(execFile);
let root = '';
let n = 0;
before(async () => {
  root = await tmpDir('facetag-plugin-faults-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Time as the host sees it; `steps` counts its reads, which shows the delivery loop going round. */
class FakeClock {
  t = 1_700_000_000_000;
  steps = 0;
  readonly now = () => {
    this.steps++;
    return this.t;
  };
}

interface Setup {
  readonly db: Db;
  readonly dataDir: string;
  readonly lib: string;
  readonly lines: string[];
  readonly log: Logger;
  readonly clock: FakeClock;
}

async function setup(): Promise<Setup> {
  const dir = join(root, `case-${++n}`);
  const lib = join(dir, 'lib');
  await mkdir(lib, { recursive: true });
  const lines: string[] = [];
  return {
    db: openDatabase(join(dir, 'data')),
    dataDir: join(dir, 'data'),
    lib,
    lines,
    log: createLogger({ write: (l) => lines.push(l), rateLimit: false, level: 'debug' }),
    clock: new FakeClock(),
  };
}

function host(s: Setup, entries: unknown[]): Promise<PluginHost> {
  return startPluginHost({
    db: s.db,
    dataDir: s.dataDir,
    entries: pluginsSchema.parse(entries),
    log: s.log,
    now: s.clock.now,
    delivery: { backoff: { baseMs: 1000, maxMs: 8000 }, idlePollMs: 5, watchCheckMs: 30_000 },
    stopTimeoutMs: 500,
  });
}

/** Polls `cond` (which may move the clock) until true; fails after `ms` of real time. */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets the delivery loop go round `rounds` more times with the clock where it is. */
const rounds = (s: Setup, count = 30) => {
  const target = s.clock.steps + count;
  return until(`${count} delivery rounds`, () => s.clock.steps >= target);
};

const outbox = (db: Db) =>
  z
    .array(z.object({ id: z.int(), delivered_at: z.int().nullable(), attempts: z.int() }))
    .parse(db.prepare('SELECT id, delivered_at, attempts FROM outbox ORDER BY id').all());

async function jpeg(path: string): Promise<void> {
  await writeFile(
    path,
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#8a7' } })
      .jpeg()
      .toBuffer(),
  );
}

/** Region names in a sidecar as exifr (PiGallery2's parser) reads them; [] when none or unreadable. */
async function names(sidecar: string): Promise<string[]> {
  const xmp = (await exifr.sidecar(sidecar).catch(() => undefined)) as
    | Record<string, Record<string, unknown>>
    | undefined;
  const list = (xmp?.['mwg-rs']?.Regions as { RegionList?: unknown } | undefined)?.RegionList;
  const items = (Array.isArray(list) ? list : list ? [list] : []) as { Name: string }[];
  return items.map((r) => r.Name).sort();
}

const MALFORMED = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>cut off here`;

const REPAIRED = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4"/>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>
`;

const face = (name: string) => [{ rect: { cx: 100, cy: 100, width: 60, height: 70 }, confirmed: name }];

test("a malformed sidecar parks that photo, other photos' names are still written, status/metrics report it, and it is retried once the file is repaired; a restart does not keep the plugin tripped", async () => {
  const s = await setup();
  const [a, b, c, d] = take(
    ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'].map((f) => join(s.lib, f)),
    4,
    'photo paths',
  );
  for (const p of [a, b, c, d]) await jpeg(p);
  await writeFile(`${a}.xmp`, MALFORMED);
  seedPhoto(s.db, { path: a, hash: hashOf(1), width: 320, height: 240, faces: face('Ann Example') }, 1000);
  // Photos b and c come after a's event, so before the fix they waited behind it forever.
  seedPhoto(s.db, { path: b, hash: hashOf(2), width: 320, height: 240, faces: face('Ben Example') }, 1001);
  seedPhoto(s.db, { path: c, hash: hashOf(3), width: 320, height: 240, faces: face('Cat Example') }, 1002);
  // Were the photo's failures the plugin's, 2 in a row would disable it; 3 stop new events (tripAfter).
  const entries = [{ name: 'xmp', disableAfterFailures: 2, disableAfterMinutes: 0, concurrency: 1 }];
  let h = await host(s, entries);
  const app = createHttpApi({
    db: s.db,
    dataDir: s.dataDir,
    photoRoots: [s.lib],
    token: TOKEN,
    now: s.clock.now,
    log: s.log,
    labelChanges: { publish: () => {} },
    ...TEST_PORTS,
    readiness: () => ({ ready: true }),
    metrics: () => ({ ...SNAPSHOT, plugins: h.status() }),
    plugins: { status: () => h.status(), retry: (id, eventId) => h.retry(id, eventId) },
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers },
    });
  const parked = () => h.status()[0]?.parked ?? [];
  try {
    await until('a parked (its backoff run through on the fake clock)', () => {
      s.clock.t += 5000;
      return parked().length === 1;
    });
    await until('b and c written', async () => (await names(`${c}.xmp`)).length > 0);
    assert.deepEqual(await names(`${b}.xmp`), ['Ben Example']);
    assert.deepEqual(await names(`${c}.xmp`), ['Cat Example']);
    assert.equal(await readFile(`${a}.xmp`, 'utf8'), MALFORMED, 'the malformed sidecar is left as it is');
    const [xmp] = take(h.status(), 1, 'plugin status');
    assert.equal(xmp.state, 'running', 'not disabled by one photo');
    assert.equal(xmp.failures, 0);
    const [parkedEvent] = take(parked(), 1, 'parked events');
    assert.equal(parkedEvent.path, a);
    assert.equal(parkedEvent.attempts, 3);
    assert.match(parkedEvent.reason, /a\.jpg\.xmp: .*not well-formed XML/);
    assert.ok(s.lines.some((l) => l.includes('event parked') && l.includes('a.jpg')));

    // Reported: the state file and `facetag status` (another process), /metrics and the API.
    await until(
      'state file has it',
      async () => ((await readPluginStatus(s.dataDir))?.plugins.xmp?.parked.length ?? 0) === 1,
    );
    const status = await execFileP(process.execPath, [cliPath, 'status', '--data-dir', s.dataDir, '--json']);
    const report = z
      .object({
        lastErrors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string().nullable() })),
        plugins: z.array(z.object({ id: z.string(), state: z.string(), parked: z.int() })),
      })
      .parse(JSON.parse(status.stdout));
    assert.deepEqual(report.plugins, [{ ...report.plugins[0], id: 'xmp', state: 'delivering', parked: 1 }]);
    const row = report.lastErrors.find((e) => e.path === a);
    assert.equal(row?.code, 'plugin xmp: parked after 3 attempts');
    assert.match(row?.message ?? '', /not well-formed XML/);
    const text = await execFileP(process.execPath, [cliPath, 'status', '--data-dir', s.dataDir]);
    assert.match(text.stdout, /a\.jpg +\[plugin xmp: parked after 3 attempts\] .*not well-formed/);
    assert.match(text.stdout, /xmp: delivering; \d+ delivered, 0 pending, 1 parked/);

    const metrics = await (await api('/metrics')).text();
    assert.match(metrics, /^facetag_plugin_events\{plugin="xmp",state="parked"\} 1$/m);
    assert.match(metrics, /^facetag_plugin_up\{plugin="xmp"\} 1$/m);
    assert.ok(
      metrics.includes(`facetag_plugin_parked_event{plugin="xmp",path="${a}",reason="`),
      'the parked photo, with its reason',
    );
    const listed = z
      .object({
        plugins: z.array(
          z.object({ id: z.string(), parked: z.array(z.object({ path: z.string(), eventId: z.int() })) }),
        ),
      })
      .parse(await (await api('/api/plugins')).json());
    const listedEvent = first(first(listed.plugins, 'listed plugins').parked, 'listed parked events');
    assert.equal(listedEvent.path, a);

    // Retry on request: needs the token; still malformed, so it is parked again after its tries.
    const anonymous = await fetch(`${server.url}/api/plugins/xmp/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(anonymous.status, 401);
    assert.equal((await api('/api/plugins/nope/retry', { method: 'POST', body: '{}' })).status, 404);
    const retried = await api('/api/plugins/xmp/retry', {
      method: 'POST',
      body: JSON.stringify({ eventId: listedEvent.eventId }),
    });
    assert.deepEqual(await retried.json(), { retried: 1, resumed: false });
    assert.equal(parked().length, 0);
    await until('parked again', () => {
      s.clock.t += 5000;
      return parked().length === 1;
    });

    // Repaired by hand: the watch notices the file changed and the names go in, other data kept.
    await writeFile(`${a}.xmp`, REPAIRED);
    await until('a written once repaired', async () => {
      s.clock.t += 5000;
      return (await names(`${a}.xmp`)).length > 0;
    });
    assert.deepEqual(await names(`${a}.xmp`), ['Ann Example']);
    assert.match(await readFile(`${a}.xmp`, 'utf8'), /xmp:Rating="4"|<xmp:Rating>4</, "the other tool's rating kept");
    assert.equal(parked().length, 0);
    await until('every row delivered', () => outbox(s.db).every((r) => r.delivered_at !== null));
    await h.stop();

    // A restart on the state an older facetag left (the bad photo counted as the plugin's failures,
    // the plugin disabled, no `parked` list): the plugin runs, and new names are written.
    await writeFile(`${a}.xmp`, MALFORMED);
    const file = JSON.parse(await readFile(join(s.dataDir, STATE_FILE), 'utf8')) as {
      plugins: { xmp: Record<string, unknown> };
    };
    const aEvent = first(outbox(s.db), 'outbox rows');
    const payload = JSON.parse(
      z.object({ payload: z.string() }).parse(s.db.prepare('SELECT payload FROM outbox WHERE id = ?').get(aEvent.id))
        .payload,
    ) as unknown;
    const { parked: _gone, ...older } = file.plugins.xmp;
    file.plugins.xmp = {
      ...older,
      failures: 40,
      failingSince: s.clock.t - 3600_000,
      lastError: 'could not write sidecar(s): not well-formed XML',
      disabled: { at: s.clock.t - 60_000, reason: '40 failures in a row over 60 min; last: not well-formed XML' },
      pending: [
        { id: aEvent.id, kind: 'photo.analysed', payload, createdAt: 1000, attempts: 40, nextAt: 0, error: 'x' },
      ],
    };
    await writeFile(join(s.dataDir, STATE_FILE), JSON.stringify(file));
    seedPhoto(s.db, { path: d, hash: hashOf(4), width: 320, height: 240, faces: face('Dan Example') }, 2000);
    h = await host(s, entries);
    await until('d written after the restart', async () => {
      s.clock.t += 5000;
      return (await names(`${d}.xmp`)).length > 0;
    });
    assert.deepEqual(await names(`${d}.xmp`), ['Dan Example']);
    await until('a parked again, not tripping anything', () => parked().length === 1);
    assert.equal(first(h.status(), 'plugin status').state, 'running');
    assert.equal(first(h.status(), 'plugin status').failures, 0);
    assert.ok(s.lines.some((l) => l.includes('plugin was disabled in an earlier run; trying it again')));
  } finally {
    await h.stop();
    await server.close();
    s.db.close();
  }
});

test('a gallery answering 429 and 500: busy waits for Retry-After and is no failure; 500s trip and disable the plugin until a retry is asked for', async () => {
  const s = await setup();
  const gallery = await FakeGallery.start();
  const assetA = '0d4f5ac1-3b0e-4a43-9c1e-5d2f7e0c9a11';
  const assetB = '0d4f5ac1-3b0e-4a43-9c1e-5d2f7e0c9a12';
  gallery.immich.assets.push({ id: assetA, originalPath: '/mnt/photos/a.jpg', checksum: 'x' });
  gallery.immich.assets.push({ id: assetB, originalPath: '/mnt/photos/b.jpg', checksum: 'y' });
  const entries = [
    {
      name: 'immich',
      options: { baseUrl: gallery.url, apiKey: gallery.immichKey, pathMap: [{ from: '/lib', to: '/mnt/photos' }] },
      disableAfterFailures: 3,
      disableAfterMinutes: 0,
    },
  ];
  seedPhoto(s.db, { path: '/lib/a.jpg', hash: hashOf(11), width: 640, height: 480, faces: face('Ann Example') }, 1000);
  gallery.failNext = 1;
  gallery.failStatus = 429;
  gallery.failRetryAfter = '120';
  const h = await host(s, entries);
  const status = () => first(h.status(), 'plugin status');
  try {
    await until('the 429 recorded', () => first(outbox(s.db), 'outbox rows').attempts === 1);
    assert.equal(status().failures, 0, 'busy is not a failure');
    assert.equal(status().state, 'running');
    assert.ok(s.lines.some((l) => l.includes('event deferred') && l.includes('gallery busy (asked to wait 120 s)')));
    // Past the backoff (1 s) but within Retry-After (120 s): nothing is sent.
    const sent = gallery.requests.length;
    s.clock.t += 60_000;
    await rounds(s);
    assert.equal(gallery.requests.length, sent, 'no request before Retry-After');
    s.clock.t += 61_000;
    await until('delivered after Retry-After', () => first(outbox(s.db), 'outbox rows').delivered_at !== null);
    assert.equal(gallery.immich.faces.length, 1);

    // The gallery breaks: 500 after 500. That is the gallery's failure: the plugin trips, then is disabled.
    gallery.failStatus = 500;
    gallery.failNext = 1000;
    seedPhoto(
      s.db,
      { path: '/lib/b.jpg', hash: hashOf(12), width: 640, height: 480, faces: face('Ben Example') },
      2000,
    );
    h.wake();
    await until('disabled', () => {
      s.clock.t += 10_000;
      return status().state === 'disabled';
    });
    assert.match(status().reason ?? '', /3 failures in a row .*HTTP 500/);
    assert.deepEqual(status().parked, [], 'a gallery that is down parks nothing: the event waits');
    assert.equal(s.lines.filter((l) => l.includes('plugin disabled after repeated failures')).length, 1);

    // Back up; a retry request enables the plugin again and the waiting event goes out.
    gallery.failNext = 0;
    assert.deepEqual(h.retry('immich'), { retried: 0, resumed: true });
    assert.equal(h.retry('nothing-like-it'), undefined);
    await until('b delivered', () => {
      s.clock.t += 10_000;
      return outbox(s.db).every((r) => r.delivered_at !== null);
    });
    assert.equal(status().state, 'running');
    assert.equal(gallery.immich.faces.length, 2);
  } finally {
    await h.stop();
    await gallery.close();
    s.db.close();
  }
});
