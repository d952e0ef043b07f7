/**
 * Issue 15, items 3 and 4, at the writer: names with `, ` `/` `|` reach the regions exactly (read
 * back with exiftool and exiv2, as galleries do) and each keyword field holds what it can; and each
 * sidecar case has its policy: symlinked, read-only, a face under another tool's region, nothing
 * to add (file untouched), the last name taken out (our part removed; our own file deleted when
 * nothing else is in it). No foreign key is ever lost.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmod,
  copyFile,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { SidecarFace, SidecarInput } from '../../src/sidecar/types.js';
import { writeSidecars } from '../../src/sidecar/write.js';
import { modesBind, rerunWhereModesBind } from '../helpers/modes-bind.js';
import { repoRoot, tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);
const has = async (cmd: string, arg: string) =>
  execFileP(cmd, [arg]).then(
    () => true,
    () => false,
  );
const hasExiftool = await has('exiftool', '-ver');
const hasExiv2 = await has('exiv2', '--version');
const run = async (cmd: string, args: string[]) => (await execFileP(cmd, args, { maxBuffer: 16 << 20 })).stdout;
type Dump = Record<string, unknown>;
const exiftool = async (args: string[]): Promise<Dump> =>
  (JSON.parse(await run('exiftool', ['-j', ...args])) as Dump[])[0] ?? {};
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

let root: string;
let jpeg: Buffer;
let n = 0;
const policy = { autoThreshold: 0.5 };

before(async () => {
  root = await tmpDir('facetag-sidecar-cases-');
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

async function photoDir(): Promise<{ dir: string; photo: string; sidecar: string }> {
  const dir = join(root, `case-${n++}`);
  await mkdir(dir);
  const photo = join(dir, 'photo.jpg');
  await writeFile(photo, jpeg);
  return { dir, photo, sidecar: `${photo}.xmp` };
}

function face(faceId: number, name: string, left: number, top: number, w = 30, h = 30): SidecarFace {
  return {
    faceId,
    name,
    source: 'confirmed',
    rect: { cx: left + w / 2, cy: top + h / 2, width: w, height: h, angle: 0 },
  };
}
const input = (photoPath: string, faces: SidecarFace[]): SidecarInput => ({
  photoPath,
  imageWidth: 160,
  imageHeight: 120,
  orientation: 1,
  faces,
});

/** An old mtime, so that "untouched" cannot pass by the clock's grain. */
async function age(path: string): Promise<{ bytes: Buffer; mtimeMs: number }> {
  const old = new Date('2020-01-01T00:00:00Z');
  await utimes(path, old, old);
  return { bytes: await readFile(path), mtimeMs: (await stat(path)).mtimeMs };
}
async function assertUntouched(path: string, was: { bytes: Buffer; mtimeMs: number }): Promise<void> {
  assert.deepEqual(await readFile(path), was.bytes, `${path} changed`);
  assert.equal((await stat(path)).mtimeMs, was.mtimeMs, `${path}: mtime changed`);
}

const NAMES = ['Smith, John', 'AC/DC', 'a/b|c'];

test('names with ", ", "/" and "|" reach the MWG and MP regions exactly; each keyword field holds what it can', async (t) => {
  const { photo, sidecar } = await photoDir();
  const faces = NAMES.map((name, i) => face(i + 1, name, 10 + i * 50, 20));
  const result = await writeSidecars(photo, input(photo, faces), { policy });
  assert.deepEqual(result.facesWritten, [1, 2, 3]);
  assert.deepEqual(result.facesSkipped, []);

  await t.test('exiftool (Immich)', async (t: TestContext) => {
    if (!hasExiftool) return t.skip('exiftool not installed');
    const d = await exiftool(['-struct', '-G1', sidecar]);
    const mwg = list((d['XMP-mwg-rs:RegionInfo'] as { RegionList: unknown }).RegionList) as { Name: string }[];
    assert.deepEqual(mwg.map((r) => r.Name).sort(), [...NAMES].sort());
    const mp = list((d['XMP-MP:RegionInfoMP'] as { Regions: unknown }).Regions) as { PersonDisplayName: string }[];
    assert.deepEqual(mp.map((r) => r.PersonDisplayName).sort(), [...NAMES].sort());
    assert.deepEqual(list(d['XMP-dc:Subject']), ['embedded-keyword', ...NAMES]);
    assert.deepEqual(list(d['XMP-iptcExt:PersonInImage']), NAMES);
    // `|` cannot be carried by hierarchicalSubject: "a/b|c" is left out of that field alone.
    assert.deepEqual(list(d['XMP-lr:HierarchicalSubject']), ['embedded-keyword', 'People|Smith, John', 'People|AC/DC']);
    // digiKam's own form for "/" in a face name is "\": its tag for the face is People/AC\DC.
    assert.deepEqual(list(d['XMP-digiKam:TagsList']), [
      'embedded-keyword',
      'People/Smith, John',
      'People/AC\\DC',
      'People/a\\b|c',
    ]);
    const keywords = await exiftool(['-use', 'MWG', '-Keywords', sidecar]);
    for (const name of NAMES) assert.ok(list(keywords.Keywords).includes(name), `MWG Keywords lack ${name}`);
  });
  await t.test('exiv2 (digiKam, darktable)', async (t: TestContext) => {
    if (!hasExiv2) return t.skip('exiv2 not installed');
    const out = await run('exiv2', ['-PXkv', sidecar]);
    const values = (re: RegExp) =>
      out
        .split('\n')
        .map((l) => /^(\S+)\s+(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null && re.test(m[1] ?? ''))
        .map((m) => m[2]);
    assert.deepEqual(values(/mwg-rs:RegionList\[\d+\]\/mwg-rs:Name$/).sort(), [...NAMES].sort());
    assert.deepEqual(values(/MPRI:Regions\[\d+\]\/MPReg:PersonDisplayName$/).sort(), [...NAMES].sort());
  });
});

test('a symlinked sidecar is neither followed nor replaced, and no second sidecar is made', async () => {
  const { dir, photo, sidecar } = await photoDir();
  const target = join(dir, 'elsewhere.xmp');
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/digikam-style.xmp'), target);
  await symlink(target, sidecar);
  const was = await age(target);
  const result = await writeSidecars(photo, input(photo, [face(1, 'Ann', 100, 60)]), { policy });
  assert.deepEqual(result.written, []);
  assert.deepEqual(
    result.skippedPaths.map((s) => [s.path, s.kind]),
    [[sidecar, 'symlink']],
  );
  assert.match(result.skippedPaths[0]?.reason ?? '', /elsewhere\.xmp/);
  assert.equal(await readlink(sidecar), target);
  await assertUntouched(target, was);
  assert.deepEqual((await readdir(dir)).sort(), ['elsewhere.xmp', 'photo.jpg', 'photo.jpg.xmp']);
});

test('a read-only sidecar is respected: not replaced, reported; writable again, it is written', async () => {
  const { photo, sidecar } = await photoDir();
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/darktable-style.xmp'), sidecar);
  await chmod(sidecar, 0o444);
  const was = await age(sidecar);
  const ann = [face(1, 'Ann', 100, 60)];
  const result = await writeSidecars(photo, input(photo, ann), { policy });
  assert.deepEqual(result.written, []);
  assert.deepEqual(
    result.skippedPaths.map((s) => [s.path, s.kind]),
    [[sidecar, 'read-only']],
  );
  await assertUntouched(sidecar, was);
  assert.equal((await stat(sidecar)).mode & 0o777, 0o444);
  await chmod(sidecar, 0o644);
  assert.deepEqual((await writeSidecars(photo, input(photo, ann), { policy })).written, [sidecar]);
});

test('a read-only folder: no sidecar is created, and it is reported', async (t) => {
  if (!modesBind()) return rerunWhereModesBind(import.meta.url, t.name);
  const { dir, photo } = await photoDir();
  await chmod(dir, 0o555);
  try {
    const result = await writeSidecars(photo, input(photo, [face(1, 'Ann', 100, 60)]), { policy });
    assert.deepEqual(
      result.skippedPaths.map((s) => s.kind),
      ['read-only'],
    );
    assert.deepEqual(await readdir(dir), ['photo.jpg']);
  } finally {
    await chmod(dir, 0o755);
  }
});

test("a face under another tool's region: that region stands; the file is touched only for what we add", async () => {
  const { photo, sidecar } = await photoDir();
  // Lightroom's "Dana Foreign" region covers stored pixels x 10..40, y 15..45.
  await copyFile(join(repoRoot, 'test/fixtures/sidecars/lightroom-style.xmp'), sidecar);
  const was = await age(sidecar);
  const other = await writeSidecars(photo, input(photo, [face(7, 'Zed Example', 11, 14)]), { policy });
  assert.deepEqual(
    other.facesSkipped.map((s) => [s.faceId, s.kind]),
    [[7, 'foreign-region']],
  );
  assert.match(other.facesSkipped[0]?.reason ?? '', /names this face "Dana Foreign", not "Zed Example"/);
  // Nothing else to write: the file, mtime included, is as Lightroom left it.
  assert.deepEqual(other.unchanged, [sidecar]);
  await assertUntouched(sidecar, was);
  const same = await writeSidecars(photo, input(photo, [face(8, 'Dana Foreign', 10, 15)]), { policy });
  assert.deepEqual(
    same.facesSkipped.map((s) => [s.faceId, s.kind]),
    [[8, 'tagged-elsewhere']],
  );
});

test('nothing to add: a foreign sidecar is not touched (no tiff:Orientation, no record), mtime included', async () => {
  for (const fixture of ['darktable-style.xmp', 'digikam-style.xmp', 'exiftool-style.xmp', 'lightroom-style.xmp']) {
    const { photo, sidecar } = await photoDir();
    await copyFile(join(repoRoot, 'test/fixtures/sidecars', fixture), sidecar);
    const was = await age(sidecar);
    const low: SidecarFace = { ...face(1, 'Ann', 100, 60), source: 'auto', value: 0.1 };
    for (const faces of [[], [low]]) {
      const result = await writeSidecars(photo, input(photo, faces), { policy });
      assert.deepEqual([result.written, result.unchanged], [[], [sidecar]], fixture);
      await assertUntouched(sidecar, was);
    }
  }
});

test('the last name taken out of a sidecar facetag created, with nothing else in it: the file goes', async () => {
  const { dir, photo, sidecar } = await photoDir();
  await writeSidecars(photo, input(photo, [face(1, 'Smith, John', 100, 60)]), { policy });
  assert.ok((await readFile(sidecar, 'utf8')).includes('facetag:Created'));
  const cleared = await writeSidecars(photo, input(photo, []), { policy });
  assert.deepEqual(cleared.deleted, [sidecar]);
  assert.deepEqual(await readdir(dir), ['photo.jpg'], 'the embedded keyword it copied is still in the photo');
});

test('the last name taken out where another tool added to our sidecar, or of a foreign one: only our part goes', async (t) => {
  if (!hasExiftool) return t.skip('exiftool not installed');
  const ours = await photoDir();
  await writeSidecars(ours.photo, input(ours.photo, [face(1, 'Ann', 100, 60)]), { policy });
  await run('exiftool', ['-overwrite_original', '-XMP-dc:Title=Beach day', '-XMP-xmp:Rating=4', ours.sidecar]);
  const kept = await writeSidecars(ours.photo, input(ours.photo, []), { policy });
  assert.deepEqual([kept.cleared, kept.deleted], [[ours.sidecar], []]);
  const d = await exiftool(['-G1', '-a', ours.sidecar]);
  assert.equal(d['XMP-dc:Title'], 'Beach day');
  assert.equal(d['XMP-xmp:Rating'], 4);
  assert.deepEqual(list(d['XMP-dc:Subject']), ['embedded-keyword']);
  const leftovers = Object.keys(d).filter((k) => /facetag|RegionInfo|Region[A-Z]|Orientation|PersonInImage/.test(k));
  assert.deepEqual(leftovers, [], 'nothing of ours is left');

  for (const fixture of ['darktable-style.xmp', 'digikam-style.xmp', 'exiftool-style.xmp', 'lightroom-style.xmp']) {
    const { photo, sidecar } = await photoDir();
    await copyFile(join(repoRoot, 'test/fixtures/sidecars', fixture), sidecar);
    const before = await exiftool(['-G1', '-a', '-struct', sidecar]);
    await writeSidecars(photo, input(photo, [face(1, 'a/b|c', 100, 60)]), { policy });
    const back = await writeSidecars(photo, input(photo, []), { policy });
    assert.deepEqual([back.cleared, back.deleted], [[sidecar], []], fixture);
    const afterClear = await exiftool(['-G1', '-a', '-struct', sidecar]);
    const strip = (x: Dump) =>
      Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'SourceFile' && !k.startsWith('System:')));
    assert.deepEqual(strip(afterClear), strip(before), `${fixture}: not as the other tool left it`);
  }
});
