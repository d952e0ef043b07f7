/**
 * The labelling page in a real browser (issue 6): name a group of unknown faces, reject a
 * suggestion, confirm one, mark a face not a face, and check the database after each; then
 * screenshots at a desktop and a phone size with nothing wider than the viewport. Chips are cut
 * from ../shared/data/identity photos, so the likeness grouping sees real faces.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import * as z from 'zod';
import type { PluginHost, PluginStatus } from '../../src/plugins/host.js';
import { recordAnalysis } from '../../src/store/analysis.js';
import { type FaceRow, faceById, facesOfPhoto, setFaceLabel } from '../../src/store/faces.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { at, first, take } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';
import { analysis, type Fixture, face, startFixture, TOKEN } from './http-fixture.js';

const IDENTITY = join(sharedDir, 'data', 'identity');
const skip = browserSkipReason();

/** A stored chip (margin 0.25) of an identity photo: 150×150 with the face at 41,41, 68×68. */
async function identityChip(person: string, index: number): Promise<Buffer> {
  const file = at((await readdir(join(IDENTITY, person))).sort(), index, `photos of ${person}`);
  return sharp(await readFile(join(IDENTITY, person, file)))
    .extract({ left: 24, top: 24, width: 102, height: 102 })
    .greyscale()
    .png()
    .toBuffer();
}

function stored(fx: Fixture, id: number): FaceRow {
  const f = faceById(fx.db, id);
  assert.ok(f, `face ${id} exists`);
  return f;
}

/** A plugin host as the page sees it: the sidecars with one photo parked, a gallery paused. */
const retries: string[] = [];
const PARKED_PATH = '/photos/2019/broken sidecar.jpg';
const deliveries: Pick<PluginHost, 'status' | 'retry'> = {
  status: (): PluginStatus[] => [
    {
      id: 'xmp',
      name: 'xmp',
      state: 'running',
      pending: 0,
      delivered: 12,
      gaveUp: 0,
      failures: 0,
      lastError: null,
      parked: retries.includes('xmp')
        ? []
        : [{ eventId: 7, photoId: 3, path: PARKED_PATH, reason: 'the sidecar is not XMP', attempts: 3, parkedAt: 0 }],
    },
    { id: 'immich', name: 'immich', state: 'disabled', reason: 'Immich answered 502 ten times', parked: [] },
  ],
  retry: (id) => {
    retries.push(id);
    return { retried: id === 'xmp' ? 1 : 0, resumed: id === 'immich' };
  },
};

describe('labelling page', { skip }, () => {
  let fx: Fixture;
  let browser: Browser;
  let page: Page;
  let actions = 0;
  const personOf = new Map<number, string>();

  /** Click, then wait until the page has finished that action and redrawn. */
  async function act(click: () => Promise<void>): Promise<void> {
    actions++;
    await click();
    await page.waitForSelector(`body[data-done="${actions}"]`, { state: 'attached' });
  }

  // The test build has no DOM types: page code is passed as text and its answers are checked.
  const inPage = async <T>(schema: z.ZodType<T>, expression: string): Promise<T> =>
    schema.parse(await page.evaluate(expression));
  const faceIdsOf = (selector: string): Promise<number[]> =>
    inPage(
      z.array(z.int()),
      `[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => Number(e.dataset.faceId))`,
    );

  before(async () => {
    fx = await startFixture({ plugins: deliveries });
    const faces = [];
    const people: string[] = [];
    for (const person of ['Colin_Powell', 'Serena_Williams']) {
      people.push(...Array<string>(8).fill(person));
      for (let i = 0; i < 8; i++)
        faces.push(face(40 + faces.length * 35, 240, await identityChip(person, i), null, null));
    }
    const tony = await identityChip('Tony_Blair', 0);
    faces.push(face(320, 420, tony, 'Tony', 0.9), face(320, 60, await identityChip('Tony_Blair', 1), 'Tony', 0.6));
    const { photoId } = recordAnalysis(fx.db, null, analysis(join(fx.root, 'identity.jpg'), 'e', faces), fx.clock.now);
    // Faces are stored in the order given: the first 16 are the identity persons'.
    for (const [i, f] of facesOfPhoto(fx.db, photoId).slice(0, people.length).entries())
      personOf.set(f.id, at(people, i, 'people'));
    // The fixture's own unknown faces are flat grey squares: out of the way, so the groups are real faces.
    for (const photo of [fx.photos.family, fx.photos.outsideRow, fx.photos.symlinked]) {
      for (const f of facesOfPhoto(fx.db, photo)) {
        if (f.predicted_person_id === null) setFaceLabel(fx.db, f.id, { state: 'not_a_face' }, fx.clock.now);
      }
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${fx.server.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.deepEqual(errors, []);
  });

  after(async () => {
    await browser?.close();
    await fx?.close();
  });

  test('a first visit asks for the token up front, says where it is, and refuses a wrong one', async () => {
    assert.ok(await page.isVisible('#welcome'), 'the token step is shown first');
    assert.ok(!(await page.isVisible('main')), 'the views wait for the token');
    assert.match((await page.textContent('#token-command')) ?? '', /^facetag token/);
    await page.fill('#token', 'not-the-token-at-all');
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('#status.error');
    assert.match((await page.textContent('#status')) ?? '', /not right/);
    assert.equal(await inPage(z.string().nullable(), `localStorage.getItem('facetag.token')`), null);
    assert.ok(await page.isVisible('#welcome'), 'still asking');
    await page.fill('#token', TOKEN);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('#status:text-is("Token saved in this browser.")');
    await page.waitForSelector('section.group button.face');
    assert.equal(await inPage(z.string().nullable(), `localStorage.getItem('facetag.token')`), TOKEN);
    assert.ok(!(await page.isVisible('#welcome')));
    // Nothing was labelled on the way.
    assert.equal(fx.labelsChanged.count, 0);
  });

  test('names a whole group of unknown faces at once', async () => {
    const sizes = await inPage(
      z.array(z.int()),
      `[...document.querySelectorAll('section.group:not([data-lone])')].map((g) => g.querySelectorAll('button.face').length)`,
    );
    assert.ok(first(sizes, 'group sizes') >= 2, `the biggest group comes first and holds alike faces: ${sizes}`);
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
    );
    const group = await faceIdsOf('section.group[data-group="0"] button.face');
    await page.click('section.group[data-group="0"] .select-all');
    assert.equal(await page.textContent('#selected-count'), `${group.length} selected`);
    await page.fill('#name', 'Ann');
    await act(() => page.click('#name-button'));
    // Grouped by likeness: most of the group is one person (all of it, as measured).
    const persons = group.map((id) => personOf.get(id));
    const top = Math.max(...['Colin_Powell', 'Serena_Williams'].map((p) => persons.filter((q) => q === p).length));
    assert.ok(top * 3 >= group.length * 2, `group ${persons.join(', ')}`);
    for (const id of group) {
      const f = stored(fx, id);
      assert.equal(f.label_state, 'confirmed');
      assert.equal(f.person, 'Ann');
    }
    // Named faces leave the unknown list, and Ann is offered for autocompletion.
    const left = await faceIdsOf('button.face');
    assert.ok(group.every((id) => !left.includes(id)));
    assert.ok(await page.$('#person-names option[value="Ann"]'));
    // One request for the whole group: one retrain asked for, one action to undo.
    assert.ok(fx.labelsChanged.count >= 1);
    assert.equal(
      fx.db.prepare('SELECT json_array_length(before) FROM label_actions ORDER BY id DESC').pluck().get(),
      group.length,
    );
  });

  test('the training view says where names are written, shows a parked photo and tries it again', async () => {
    await page.click('nav a[href="#/training"]');
    await page.waitForSelector('.galleries li[data-plugin="xmp"] .parked');
    const xmp = (await page.textContent('.galleries li[data-plugin="xmp"]')) ?? '';
    assert.match(xmp, /Sidecars .*1 photo could not be written/);
    assert.match(xmp, new RegExp(`${PARKED_PATH}: the sidecar is not XMP`));
    assert.match(
      (await page.textContent('.galleries li[data-plugin="immich"]')) ?? '',
      /Immich Paused after repeated failures: Immich answered 502 ten times/,
    );
    await act(() => page.click('.galleries li[data-plugin="xmp"] button'));
    assert.deepEqual(retries, ['xmp']);
    assert.match((await page.textContent('#status')) ?? '', /trying 1 photo again/);
    await page.waitForSelector('.galleries li[data-plugin="xmp"]:not(:has(.parked))');
    await page.click('nav a[href="#/unknown"]');
    await page.waitForSelector('section.group button.face');
  });

  test('marks a face not a face', async () => {
    const [id] = take(await faceIdsOf('section.group button.face'), 1, 'unknown faces shown');
    await page.click(`button.face[data-face-id="${id}"]`);
    assert.equal(await page.getAttribute(`button.face[data-face-id="${id}"]`, 'aria-pressed'), 'true');
    await act(() => page.click('#not-face-button'));
    assert.equal(stored(fx, id).label_state, 'not_a_face');
    assert.equal(await page.$(`button.face[data-face-id="${id}"]`), null);
  });

  test('rejects one suggestion and confirms another', async () => {
    await page.click('nav a[href="#/suggestions"]');
    await page.waitForSelector('body[data-view="suggestions"] section.person');
    assert.deepEqual(
      await page.$$eval('nav a[aria-current]', (els) => els.map((e) => e.textContent)),
      ['Suggestions'],
      'one menu item is current',
    );
    const tony = await faceIdsOf('section.person[data-person="Tony"] .suggestion');
    assert.equal(tony.length, 2);
    const [toReject, toConfirm] = take(tony, 2, "Tony's suggestions");
    await act(() => page.click(`.suggestion[data-face-id="${toReject}"] button.reject`));
    const rejected = stored(fx, toReject);
    assert.equal(rejected.label_state, 'rejected');
    assert.equal(rejected.person, 'Tony');
    await act(() => page.click(`.suggestion[data-face-id="${toConfirm}"] button.confirm`));
    const confirmed = stored(fx, toConfirm);
    assert.equal(confirmed.label_state, 'confirmed');
    assert.equal(confirmed.person, 'Tony');
    assert.equal(await page.$('section.person[data-person="Tony"]'), null);
    await page.click('nav a[href="#/unknown"]');
    await page.waitForSelector('body[data-view="unknown"] section.group button.face');
  });

  for (const [name, width, height] of [
    ['desktop', 1280, 800],
    ['phone', 390, 844],
  ] as const) {
    test(`fits a ${name} screen (${width}×${height})`, async () => {
      await page.setViewportSize({ width, height });
      await page.evaluate('window.scrollTo(0, 0)');
      // With a face selected, as a user sees the page mid-task: the action bar enabled at the bottom.
      await page.click('button.face');
      // FACETAG_SCREENSHOTS keeps them (e.g. as CI artefacts); otherwise they go with the temp dir.
      const path = join(process.env.FACETAG_SCREENSHOTS ?? fx.dir, `labelling-${name}.png`);
      await page.screenshot({ path });
      assert.ok((await stat(path)).size > 1000, 'screenshot is not empty');
      const fit = await inPage(
        z.object({ scroll: z.int(), inner: z.int(), barTop: z.number(), barBottom: z.number() }),
        `({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
          barTop: document.getElementById('actions').getBoundingClientRect().top,
          barBottom: document.getElementById('actions').getBoundingClientRect().bottom,
        })`,
      );
      assert.ok(fit.scroll <= fit.inner, `page is ${fit.scroll}px wide in a ${fit.inner}px viewport`);
      assert.ok(fit.barBottom <= height && fit.barTop > height / 2, 'the action bar sits at the bottom, in view');
      assert.equal(await page.isEnabled('#name-button'), true);
      // Tap targets stay large on a phone.
      const small = await inPage(
        z.array(z.string()),
        `[...document.querySelectorAll('button')].filter((b) => {
          const h = b.getBoundingClientRect().height;
          return h > 0 && h < 44;
        }).map((b) => b.textContent)`,
      );
      assert.deepEqual(small, [], 'buttons shorter than 44 px');
      await page.click('#deselect-button');
    });
  }
});
