import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { SidecarFace, SidecarInput } from '../../src/sidecar/types.js';
import { assertSidecarPath, SidecarWriteError, sidecarPaths, writeSidecars } from '../../src/sidecar/write.js';
import { repoRoot, tmpDir } from '../helpers/paths.js';

let root: string;
let jpeg: Buffer;
let n = 0;
const policy = { autoThreshold: 0.5 };
const ALICE: SidecarFace = {
  faceId: 1,
  name: 'Alice Example',
  source: 'confirmed',
  rect: { cx: 96, cy: 60, width: 32, height: 40, angle: 0 },
};

before(async () => {
  root = await tmpDir('facetag-sidecar-write-');
  jpeg = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#808080' } })
    .jpeg()
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>embedded-keyword</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>',
    )
    .toBuffer();
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh folder with one photo in it. */
async function photoDir(name = 'photo.jpg'): Promise<{ dir: string; photo: string }> {
  const dir = join(root, `case-${n++}`);
  await mkdir(dir);
  const photo = join(dir, name);
  await writeFile(photo, jpeg);
  return { dir, photo };
}

const input = (photoPath: string, faces: SidecarFace[] = [ALICE]): SidecarInput => ({
  photoPath,
  imageWidth: 160,
  imageHeight: 120,
  orientation: 1,
  faces,
});

const sha256 = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

test('no sidecar yet: photo.jpg.xmp is created, seeded from the embedded XMP; the photo is untouched', async () => {
  const { dir, photo } = await photoDir();
  const [hash, { mtimeMs }] = [await sha256(photo), await stat(photo)];
  const result = await writeSidecars(photo, input(photo), { policy });
  assert.deepEqual(result.written, [join(dir, 'photo.jpg.xmp')]);
  assert.deepEqual(result.facesWritten, [1]);
  const xml = await readFile(join(dir, 'photo.jpg.xmp'), 'utf8');
  assert.match(xml, /embedded-keyword/);
  assert.match(xml, /mwg-rs:Name="Alice Example"/);
  assert.equal(await sha256(photo), hash);
  assert.equal((await stat(photo)).mtimeMs, mtimeMs);
  assert.deepEqual((await readdir(dir)).sort(), ['photo.jpg', 'photo.jpg.xmp'], 'no temporary file left behind');
});

test('only photo.xmp exists: it is updated and no second sidecar is created', async () => {
  const { dir, photo } = await photoDir();
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/lightroom-style.xmp'), join(dir, 'photo.xmp'));
  const result = await writeSidecars(photo, input(photo), { policy });
  assert.deepEqual(result.written, [join(dir, 'photo.xmp')]);
  assert.deepEqual((await readdir(dir)).sort(), ['photo.jpg', 'photo.xmp']);
  assert.match(await readFile(join(dir, 'photo.xmp'), 'utf8'), /Dana Foreign[\s\S]*Alice Example/);
});

test('both names exist (any case): both are updated', async () => {
  const { dir, photo } = await photoDir();
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/darktable-style.xmp'), join(dir, 'photo.jpg.xmp'));
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/digikam-style.xmp'), join(dir, 'PHOTO.XMP'));
  assert.deepEqual((await sidecarPaths(photo)).sort(), [join(dir, 'PHOTO.XMP'), join(dir, 'photo.jpg.xmp')]);
  const result = await writeSidecars(photo, input(photo), { policy });
  assert.equal(result.written.length, 2);
  assert.match(await readFile(join(dir, 'photo.jpg.xmp'), 'utf8'), /darktable:history[\s\S]*Alice Example/);
  assert.match(await readFile(join(dir, 'PHOTO.XMP'), 'utf8'), /Carol Foreign[\s\S]*Alice Example/);
});

test('an x.xmp shared with another file of the same name (RAW+JPEG) is left alone', async () => {
  const { dir, photo } = await photoDir();
  await writeFile(join(dir, 'photo.CR2'), 'raw');
  const lightroom = await readFile(join(repoRoot, 'test/fixtures/sidecars/lightroom-style.xmp'));
  await writeFile(join(dir, 'photo.xmp'), lightroom);
  const result = await writeSidecars(photo, input(photo), { policy });
  assert.deepEqual(result.written, [join(dir, 'photo.jpg.xmp')]);
  assert.match(result.skippedPaths[0]?.reason ?? '', /shared with photo\.CR2/);
  assert.deepEqual(await readFile(join(dir, 'photo.xmp')), lightroom);
});

test('a symlinked sidecar is reported, not replaced', async () => {
  const { dir, photo } = await photoDir();
  await writeFile(join(dir, 'elsewhere.xmp'), '');
  await symlink(join(dir, 'elsewhere.xmp'), join(dir, 'photo.jpg.xmp'));
  const result = await writeSidecars(photo, input(photo), { policy });
  assert.deepEqual(result.written, []);
  assert.match(result.skippedPaths[0]?.reason ?? '', /symbolic link/);
});

test('nothing to write and no sidecar: nothing is created; auto faces follow the threshold', async () => {
  const { dir, photo } = await photoDir();
  const low: SidecarFace = { ...ALICE, source: 'auto', value: 0.2 };
  const result = await writeSidecars(photo, input(photo, [low]), { policy });
  assert.deepEqual(result.written, []);
  assert.match(result.facesSkipped[0]?.reason ?? '', /below the threshold/);
  assert.deepEqual(await readdir(dir), ['photo.jpg']);
  const high = await writeSidecars(photo, input(photo, [{ ...low, value: 0.9 }]), { policy });
  assert.deepEqual(high.facesWritten, [1]);
});

test('an unchanged result leaves the sidecar alone, mtime included', async () => {
  const { dir, photo } = await photoDir();
  await writeSidecars(photo, input(photo), { policy });
  const sidecar = join(dir, 'photo.jpg.xmp');
  const [bytes, { mtimeMs }] = [await readFile(sidecar), await stat(sidecar)];
  await new Promise((r) => setTimeout(r, 20));
  const again = await writeSidecars(photo, input(photo), { policy });
  assert.deepEqual(again.unchanged, [sidecar]);
  assert.deepEqual(again.written, []);
  assert.deepEqual(await readFile(sidecar), bytes);
  assert.equal((await stat(sidecar)).mtimeMs, mtimeMs);
});

test('another program writes the sidecar while we merge: we re-read and merge into its version', async () => {
  const { dir, photo } = await photoDir();
  const sidecar = join(dir, 'photo.jpg.xmp');
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/darktable-style.xmp'), sidecar);
  let calls = 0;
  const result = await writeSidecars(photo, input(photo), {
    policy,
    beforeCommit: async (path) => {
      calls++;
      // darktable saves a new rating just before our rename, once.
      if (calls === 1)
        await writeFile(path, (await readFile(path, 'utf8')).replace('xmp:Rating="3"', 'xmp:Rating="5"'));
    },
  });
  assert.equal(calls, 2);
  assert.deepEqual(result.written, [sidecar]);
  const xml = await readFile(sidecar, 'utf8');
  assert.match(xml, /xmp:Rating="5"/);
  assert.match(xml, /Alice Example/);
  assert.deepEqual((await readdir(dir)).sort(), ['photo.jpg', 'photo.jpg.xmp']);
});

test('a sidecar that keeps changing is given up on after maxAttempts, with its last content intact', async () => {
  const { dir, photo } = await photoDir();
  const sidecar = join(dir, 'photo.jpg.xmp');
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/darktable-style.xmp'), sidecar);
  let i = 0;
  const busy = async (path: string) => {
    await writeFile(path, (await readFile(path, 'utf8')).replace(/xmp:Rating="\d+"/, `xmp:Rating="${i++ % 5}"`));
  };
  await assert.rejects(
    writeSidecars(photo, input(photo), { policy, maxAttempts: 3, beforeCommit: busy }),
    (err: unknown) => {
      assert.ok(err instanceof SidecarWriteError);
      assert.match(err.message, /after 3 attempts/);
      return true;
    },
  );
  const xml = await readFile(sidecar, 'utf8');
  assert.match(xml, /xmp:Rating="2"/);
  assert.doesNotMatch(xml, /Alice Example/);
  assert.deepEqual((await readdir(dir)).sort(), ['photo.jpg', 'photo.jpg.xmp']);
});

test('a sidecar we cannot parse is reported and left byte for byte', async () => {
  const { dir, photo } = await photoDir();
  const sidecar = join(dir, 'photo.jpg.xmp');
  await writeFile(sidecar, '<x:xmpmeta><half-written');
  await assert.rejects(writeSidecars(photo, input(photo), { policy }), /not well-formed/);
  assert.equal(await readFile(sidecar, 'utf8'), '<x:xmpmeta><half-written');
});

test("the old sidecar's permissions are kept", async () => {
  const { dir, photo } = await photoDir();
  const sidecar = join(dir, 'photo.jpg.xmp');
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/darktable-style.xmp'), sidecar);
  await chmod(sidecar, 0o640);
  await writeSidecars(photo, input(photo), { policy });
  assert.equal((await stat(sidecar)).mode & 0o777, 0o640);
});

test('only .xmp files can ever be written; a sidecar is not a photo', async () => {
  assert.throws(() => assertSidecarPath('/photos/photo.jpg'), /only \.xmp sidecars/);
  assert.throws(() => assertSidecarPath('/photos/.xmp'), /only \.xmp sidecars/);
  assert.doesNotThrow(() => assertSidecarPath('/photos/photo.jpg.XMP'));
  const { dir } = await photoDir();
  const xmpAsPhoto = join(dir, 'photo.jpg.xmp');
  await writeFile(xmpAsPhoto, '');
  await assert.rejects(writeSidecars(xmpAsPhoto, input(xmpAsPhoto), { policy }), /sidecar, not a photo/);
  await assert.rejects(
    writeSidecars(join(dir, 'photo.jpg'), input(join(dir, 'other.jpg')), { policy }),
    /not the photo/,
  );
});
