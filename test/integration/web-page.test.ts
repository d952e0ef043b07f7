/**
 * The labelling page's files and read routes over HTTP (no browser): content types, the page's
 * own CSP, the same Host check as the API, and unknown faces grouped by likeness on real faces.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import * as z from 'zod';
import { recordAnalysis } from '../../src/store/analysis.js';
import { decodeChipPng } from '../../src/vision/chip-png.js';
import { groupByLikeness, likenessVector } from '../../src/web/likeness.js';
import { at, first } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';
import { analysis, call, type Fixture, face, rawGet, startFixture } from './http-fixture.js';

const IDENTITY = join(sharedDir, 'data', 'identity');

/** Stored chips (margin 0.25) of the first `n` photos of each identity person, with the person. */
async function identityChips(n: number): Promise<{ person: string; chip: Buffer }[]> {
  const out = [];
  for (const person of (await readdir(IDENTITY)).filter((p) => !p.includes('.')).sort()) {
    for (const file of (await readdir(join(IDENTITY, person))).sort().slice(0, n)) {
      const chip = await sharp(await readFile(join(IDENTITY, person, file)))
        .extract({ left: 24, top: 24, width: 102, height: 102 })
        .greyscale()
        .png()
        .toBuffer();
      out.push({ person, chip });
    }
  }
  return out;
}

const groupsBody = z.object({
  groups: z.array(z.object({ faces: z.array(z.object({ id: z.int(), photoId: z.int() })) })),
  truncated: z.boolean(),
});
const suggestionsBody = z.object({
  persons: z.array(
    z.object({
      id: z.int(),
      name: z.string(),
      faces: z.array(z.object({ id: z.int(), photoId: z.int(), decisionValue: z.number().nullable() })),
    }),
  ),
});

describe('labelling page over HTTP', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.close());

  test('serves the page, its style and its script with a CSP that allows only them', async () => {
    const html = await call(fx, 'GET', '/');
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    const csp = html.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe/);
    assert.match(html.bytes.toString(), /<script type="module" src="\/web\/app.mjs">/);
    const css = await call(fx, 'GET', '/web/style.css');
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    const js = await call(fx, 'GET', '/web/app.mjs');
    assert.equal(js.status, 200, 'the page script is built (npm run build compiles src/web/tsconfig.json)');
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    // Every module the script imports is served too, and one of them writes labels.
    const imports = [...js.bytes.toString().matchAll(/from '\.\/([a-z-]+\.mjs)'/g)].map((m) => m[1]);
    assert.ok(imports.length >= 5, `app.mjs imports its views: ${imports}`);
    const sources = [];
    for (const name of imports) {
      const mod = await call(fx, 'GET', `/web/${name}`);
      assert.equal(mod.status, 200, name);
      assert.match(mod.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      sources.push(mod.bytes.toString());
    }
    // The bulk label route (the page labels through it, one undoable action each time).
    const labelRoute = "'/api/faces/label'";
    assert.ok(sources.some((src) => src.includes(labelRoute)));
  });

  test('only the page modules are served from its folder', async () => {
    assert.equal((await call(fx, 'GET', '/web/no-such-view.mjs')).status, 404);
    assert.equal((await rawGet(fx, '/web/..%2f..%2fcli.js')).status, 404);
    assert.equal((await rawGet(fx, '/web/app.mjs.map')).status, 404);
    assert.equal((await rawGet(fx, '/web/App.mjs')).status, 404);
  });

  test('the page files hold no data and load from any Host; its data is refused to a non-localhost Host (DNS rebinding)', async () => {
    assert.equal((await rawGet(fx, '/', { host: 'evil.example:8427' })).status, 200);
    assert.equal((await rawGet(fx, '/web/app.mjs', { host: 'evil.example:8427' })).status, 200);
    assert.equal((await rawGet(fx, '/api/unknown-faces', { host: 'evil.example:8427' })).status, 403);
    assert.equal((await rawGet(fx, '/api/suggestions', { host: 'evil.example:8427' })).status, 403);
  });

  test('suggestions come per person, surest first; bad queries are 400', async () => {
    const r = suggestionsBody.parse((await call(fx, 'GET', '/api/suggestions')).json);
    assert.deepEqual(
      r.persons.map((p) => [p.name, p.faces.map((f) => f.decisionValue)]),
      [
        ['Bob', [0.7, 0.2]],
        ['Carol', [1.1]],
      ],
    );
    assert.equal((await call(fx, 'GET', '/api/suggestions?perPerson=0')).status, 400);
    assert.equal((await call(fx, 'GET', '/api/unknown-faces?limit=x')).status, 400);
  });

  test('unknown faces are grouped by likeness, biggest group first', async () => {
    const chips = await identityChips(3);
    const faces = chips.map((c, i) => face(50 + i * 10, 240, c.chip, null, null));
    recordAnalysis(fx.db, null, analysis(join(fx.root, 'identity.jpg'), 'e', faces), fx.clock.now);
    const r = groupsBody.parse((await call(fx, 'GET', '/api/unknown-faces')).json);
    const sizes = r.groups.map((g) => g.faces.length);
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
    );
    // Every unknown face of a present photo is listed once: 3 from the fixture, 3 per person.
    const ids = r.groups.flatMap((g) => g.faces.map((f) => f.id));
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 3 + chips.length);
    assert.equal(r.truncated, false);
  });

  test('likeness groups on real faces are mostly one person each', async () => {
    const chips = await identityChips(8);
    const vectors = [];
    for (const c of chips) vectors.push(likenessVector(await decodeChipPng(c.chip)));
    const groups = groupByLikeness(vectors);
    let agreeing = 0;
    for (const g of groups) {
      const counts = new Map<string, number>();
      for (const i of g) {
        const { person } = at(chips, i, 'chips');
        counts.set(person, (counts.get(person) ?? 0) + 1);
      }
      agreeing += Math.max(...counts.values());
    }
    // 0.80 measured at 0.3 (see likeness.ts); the bound leaves room for small feature changes.
    assert.ok(agreeing / chips.length >= 0.7, `purity ${agreeing / chips.length}`);
    assert.ok(groups.length < chips.length / 1.5, `${groups.length} groups: faces are grouped at all`);
    assert.ok(first(groups, 'groups').length >= 3);
  });
});
