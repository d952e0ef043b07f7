/**
 * The labelling page as a family member first meets it, on a real daemon with the default engine
 * and photos of the dev library (../shared/data/library, a subset: the first photos of three family
 * members and a few friends and strangers, file times set to their folder's month). In headless
 * chromium: the first-visit token step; a face opened on its photo, highlighted; naming by
 * keyboard; fixing a wrong name and ignoring a face on the photo; the thumbnail grid filtered by a
 * person. Then the database and every sidecar (exiftool). Screenshots of every view at desktop and
 * phone size (kept under FACETAG_SCREENSHOTS), with no raw score in any view's visible text, and
 * the face pictures in colour.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import * as z from 'zod';
import { type Db, openDatabase } from '../../src/store/db.js';
import { type FaceRow, faceById, facesOfPhoto, listPersons } from '../../src/store/faces.js';
import { photoByPath } from '../../src/store/photos.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { type Daemon, sleep, writeConfig } from '../helpers/daemon.js';
import { daemonApi, pageActions, startAnalysedDaemon } from '../helpers/daemon-api.js';
import { take } from '../helpers/items.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';
import { exiftoolMissing, sidecarMismatch } from '../helpers/sidecar-names.js';

const LIBRARY = join(sharedDir, 'data', 'library');
const skip = browserSkipReason() ?? (await exiftoolMissing());

/** truth.csv rows: file (relative to the library), person, role. */
async function truth(): Promise<{ file: string; person: string; role: string }[]> {
  const lines = (await readFile(join(LIBRARY, 'truth.csv'), 'utf8')).trim().split('\n').slice(1);
  return lines.map((l) => {
    const [file, person, role] = take(l.split(','), 3, `truth.csv line "${l}"`);
    return { file, person, role };
  });
}

/** Mean HSV saturation of an image, 0..1: zero for a grey one. */
async function meanSaturation(image: Buffer): Promise<number> {
  const { data, info } = await sharp(image)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3, 'decoded as RGB');
  let sum = 0;
  for (let i = 0; i < data.length; i += 3) {
    const [r, g, b] = take(data.subarray(i, i + 3), 3, 'pixel data');
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    sum += max === 0 ? 0 : (max - min) / max;
  }
  return sum / (data.length / 3);
}

describe('the photo view, the first visit and the thumbnail grid on a running daemon', { skip }, () => {
  let dir = '';
  let photos = '';
  let dataDir = '';
  let daemon: Daemon;
  let url = '';
  let token = '';
  let browser: Browser;
  let page: Page;
  let db: Db;
  const files: string[] = [];
  const personOfFile = new Map<string, string>();
  const { post, trainAndWait } = daemonApi(
    () => url,
    () => token,
  );
  const act = pageActions(() => page);
  const face = (id: number): FaceRow => {
    const f = faceById(db, id);
    assert.ok(f, `face ${id} exists`);
    return f;
  };
  const photoIdOf = (file: string): number => {
    const photo = photoByPath(db, join(photos, file));
    assert.ok(photo, `${file} is in the store`);
    return photo.id;
  };
  /** The face a library photo is about: the biggest (each photo is centred on its subject). */
  const subjectFace = (file: string): FaceRow => {
    const faces = facesOfPhoto(db, photoIdOf(file));
    assert.ok(faces.length > 0, `a face was found in ${file}`);
    return faces.reduce((a, b) => (b.width > a.width ? b : a));
  };
  const goTo = async (hash: string, ready: string) => {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    await page.waitForSelector(ready);
  };

  before(async () => {
    dir = await tmpDir('facetag-web-photo-');
    photos = join(dir, 'photos');
    dataDir = join(dir, 'data');
    await mkdir(photos);
    const rows = await truth();
    const family = [...new Set(rows.filter((r) => r.role === 'family').map((r) => r.person))].slice(0, 3);
    const chosen = [
      ...family.flatMap((p) => rows.filter((r) => r.person === p).slice(0, 6)),
      ...rows.filter((r) => r.role !== 'family').slice(0, 5),
    ];
    for (const r of chosen) {
      const name = r.file.split('/').pop() ?? r.file;
      await copyFile(join(LIBRARY, r.file), join(photos, name));
      // The folder's month as the file's time, as a phone import leaves it (the photos carry no date).
      const [, year, month] = /photos\/([0-9]{4})\/([0-9]{2})\//.exec(r.file) ?? [];
      const when = new Date(Date.UTC(Number(year), Number(month) - 1, 15, 12));
      await utimes(join(photos, name), when, when);
      files.push(name);
      personOfFile.set(name, r.person);
    }
    const config = await writeConfig(dir, { daemon: { settleMs: 200, trainDebounceSeconds: 3600 } });
    ({ daemon, url, token } = await startAnalysedDaemon({ photos, dataDir, config, count: files.length }));
    db = openDatabase(dataDir);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.deepEqual(errors, []);
  });

  after(async () => {
    await browser?.close();
    db?.close();
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a first visit asks for the token once, says where it is and what prints it, and refuses a wrong one', async () => {
    assert.ok(await page.isVisible('#welcome'));
    const tokenFile = join(dataDir, 'http-token');
    assert.ok(((await page.textContent('#token-where')) ?? '').includes(tokenFile), 'names the token file');
    assert.equal(await page.textContent('#token-command'), `facetag token --data-dir ${dataDir}\ncat ${tokenFile}`);
    await page.screenshot({ path: join(process.env.FACETAG_SCREENSHOTS ?? dir, 'first-visit-desktop.png') });
    await page.fill('#token', `${token}x`);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('#status.error');
    assert.match((await page.textContent('#status')) ?? '', /not right/);
    await page.fill('#token', token);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('#status:text-is("Token saved in this browser.")');
    await page.waitForSelector('body[data-view="unknown"] section.group button.face');
    // The token is never in an address.
    assert.ok(!page.url().includes(token));
    // A reload does not ask again.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.ok(!(await page.isVisible('#welcome')), 'not asked again in this browser');
  });

  let ann = 0;
  test('opens a photo from a face, with that face highlighted, and names it by keyboard', async () => {
    const card = await page.waitForSelector('section.group[data-cluster] .face-card');
    ann = Number(await (await card.$('button.face'))?.getAttribute('data-face-id'));
    assert.ok(ann > 0);
    await (await card.$('a.in-photo'))?.click();
    await page.waitForSelector(`body[data-view="photo"] .box.highlight[data-face-id="${ann}"]`);
    assert.equal(await page.getAttribute('#face-panel', 'data-face-id'), String(ann));
    assert.ok(await page.isVisible('.keys'), 'the keys are shown on the page');
    await page.keyboard.press('n');
    assert.equal(await page.evaluate('document.activeElement.id'), 'panel-name');
    await page.keyboard.type('Ann');
    await act(() => page.keyboard.press('Enter'));
    assert.deepEqual([face(ann).label_state, face(ann).person], ['confirmed', 'Ann']);
    assert.equal(await page.textContent(`.box-label.confirmed`), 'Ann');
  });

  let fixed = 0;
  let fixedPhoto = 0;
  test('fixes a wrong name on the photo itself', async () => {
    // A slip elsewhere: a face of another family member named Ann.
    const annPerson = [...personOfFile].find(([f]) => subjectFace(f).id === ann)?.[1];
    const other = files.find((f) => personOfFile.get(f) !== annPerson && subjectFace(f).label_state === 'auto');
    assert.ok(other, 'a photo of someone else');
    fixed = subjectFace(other).id;
    fixedPhoto = photoIdOf(other);
    await post('/api/faces/label', { faces: [fixed], action: 'name', person: 'Ann' });
    await goTo(`#/photo/${fixedPhoto}`, `.box[data-face-id="${fixed}"]`);
    assert.equal(await page.$('#face-panel:not([hidden])'), null, 'no face chosen yet');
    await page.click(`.box[data-face-id="${fixed}"]`);
    assert.match((await page.textContent('#face-panel')) ?? '', /This is Ann/);
    await page.fill('#panel-name', 'Bob');
    await act(() => page.click('#panel-form button'));
    assert.deepEqual([face(fixed).label_state, face(fixed).person], ['confirmed', 'Bob']);
    assert.match((await page.textContent('.box-label.confirmed')) ?? '', /^Bob$/);
  });

  let ignored = 0;
  test('ignores a face on its photo', async () => {
    const file = files.find(
      (f) => subjectFace(f).label_state === 'auto' && subjectFace(f).predicted_person_id === null,
    );
    assert.ok(file, 'an unknown face is left');
    ignored = subjectFace(file).id;
    await goTo(`#/photo/${photoIdOf(file)}/face/${ignored}`, `.box.highlight[data-face-id="${ignored}"]`);
    await act(() => page.click('#face-panel button.ignore'));
    assert.deepEqual([face(ignored).label_state, face(ignored).person], ['ignored', null]);
    assert.match((await page.textContent(`.box-label.ignored`)) ?? '', /stranger/);
  });

  test('the thumbnail grid, newest month first, filtered by a person', async () => {
    await page.click('nav a[href="#/photos"]');
    await page.waitForSelector('.thumb img[src^="blob:"]');
    const months = await page.$$eval('.month', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(months.length >= 2, `photos from several months: ${months}`);
    const dates = months.map((m) => Date.parse(`1 ${m}`));
    assert.deepEqual(
      dates,
      [...dates].sort((a, b) => b - a),
      `newest month first: ${months}`,
    );
    const all = await page.$$eval('a.thumb', (els) => els.map((e) => Number(e.getAttribute('data-photo-id'))));
    assert.equal(new Set(all).size, files.length, 'every photo once');

    const annId = listPersons(db).find((p) => p.name === 'Ann')?.id;
    assert.ok(annId);
    await page.selectOption('#photo-person', String(annId));
    await page.waitForSelector(`body[data-view="photos"] h2:text-is("Photos of Ann")`);
    await page.waitForSelector('a.thumb');
    const shown = await page.$$eval('a.thumb', (els) => els.map((e) => Number(e.getAttribute('data-photo-id'))));
    const annPhotos = db
      .prepare(
        `SELECT DISTINCT p.id FROM photos p JOIN faces f ON f.content_id = p.content_id
          JOIN persons s ON s.id = f.person_id
          WHERE f.label_state = 'confirmed' AND s.name = 'Ann' AND p.status = 'done'`,
      )
      .pluck()
      .all();
    assert.deepEqual(shown.sort(), z.array(z.int()).parse(annPhotos).sort());
  });

  test('the face pictures are in colour', async () => {
    const ids = files.slice(0, 8).map((f) => subjectFace(f).id);
    for (const id of ids) {
      const res = await fetch(`${url}/api/faces/${id}/chip`);
      assert.equal(res.status, 200);
      const saturation = await meanSaturation(Buffer.from(await res.arrayBuffer()));
      assert.ok(saturation > 0.05, `face ${id}: mean saturation ${saturation.toFixed(3)}`);
    }
  });

  test('suggestions say how sure in words, and link to their photo', async () => {
    // A third family member, three faces named as a family starts; the models name the rest.
    const people = [...new Set(personOfFile.values())];
    const third = people[2];
    const theirs = files.filter((f) => personOfFile.get(f) === third && subjectFace(f).label_state === 'auto');
    assert.ok(theirs.length >= 5, `photos of ${third}`);
    await post('/api/faces/label', {
      faces: theirs.slice(0, 3).map((f) => subjectFace(f).id),
      action: 'name',
      person: 'Cee',
    });
    await trainAndWait();
    await goTo('#/suggestions', 'body[data-view="suggestions"] section.person[data-person="Cee"] .suggestion');
    const cards = await page.$$eval('section.person[data-person="Cee"] .suggestion', (els) =>
      els.map((e) => ({
        id: Number(e.getAttribute('data-face-id')),
        sure: e.querySelector('.sure')?.textContent ?? '',
        link: e.querySelector('a.in-photo')?.getAttribute('href') ?? '',
      })),
    );
    for (const c of cards) {
      assert.ok(['sure', 'not sure'].includes(c.sure), `face ${c.id}: ${c.sure}`);
      assert.match(c.link, new RegExp(`^#/photo/[0-9]+/face/${c.id}$`));
    }
  });

  for (const [size, width, height] of [
    ['desktop', 1280, 800],
    ['phone', 390, 844],
  ] as const) {
    test(`every view at ${size} size (${width}×${height}): fits, and shows no raw score`, async () => {
      await page.setViewportSize({ width, height });
      const annId = listPersons(db).find((p) => p.name === 'Ann')?.id;
      for (const [view, hash, ready] of [
        ['unknown', '#/unknown', 'body[data-view="unknown"] #groups'],
        ['suggestions', '#/suggestions', 'body[data-view="suggestions"] #persons'],
        ['people', '#/people', 'table.people'],
        ['person', `#/person/${annId}`, '#merge-form'],
        ['photos', '#/photos', '.thumb img[src^="blob:"]'],
        ['photo', `#/photo/${fixedPhoto}/face/${fixed}`, '.stage img[src^="blob:"]'],
        ['training', '#/training', '#train-now'],
      ] as const) {
        await goTo(hash, ready);
        await page.screenshot({ path: join(process.env.FACETAG_SCREENSHOTS ?? dir, `${view}-${size}.png`) });
        const seen = z
          .object({ scroll: z.int(), inner: z.int(), text: z.string() })
          .parse(
            await page.evaluate(
              '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth, text: document.body.innerText })',
            ),
          );
        assert.ok(seen.scroll <= seen.inner, `${view}: ${seen.scroll}px wide in a ${seen.inner}px viewport`);
        // Decision values look like 0.28 or -1.37; nothing like that is shown, nor the jargon.
        assert.doesNotMatch(seen.text, /(^|[^0-9.:/])-?[0-9]\.[0-9]{2}(?![0-9])/, `${view}: a raw score is shown`);
        assert.doesNotMatch(seen.text, /\bCV\b|decision value/i, `${view}: jargon`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  }

  test('the database and every sidecar show what was done on the page', async () => {
    assert.deepEqual([face(ann).label_state, face(ann).person], ['confirmed', 'Ann']);
    assert.deepEqual([face(fixed).label_state, face(fixed).person], ['confirmed', 'Bob']);
    assert.equal(face(ignored).label_state, 'ignored');
    for (const end = Date.now() + 30_000; ; await sleep(500)) {
      const mismatch = await sidecarMismatch(db, photos, files);
      if (!mismatch) break;
      if (Date.now() > end) assert.fail(`sidecars differ from the store:\n${mismatch}`);
    }
  });
});
