/**
 * Issue 15, items 3 and 4, end to end through the HTTP API and the xmp plugin: names the API takes
 * ("Smith, John", "a/b|c") reach the sidecar; names the rule refuses get a 422 with the reason;
 * every sidecar case (symlinked, read-only, a face under another tool's region, nothing to add,
 * the last name cleared) is logged once per file and counted in `facetag status` and `/metrics`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, copyFile, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import exifr from 'exifr';
import sharp from 'sharp';
import * as z from 'zod';
import { statusCommand } from '../../src/cli/status-command.js';
import { pluginsSchema } from '../../src/config/plugins.js';
import { createLogger } from '../../src/core/logger.js';
import { type PluginHost, startPluginHost } from '../../src/plugins/host.js';
import { readSidecarSummary } from '../../src/sidecar/report.js';
import { facesOfPhoto, personByName } from '../../src/store/faces.js';
import { announcePhoto } from '../../src/store/outbox.js';
import { hashOf, seedPhoto } from '../helpers/fake-gallery.js';
import { take } from '../helpers/items.js';
import { repoRoot } from '../helpers/paths.js';
import { call, type Fixture, startFixture, TOKEN } from './http-fixture.js';

let fx: Fixture;
let host: PluginHost | undefined;
const lines: string[] = [];
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await host?.stop();
  await fx.close();
});

const dataDir = () => join(fx.dir, 'data');
const undelivered = () =>
  z.object({ n: z.int() }).parse(fx.db.prepare('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL').get()).n;
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const sha256 = async (p: string) =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex');
async function regionNames(sidecar: string): Promise<string[]> {
  const xmp = (await exifr.sidecar(sidecar)) as Record<string, Record<string, unknown>> | undefined;
  const list = (xmp?.['mwg-rs']?.Regions as { RegionList?: unknown } | undefined)?.RegionList;
  return ((Array.isArray(list) ? list : list ? [list] : []) as { Name: string }[]).map((r) => r.Name).sort();
}
async function status(): Promise<{ sidecars: { totals: Record<string, number>; open: Record<string, number> } }> {
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  try {
    assert.equal(await statusCommand(['--json', '--data-dir', dataDir()]), 0);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(out.join(''));
}

/** A 160×120 JPEG at `name` in the library, with one face record per name (confirmed). */
async function photo(name: string, n: number, faces: { left: number; top: number; name?: string }[]) {
  const path = join(fx.root, name);
  await writeFile(
    path,
    await sharp({ create: { width: 160, height: 120, channels: 3, background: '#7a6' } })
      .jpeg()
      .toBuffer(),
  );
  const seeded = seedPhoto(
    fx.db,
    {
      path,
      hash: hashOf(1000 + n),
      width: 160,
      height: 120,
      faces: faces.map((f) => ({
        rect: { cx: f.left + 15, cy: f.top + 15, width: 30, height: 30 },
        ...(f.name ? { confirmed: f.name } : {}),
      })),
    },
    fx.clock.now,
  );
  return { path, sidecar: `${path}.xmp`, ...seeded };
}

test('names the API takes reach the sidecar; names it refuses get a 422 with the reason', async () => {
  const [first, second] = take(facesOfPhoto(fx.db, fx.photos.family), 2, 'faces of the family photo');
  const label = (id: number, body: unknown) => call(fx, 'POST', `/api/faces/${id}/label`, { body, token: TOKEN });
  assert.equal((await label(first.id, { action: 'name', person: 'Smith, John' })).status, 200);
  assert.equal((await label(second.id, { action: 'name', person: 'a/b|c' })).status, 200);
  for (const [person, reason] of [
    ['bell\u0007', /control characters/],
    ['   ', /empty/],
    ['x'.repeat(201), /at most 200 characters/],
    ['not_a_face', /reserved/],
  ] as const) {
    const r = await label(first.id, { action: 'name', person });
    assert.equal(r.status, 422, JSON.stringify(person));
    assert.match(z.object({ error: z.string() }).parse(r.json).error, reason);
  }
  const smith = personByName(fx.db, 'Smith, John');
  assert.ok(smith);
  const rename = await call(fx, 'POST', `/api/persons/${smith.id}/rename`, {
    body: { name: 'line\u2028break' },
    token: TOKEN,
  });
  assert.equal(rename.status, 422);
  assert.equal((await label(first.id, { action: 'name', person: 7 })).status, 400, 'not a string: malformed');

  host = await startPluginHost({
    db: fx.db,
    dataDir: dataDir(),
    entries: pluginsSchema.parse([{ name: 'xmp', options: { autoThreshold: 0.5 } }]),
    log: createLogger({ write: (l) => lines.push(l), rateLimit: false, syslogPrefix: false }),
    delivery: { idlePollMs: 20 },
  });
  await waitFor('delivered', () => undelivered() === 0);
  const names = await regionNames(join(fx.root, 'family.jpg.xmp'));
  assert.ok(names.includes('Smith, John') && names.includes('a/b|c'), JSON.stringify(names));
});

test('each sidecar case is logged once per file, counted in status and /metrics, and heals', async () => {
  assert.ok(host, 'the first test started the plugin host');
  const elsewhere = join(fx.root, 'elsewhere.xmp');
  const sym = await photo('sym.jpg', 1, [{ left: 100, top: 60, name: 'Ann' }]);
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/digikam-style.xmp'), elsewhere);
  await symlink(elsewhere, sym.sidecar);
  const ro = await photo('ro.jpg', 2, [{ left: 100, top: 60, name: 'Ann' }]);
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/darktable-style.xmp'), ro.sidecar);
  await chmod(ro.sidecar, 0o444);
  // Lightroom's "Dana Foreign" covers stored pixels x 10..40, y 15..45: our Zed is that face.
  const cover = await photo('cover.jpg', 3, [{ left: 11, top: 14, name: 'Zed Example' }]);
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/lightroom-style.xmp'), cover.sidecar);
  const quiet = await photo('quiet.jpg', 4, [{ left: 100, top: 60 }]);
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/exiftool-style.xmp'), quiet.sidecar);
  const mine = await photo('mine.jpg', 5, [{ left: 100, top: 60, name: 'Ann' }]);
  const old = new Date('2020-01-01T00:00:00Z');
  for (const p of [elsewhere, ro.sidecar, cover.sidecar, quiet.sidecar]) await utimes(p, old, old);
  const untouched = async (p: string) => (await stat(p)).mtimeMs === old.getTime();
  const photoHash = await sha256(mine.path);

  // Every photo delivered twice: the notices are logged once.
  for (let round = 0; round < 2; round++) {
    for (const p of [sym, ro, cover, quiet, mine]) announcePhoto(fx.db, p.photoId, fx.clock.now);
    host.wake();
    await waitFor(`round ${round}`, () => undelivered() === 0);
  }
  const warned = (c: string) => lines.filter((l) => l.includes(`"case":"${c}"`) && l.includes('"level":"warn"')).length;
  assert.equal(warned('symlink'), 1);
  assert.equal(warned('read_only'), 1);
  assert.equal(warned('foreign_region'), 1);
  for (const p of [elsewhere, ro.sidecar, cover.sidecar, quiet.sidecar])
    assert.ok(await untouched(p), `${p} was touched`);
  assert.deepEqual(await regionNames(mine.sidecar), ['Ann']);

  await waitFor('the report saved', () => readSidecarSummary(dataDir()).open.foreign_region === 1);
  const s1 = await status();
  assert.deepEqual([s1.sidecars.open.symlink, s1.sidecars.open.read_only, s1.sidecars.open.foreign_region], [1, 1, 1]);
  assert.deepEqual([s1.sidecars.totals.symlink, s1.sidecars.totals.read_only], [1, 1], 'counted once per file');
  const metrics = (await call(fx, 'GET', '/metrics')).bytes.toString('utf8');
  assert.match(metrics, /^facetag_sidecar_notices\{case="symlink"\} 1$/m);
  assert.match(metrics, /^facetag_sidecar_notices\{case="read_only"\} 1$/m);
  assert.match(metrics, /^facetag_sidecar_notices\{case="foreign_region"\} 1$/m);
  assert.match(metrics, /^facetag_sidecar_cases_total\{case="unchanged"\} [1-9]/m);

  // The user makes the sidecar writable: it is written, and the notice closes (logged once).
  await chmod(ro.sidecar, 0o644);
  announcePhoto(fx.db, ro.photoId, fx.clock.now);
  host.wake();
  await waitFor('ro delivered', () => undelivered() === 0);
  assert.deepEqual(await regionNames(ro.sidecar), ['Ann']);
  assert.equal(lines.filter((l) => l.includes('sidecar notice cleared') && l.includes('"case":"read_only"')).length, 1);

  // The last name cleared: the sidecar facetag made goes; the photo itself never changes.
  const [mineFace] = take(facesOfPhoto(fx.db, mine.photoId), 1, 'faces of mine.jpg');
  const cleared = await call(fx, 'POST', `/api/faces/${mineFace.id}/label`, {
    body: { action: 'clear' },
    token: TOKEN,
  });
  assert.equal(cleared.status, 200);
  host.wake();
  await waitFor('clear delivered', () => undelivered() === 0);
  await assert.rejects(stat(mine.sidecar), { code: 'ENOENT' });
  assert.equal(await sha256(mine.path), photoHash);
  await waitFor('deleted counted', () => readSidecarSummary(dataDir()).totals.deleted === 1);
  const s2 = await status();
  assert.equal(s2.sidecars.open.read_only, 0);
  assert.equal(s2.sidecars.totals.deleted, 1);
});
