import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/store/db.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { photoByPath } from '../../src/store/photos.js';
import { sleep, startDaemon, writeConfig } from '../helpers/daemon.js';
import { detectionImages } from '../helpers/detector.js';
import { tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);
let dir = '';
let photos = '';
let config = '';
const PHOTO = '2007_007763.jpg';
/** More photos in the run, so "originals are never modified" is checked over a whole backfill. */
const OTHERS = ['pic00072.jpg', 'pic00076.jpg', 'pic00079.jpg', '2008_001322.jpg'];

before(async () => {
  dir = await tmpDir('facetag-daemon-sidecar-');
  photos = join(dir, 'photos');
  await mkdir(photos);
  for (const name of [PHOTO, ...OTHERS]) await copyFile(join(detectionImages, name), join(photos, name));
  config = await writeConfig(dir, { engine: 'cascade', detection: { rotationStep: 90 }, daemon: { settleMs: 300 } });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

test('a face named through the HTTP API reaches the photo’s XMP sidecar; no photo is modified', async () => {
  const photo = join(photos, PHOTO);
  const all = [PHOTO, ...OTHERS].map((n) => join(photos, n));
  const before = await Promise.all(all.map(sha));
  const dataDir = join(dir, 'data');
  const daemon = startDaemon({ photos: [photos], dataDir, config });
  try {
    const http = await daemon.waitForLog((l) => l.msg === 'http listening', 20_000, 'http listening');
    await daemon.waitForCount(
      (l) => l.msg === 'analysed' || l.msg === 'photo failed',
      all.length,
      60_000,
      'every photo analysed',
    );
    const url = String(http.url);
    const token = (await readFile(join(dataDir, 'http-token'), 'utf8')).trim();
    const db = openDatabase(dataDir);
    const row = photoByPath(db, photo);
    assert.ok(row, 'photo in the store');
    const [face] = facesOfPhoto(db, row.id);
    db.close();
    assert.ok(face, 'a face was found');

    const unauthorised = await fetch(`${url}/api/faces/${face.id}/label`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'name', person: 'Alice' }),
    });
    assert.equal(unauthorised.status, 401);
    const res = await fetch(`${url}/api/faces/${face.id}/label`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ action: 'name', person: 'Alice' }),
    });
    assert.equal(res.status, 200, await res.text());

    const sidecar = `${photo}.xmp`;
    let xml = '';
    for (const end = Date.now() + 15_000; !xml.includes('Alice'); await sleep(200)) {
      if (Date.now() > end) assert.fail(`the sidecar ${sidecar} never named Alice: ${xml || '(absent)'}`);
      xml = await readFile(sidecar, 'utf8').catch(() => '');
    }
    assert.match(xml, /mwg-rs:Name[^>]*>?\s*Alice|mwg-rs:Name="Alice"/);
    const exiftool = await execFileP('exiftool', ['-s3', '-XMP-mwg-rs:RegionName', sidecar]).catch(() => undefined);
    if (exiftool) assert.match(exiftool.stdout, /Alice/);
    assert.deepEqual(await Promise.all(all.map(sha)), before, 'every original photo is unchanged');
  } finally {
    await daemon.stop();
  }
});
