/**
 * The labelling page's clusters on a real daemon with the default (neural) engine: identity photos
 * of three persons are analysed and clustered; in headless chromium the test names a whole cluster
 * in one action, names another and undoes that, and takes a face out of a cluster. Then the
 * database, every photo's XMP sidecar (exiftool) and the retrained models must show exactly that.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadPersonModels } from '../../src/recognize/person-model.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { type FaceRow, faceById } from '../../src/store/faces.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { type Daemon, sleep, writeConfig } from '../helpers/daemon.js';
import { daemonApi, openLabellingPage, pageActions, startAnalysedDaemon } from '../helpers/daemon-api.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';
import { exiftoolMissing, sidecarMismatch } from '../helpers/sidecar-names.js';

const IDENTITY = join(sharedDir, 'data', 'identity');
const skip = browserSkipReason() ?? (await exiftoolMissing());

describe('clusters on the labelling page, neural engine', { skip }, () => {
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
  const { trainAndWait } = daemonApi(
    () => url,
    () => token,
  );
  const act = pageActions(() => page);

  const face = (id: number): FaceRow => {
    const f = faceById(db, id);
    assert.ok(f, `face ${id} exists`);
    return f;
  };
  const clusterFaces = (cluster: string): Promise<number[]> =>
    page.$$eval(`section.group[data-cluster="${cluster}"] button.face`, (els) =>
      els.map((e) => Number(e.getAttribute('data-face-id'))),
    );
  const clusters = (): Promise<string[]> =>
    page.$$eval('section.group[data-cluster]', (els) => els.map((e) => e.getAttribute('data-cluster') ?? ''));

  before(async () => {
    dir = await tmpDir('facetag-web-clusters-');
    photos = join(dir, 'photos');
    dataDir = join(dir, 'data');
    await mkdir(photos);
    for (const [person, count] of [
      ['Colin_Powell', 8],
      ['Tony_Blair', 8],
      ['Serena_Williams', 6],
    ] as const) {
      for (const f of (await readdir(join(IDENTITY, person))).sort().slice(0, count)) {
        await copyFile(join(IDENTITY, person, f), join(photos, f));
        files.push(f);
      }
    }
    // No engine set: the default, neural. Training only when asked, so each step sees what it expects.
    const config = await writeConfig(dir, { daemon: { settleMs: 200, trainDebounceSeconds: 3600 } });
    ({ daemon, url, token } = await startAnalysedDaemon({ photos, dataDir, config, count: files.length }));
    db = openDatabase(dataDir);
    // Each face is placed in a cluster right after its photo is analysed.
    const unplaced = () =>
      db
        .prepare(
          "SELECT count(*) FROM faces WHERE label_state = 'auto' AND features IS NOT NULL AND cluster_id IS NULL",
        )
        .pluck()
        .get();
    for (const end = Date.now() + 30_000; unplaced() !== 0; await sleep(100)) {
      if (Date.now() > end) assert.fail('faces were not clustered');
    }

    browser = await launchBrowser();
    page = await openLabellingPage(browser, url, token);
  });

  after(async () => {
    await browser?.close();
    db?.close();
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  let ann: number[] = [];
  let undone: number[] = [];

  test('names a whole cluster in one action', async () => {
    await page.waitForSelector('section.group[data-cluster] button.face');
    const [first] = await clusters();
    assert.ok(first, 'a cluster is shown');
    ann = await clusterFaces(first);
    assert.ok(ann.length >= 4, `a cluster of one person's faces: ${ann}`);
    const actionsBefore = db.prepare('SELECT count(*) FROM label_actions').pluck().get();
    await page.fill(`section.group[data-cluster="${first}"] .name-cluster input`, 'Ann');
    await act(() => page.click(`section.group[data-cluster="${first}"] .name-cluster button`));
    for (const id of ann) assert.deepEqual([face(id).label_state, face(id).person], ['confirmed', 'Ann']);
    assert.equal(db.prepare('SELECT count(*) FROM label_actions').pluck().get(), Number(actionsBefore) + 1);
    assert.deepEqual(await clusters().then((c) => c.includes(first)), false, 'the named cluster leaves the list');
  });

  test('undoes a bulk action: the faces are as before, and the cluster is back under its id', async () => {
    const [next] = await clusters();
    assert.ok(next, 'another cluster is shown');
    undone = await clusterFaces(next);
    await page.fill(`section.group[data-cluster="${next}"] .name-cluster input`, 'Bob');
    await act(() => page.click(`section.group[data-cluster="${next}"] .name-cluster button`));
    for (const id of undone) assert.equal(face(id).person, 'Bob');
    await act(() => page.click('#status button.undo'));
    for (const id of undone) assert.deepEqual([face(id).label_state, face(id).person], ['auto', null]);
    assert.match((await page.textContent('#status')) ?? '', /Undone/);
    assert.deepEqual((await clusterFaces(next)).sort(), [...undone].sort());
  });

  test('takes a face out of its cluster, for good', async () => {
    const [cluster] = await clusters();
    assert.ok(cluster);
    const [out] = await clusterFaces(cluster);
    assert.ok(out);
    await act(() =>
      page.click(`section.group[data-cluster="${cluster}"] .face-card:has(button[data-face-id="${out}"]) .uncluster`),
    );
    assert.ok(!(await clusterFaces(cluster)).includes(out), 'not in its old cluster any more');
    assert.equal(
      db
        .prepare('SELECT count(*) FROM cluster_exclusions WHERE face_id = ? AND cluster_id = ?')
        .pluck()
        .get(out, Number(cluster)),
      1,
    );
  });

  test('the database, the sidecars and the retrained models show the named cluster and not the undone one', async () => {
    await trainAndWait();
    for (const id of ann) assert.equal(face(id).person, 'Ann');
    for (const id of undone) assert.notEqual(face(id).label_state, 'confirmed');
    const models = await loadPersonModels(join(dataDir, 'models'));
    assert.deepEqual(
      models.map((m) => m.name),
      ['Ann'],
      'a model for the named cluster, none for the undone name',
    );
    const [model] = models;
    assert.equal(model?.features.kind, 'embedding');
    assert.equal(model?.training.positives, ann.length, 'trained on exactly the named faces');
    assert.ok((model?.training.negatives ?? 0) > 0, 'against background faces, from the first name');
    for (const end = Date.now() + 30_000; ; await sleep(500)) {
      const mismatch = await sidecarMismatch(db, photos, files);
      if (!mismatch) break;
      if (Date.now() > end) assert.fail(`sidecars differ from the store:\n${mismatch}`);
    }
    const bob = db.prepare("SELECT count(*) FROM faces f JOIN persons p ON p.id = f.person_id WHERE p.name = 'Bob'");
    assert.equal(bob.pluck().get(), 0);
  });
});
