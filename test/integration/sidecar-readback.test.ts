import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import exifr from 'exifr';
import sharp from 'sharp';
import type { SidecarFace } from '../../src/sidecar/types.js';
import { writeSidecars } from '../../src/sidecar/write.js';
import { repoRoot, tmpDir } from '../helpers/paths.js';

/*
 * Read-back with the real clients galleries use (spec §6): exiftool (Immich, through
 * exiftool-vendored), exiv2 (digiKam, darktable) and exifr (PiGallery2). Each region's name and
 * area must come back as written, for every EXIF orientation and for merges into sidecars in
 * the styles of darktable, digiKam, Lightroom and exiftool; nothing another tool wrote may be
 * lost; the photo's bytes never change.
 */

const execFileP = promisify(execFile);

async function available(cmd: string, args: string[]): Promise<boolean> {
  try {
    await execFileP(cmd, args);
    return true;
  } catch {
    return false;
  }
}

const hasExiftool = await available('exiftool', ['-ver']);
const hasExiv2 = await available('exiv2', ['--version']);

async function run(cmd: string, args: string[]): Promise<string> {
  return (await execFileP(cmd, args, { maxBuffer: 16 << 20 })).stdout;
}

type Dump = Record<string, unknown>;

async function exiftoolJson(args: string[]): Promise<Dump> {
  const parsed = JSON.parse(await run('exiftool', ['-j', ...args])) as Dump[];
  assert.equal(parsed.length, 1);
  return parsed[0] as Dump;
}

/** `exiv2 -PXkv`: every XMP key with its value. */
async function exiv2Dump(path: string): Promise<Map<string, string>> {
  const out = await run('exiv2', ['-PXkv', path]);
  const map = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (m?.[1]) map.set(m[1], (m[2] ?? '').trimEnd());
  }
  return map;
}

const sha256 = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface Area {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

function assertArea(actual: Area, expected: Area, what: string): void {
  for (const k of ['x', 'y', 'w', 'h'] as const) {
    assert.ok(Math.abs(actual[k] - expected[k]) <= 1e-6, `${what}: ${k} = ${actual[k]}, expected ${expected[k]}`);
  }
}

function face(faceId: number, name: string, left: number, top: number, w: number, h: number): SidecarFace {
  return {
    faceId,
    name,
    source: 'confirmed',
    rect: { cx: left + w / 2, cy: top + h / 2, width: w, height: h, angle: 0 },
  };
}

interface Expected {
  readonly name: string;
  /** MWG area: centre-based, stored frame. */
  readonly area: Area;
}

/** Reads our regions back with exiftool (the spec §6.1 commands) and checks names, areas and MP twins. */
async function checkExiftool(
  sidecar: string,
  expected: readonly Expected[],
  dims: { w: number; h: number },
  mustValidate = false,
): Promise<void> {
  if (mustValidate) {
    // exiftool's validator has nothing to say about a sidecar we wrote from scratch.
    const validate = await run('exiftool', ['-validate', '-warning', '-a', sidecar]);
    assert.match(validate, /^Validate\s*:\s*OK\s*$/, validate);
  }
  const struct = await exiftoolJson(['-struct', '-G1', '-n', sidecar]);
  const info = struct['XMP-mwg-rs:RegionInfo'] as {
    AppliedToDimensions: { W: number; H: number; Unit: string };
    RegionList: unknown;
  };
  assert.deepEqual(info.AppliedToDimensions, { W: dims.w, H: dims.h, Unit: 'pixel' });
  const regions = asList(info.RegionList) as { Name: string; Type: string; Area: Record<string, number | string> }[];
  const mp = asList((struct['XMP-MP:RegionInfoMP'] as { Regions: unknown }).Regions) as {
    PersonDisplayName: string;
    Rectangle: string;
  }[];
  for (const e of expected) {
    const r = regions.find((x) => x.Name === e.name);
    assert.ok(r, `exiftool: no region named ${e.name}`);
    assert.equal(r.Type, 'Face');
    assert.equal(r.Area.Unit, 'normalized');
    assertArea(
      { x: Number(r.Area.X), y: Number(r.Area.Y), w: Number(r.Area.W), h: Number(r.Area.H) },
      e.area,
      `exiftool ${e.name}`,
    );
    const m = mp.find((x) => x.PersonDisplayName === e.name);
    assert.ok(m, `exiftool: no MP region named ${e.name}`);
    const [x, y, w, h] = m.Rectangle.split(',').map(Number) as [number, number, number, number];
    assertArea({ x: x + w / 2, y: y + h / 2, w, h }, e.area, `exiftool MP ${e.name}`);
    // The spec's -listItem/-p read-back, line by line.
    const i = regions.indexOf(r);
    const line = await run('exiftool', [
      '-listItem',
      String(i),
      '-p',
      '$RegionName|$RegionAreaX|$RegionAreaY|$RegionAreaW|$RegionAreaH|$RegionAreaUnit|$RegionType',
      sidecar,
    ]);
    const [n, lx, ly, lw, lh, unit, type] = line.trim().split('|');
    assert.equal(n, e.name);
    assert.deepEqual([unit, type], ['normalized', 'Face']);
    assertArea({ x: Number(lx), y: Number(ly), w: Number(lw), h: Number(lh) }, e.area, `exiftool -p ${e.name}`);
  }
  // What Immich calls Keywords (exiftool-vendored with useMWG) names our people.
  const keywords = await exiftoolJson(['-use', 'MWG', '-Keywords', sidecar]);
  for (const e of expected) assert.ok(asList(keywords.Keywords).includes(e.name), `MWG Keywords lack ${e.name}`);
}

/** Reads our regions back with exiv2, with the spec §6.2 per-key command (the keys digiKam reads). */
async function checkExiv2(sidecar: string, expected: readonly Expected[]): Promise<void> {
  const dump = await exiv2Dump(sidecar);
  for (const e of expected) {
    const key = [...dump.entries()].find(
      ([k, v]) => /mwg-rs:RegionList\[\d+\]\/mwg-rs:Name$/.test(k) && v === e.name,
    )?.[0];
    assert.ok(key, `exiv2: no region named ${e.name}`);
    const r = key.replace(/\/mwg-rs:Name$/, '');
    const fields = [
      'mwg-rs:Name',
      'mwg-rs:Type',
      'mwg-rs:Area/stArea:x',
      'mwg-rs:Area/stArea:y',
      'mwg-rs:Area/stArea:w',
    ];
    const args = [
      '-PXv',
      ...[...fields, 'mwg-rs:Area/stArea:h', 'mwg-rs:Area/stArea:unit'].flatMap((f) => ['-K', `${r}/${f}`]),
    ];
    const values = (await run('exiv2', [...args, sidecar])).trim().split('\n');
    const [n, type, x, y, w, h, unit] = values;
    assert.deepEqual([n, type, unit], [e.name, 'Face', 'normalized']);
    assertArea({ x: Number(x), y: Number(y), w: Number(w), h: Number(h) }, e.area, `exiv2 ${e.name}`);
    const mpKey = [...dump.entries()].find(
      ([k, v]) => /MPRI:Regions\[\d+\]\/MPReg:PersonDisplayName$/.test(k) && v === e.name,
    )?.[0];
    assert.ok(mpKey, `exiv2: no MP region named ${e.name}`);
    const rect = dump
      .get(mpKey.replace(/PersonDisplayName$/, 'Rectangle'))
      ?.split(',')
      .map(Number);
    assert.ok(rect && rect.length === 4);
    const [rx, ry, rw, rh] = rect as [number, number, number, number];
    assertArea({ x: rx + rw / 2, y: ry + rh / 2, w: rw, h: rh }, e.area, `exiv2 MP ${e.name}`);
  }
}

/** Reads our regions back with exifr 7, PiGallery2's parser. */
async function checkExifr(sidecar: string, expected: readonly Expected[], orientation: number): Promise<void> {
  const xmp = (await exifr.sidecar(sidecar)) as Record<string, Record<string, unknown>> | undefined;
  assert.ok(xmp, 'exifr read nothing');
  const regions = asList((xmp['mwg-rs']?.Regions as { RegionList?: unknown } | undefined)?.RegionList) as {
    Name: string;
    Type: string;
    Area: Area & { unit: string };
  }[];
  for (const e of expected) {
    const r = regions.find((x) => x.Name === e.name);
    assert.ok(r, `exifr: no region named ${e.name}`);
    assert.equal(r.Type, 'Face');
    assertArea(r.Area, e.area, `exifr ${e.name}`);
  }
  // PiGallery2 turns sidecar regions by the sidecar's own tiff:Orientation (spec §1.3).
  assert.ok(xmp.tiff, 'exifr: no tiff namespace');
  assert.equal(xmp.tiff.Orientation, orientation);
}

let root: string;
before(async () => {
  root = await tmpDir('facetag-sidecar-readback-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

// --- every EXIF orientation ------------------------------------------------------------------

/*
 * A 400×300 stored raster with a red block at x 40..160, y 24..64 (edges on 8 px JPEG block
 * boundaries, quality 100, no chroma subsampling, so they survive compression exactly). sharp
 * writes EXIF Orientation n and then displays the photo (auto-orient); the detector's view of
 * the face is the red block found in those displayed pixels. The sidecar must give back the
 * block's STORED position, whatever n is: that is the spec's §2.3 check, done end to end.
 */
const SW = 400;
const SH = 300;
const STORED_AREA: Area = { x: 100 / SW, y: 44 / SH, w: 120 / SW, h: 40 / SH };

async function orientedPhoto(path: string, orientation: number): Promise<void> {
  const raw = Buffer.alloc(SW * SH * 3, 128);
  for (let y = 24; y < 64; y++) {
    for (let x = 40; x < 160; x++) raw.set([220, 20, 20], (y * SW + x) * 3);
  }
  await sharp(raw, { raw: { width: SW, height: SH, channels: 3 } })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .withMetadata({ orientation })
    .toFile(path);
}

/** The red block in the displayed (auto-oriented) image, as the detector would see it. */
async function displayedBlock(path: string): Promise<SidecarFace['rect']> {
  const { data, info } = await sharp(path).rotate().raw().toBuffer({ resolveWithObject: true });
  let [left, top, right, bottom] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, -1, -1];
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * info.channels;
      if ((data[i] ?? 0) > 170 && (data[i + 1] ?? 255) < 80 && (data[i + 2] ?? 255) < 80) {
        left = Math.min(left, x);
        top = Math.min(top, y);
        right = Math.max(right, x + 1);
        bottom = Math.max(bottom, y + 1);
      }
    }
  }
  assert.ok(right > left, 'red block not found');
  return { cx: (left + right) / 2, cy: (top + bottom) / 2, width: right - left, height: bottom - top, angle: 0 };
}

for (let orientation = 1; orientation <= 8; orientation++) {
  test(`orientation ${orientation}: exiftool, exiv2 and exifr read back the stored-frame region`, async (t) => {
    const dir = join(root, `orientation-${orientation}`);
    await mkdir(dir);
    const photo = join(dir, 'IMG.jpg');
    await orientedPhoto(photo, orientation);
    const meta = await sharp(photo).metadata();
    assert.deepEqual([meta.width, meta.height, meta.orientation ?? 1], [SW, SH, orientation]);
    const rect = await displayedBlock(photo);
    // Sanity: quarter turns show the block with its sides swapped.
    assert.equal(rect.width, orientation >= 5 ? 40 : 120);
    const hash = await sha256(photo);

    const result = await writeSidecars(
      photo,
      {
        photoPath: photo,
        imageWidth: SW,
        imageHeight: SH,
        orientation,
        faces: [{ faceId: 1, name: 'Alice Example', source: 'confirmed', rect }],
      },
      { policy: { autoThreshold: 0 } },
    );
    const sidecar = join(dir, 'IMG.jpg.xmp');
    assert.deepEqual(result.written, [sidecar]);
    const expected = [{ name: 'Alice Example', area: STORED_AREA }];

    await t.test('exifr', () => checkExifr(sidecar, expected, orientation));
    await t.test('exiftool', async (t: TestContext) => {
      if (!hasExiftool) return t.skip('exiftool not installed');
      await checkExiftool(sidecar, expected, { w: SW, h: SH }, true);
      const o = await exiftoolJson(['-n', '-XMP-tiff:Orientation', sidecar]);
      assert.equal(o.Orientation, orientation);
      // The photo's own EXIF says the same, as exiftool reads it.
      assert.equal((await exiftoolJson(['-n', '-EXIF:Orientation', photo])).Orientation, orientation);
    });
    await t.test('exiv2', async (t: TestContext) => {
      if (!hasExiv2) return t.skip('exiv2 not installed');
      await checkExiv2(sidecar, expected);
      assert.equal((await exiv2Dump(sidecar)).get('Xmp.tiff.Orientation'), String(orientation));
    });
    assert.equal(await sha256(photo), hash, 'the photo changed');
  });
}

// --- merges into other tools' sidecars ----------------------------------------------------------

interface MergeCase {
  readonly fixture: string;
  readonly orientation: number;
  /** Faces in the displayed frame of a 160×120 stored photo, with their stored areas worked out by hand. */
  readonly faces: readonly { readonly face: SidecarFace; readonly area: Area }[];
}

const ALICE_1: MergeCase['faces'][number] = {
  face: face(1, 'Alice Example', 80, 40, 32, 40),
  area: { x: 0.6, y: 0.5, w: 0.2, h: 40 / 120 },
};
const BOB_1: MergeCase['faces'][number] = {
  face: face(2, 'Bob Example', 120, 70, 24, 30),
  area: { x: 132 / 160, y: 85 / 120, w: 24 / 160, h: 30 / 120 },
};

const MERGES: readonly MergeCase[] = [
  { fixture: 'darktable-style.xmp', orientation: 1, faces: [ALICE_1, BOB_1] },
  // Displayed 120×160 (turned 90° clockwise): x 20..50, y 100..140 is stored x 100..140, y 70..100.
  {
    fixture: 'digikam-style.xmp',
    orientation: 6,
    faces: [
      { face: face(1, 'Alice Example', 20, 100, 30, 40), area: { x: 0.75, y: 85 / 120, w: 0.25, h: 0.25 } },
      { face: face(2, 'Bob Example', 60, 0, 20, 16), area: { x: 8 / 160, y: 50 / 120, w: 16 / 160, h: 20 / 120 } },
    ],
  },
  { fixture: 'lightroom-style.xmp', orientation: 1, faces: [ALICE_1, BOB_1] },
  // Turned 180°: displayed x 80..112, y 40..80 is stored x 48..80, y 40..80.
  {
    fixture: 'exiftool-style.xmp',
    orientation: 3,
    faces: [
      { face: face(1, 'Alice Example', 80, 40, 32, 40), area: { x: 0.4, y: 0.5, w: 0.2, h: 40 / 120 } },
      { face: face(2, 'Bob Example', 0, 0, 16, 12), area: { x: 152 / 160, y: 114 / 120, w: 16 / 160, h: 12 / 120 } },
    ],
  },
];

/** exiftool -G1 keys whose lists we append to (ours go after everything that was there). */
const EXIFTOOL_APPENDABLE =
  /^XMP-(dc:Subject|lr:HierarchicalSubject|digiKam:TagsList|iptcExt:PersonInImage|mwg-rs:Region(Name|Type|Area[XYWH]|AreaUnit)|MP:Region(Rectangle|PersonDisplayName))$/;
/** exiftool -G1 keys that may appear: ours. */
const EXIFTOOL_OURS =
  /^XMP-(facetag:.+|tiff:Orientation|dc:Subject|lr:HierarchicalSubject|digiKam:TagsList|iptcExt:PersonInImage|mwg-rs:Region.+|MP:Region.+)$/;

/**
 * The acceptance check: `exiftool -j -G1` before and after, leaving out our own keys, are
 * identical; lists we share (keywords, region lists) only ever grow at the end.
 */
function assertNoKeyLost(before: Dump, afterDump: Dump, what: string, ignore: RegExp = /^$/): void {
  const skip = (k: string): boolean => k === 'SourceFile' || k.startsWith('System:') || ignore.test(k);
  for (const [k, v] of Object.entries(before)) {
    if (skip(k)) continue;
    assert.ok(k in afterDump, `${what}: ${k} was lost`);
    if (EXIFTOOL_APPENDABLE.test(k)) {
      const [b, a] = [asList(v), asList(afterDump[k])];
      assert.deepEqual(a.slice(0, b.length), b, `${what}: ${k} lost or reordered entries`);
    } else {
      assert.deepEqual(afterDump[k], v, `${what}: ${k} changed`);
    }
  }
  for (const k of Object.keys(afterDump)) {
    if (!skip(k) && !(k in before)) assert.match(k, EXIFTOOL_OURS, `${what}: unexpected new key ${k}`);
  }
}

/** The same check through exiv2's keys (digiKam's view). */
function assertNoExiv2KeyLost(before: Map<string, string>, afterDump: Map<string, string>, what: string): void {
  const appendable = /^Xmp\.(dc\.subject|lr\.hierarchicalSubject|digiKam\.TagsList|iptcExt\.PersonInImage)$/;
  const ours =
    /^Xmp\.(facetag\..+|mwg-rs\.Regions.*|MP\.RegionInfo.*|tiff\.Orientation|dc\.subject|lr\.hierarchicalSubject|digiKam\.TagsList|iptcExt\.PersonInImage)$/;
  for (const [k, v] of before) {
    const a = afterDump.get(k);
    assert.ok(a !== undefined, `${what}: exiv2 key ${k} was lost`);
    if (appendable.test(k)) assert.ok(a === v || a.startsWith(`${v}, `), `${what}: ${k} was "${v}", now "${a}"`);
    else assert.equal(a, v, `${what}: exiv2 key ${k} changed`);
  }
  for (const k of afterDump.keys()) if (!before.has(k)) assert.match(k, ours, `${what}: unexpected new exiv2 key ${k}`);
}

for (const c of MERGES) {
  test(`merge into ${c.fixture} (orientation ${c.orientation}): regions readable, zero keys lost, then a rejection`, async (t) => {
    const dir = join(root, c.fixture.replace('.xmp', ''));
    await mkdir(dir);
    const photo = join(dir, 'photo.jpg');
    await sharp({ create: { width: 160, height: 120, channels: 3, background: '#6080a0' } })
      .jpeg()
      .withMetadata({ orientation: c.orientation })
      .toFile(photo);
    const sidecar = join(dir, 'photo.jpg.xmp');
    await copyFile(join(repoRoot, 'test/fixtures/sidecars', c.fixture), sidecar);
    const hash = await sha256(photo);
    const beforeExiftool = hasExiftool ? await exiftoolJson(['-G1', '-a', sidecar]) : undefined;
    const beforeStruct = hasExiftool ? await exiftoolJson(['-G1', '-struct', sidecar]) : undefined;
    const beforeExiv2 = hasExiv2 ? await exiv2Dump(sidecar) : undefined;

    const write = (faces: readonly SidecarFace[]) =>
      writeSidecars(
        photo,
        { photoPath: photo, imageWidth: 160, imageHeight: 120, orientation: c.orientation, faces },
        { policy: { autoThreshold: 0 } },
      );
    const first = await write(c.faces.map((f) => f.face));
    assert.deepEqual(first.written, [sidecar]);
    assert.deepEqual(first.facesWritten, [1, 2]);
    const expected = c.faces.map((f) => ({ name: f.face.name, area: f.area }));

    await t.test('exifr reads our regions', () => checkExifr(sidecar, expected, c.orientation));
    await t.test('exiftool: regions readable, foreign regions intact, no key lost', async (t: TestContext) => {
      if (!hasExiftool || !beforeExiftool || !beforeStruct) return t.skip('exiftool not installed');
      await checkExiftool(sidecar, expected, { w: 160, h: 120 });
      assertNoKeyLost(beforeExiftool, await exiftoolJson(['-G1', '-a', sidecar]), c.fixture);
      const afterStruct = await exiftoolJson(['-G1', '-struct', sidecar]);
      const list = (d: Dump) =>
        asList((d['XMP-mwg-rs:RegionInfo'] as { RegionList?: unknown } | undefined)?.RegionList);
      const foreign = list(beforeStruct);
      assert.deepEqual(list(afterStruct).slice(0, foreign.length), foreign, 'foreign MWG regions changed');
      assert.equal(list(afterStruct).length, foreign.length + 2);
    });
    await t.test('exiv2: regions readable, no key lost', async (t: TestContext) => {
      if (!hasExiv2 || !beforeExiv2) return t.skip('exiv2 not installed');
      await checkExiv2(sidecar, expected);
      assertNoExiv2KeyLost(beforeExiv2, await exiv2Dump(sidecar), c.fixture);
    });

    // Bob is rejected: his region and keywords go, Alice's stay, and still nothing foreign is lost.
    const second = await write([c.faces[0]?.face as SidecarFace]);
    assert.deepEqual(second.written, [sidecar]);
    await t.test('after the rejection', async (t: TestContext) => {
      if (!hasExiftool || !beforeExiftool) return t.skip('exiftool not installed');
      const dump = await exiftoolJson(['-G1', '-a', sidecar]);
      assertNoKeyLost(beforeExiftool, dump, `${c.fixture} after rejection`);
      const names = [dump['XMP-mwg-rs:RegionName'], dump['XMP-dc:Subject'], dump['XMP-iptcExt:PersonInImage']].flatMap(
        asList,
      );
      assert.ok(!names.includes('Bob Example'), `Bob is still there: ${JSON.stringify(names)}`);
      await checkExiftool(sidecar, expected.slice(0, 1), { w: 160, h: 120 });
      if (hasExiv2 && beforeExiv2)
        assertNoExiv2KeyLost(beforeExiv2, await exiv2Dump(sidecar), `${c.fixture} after rejection`);
    });
    assert.equal(await sha256(photo), hash, 'the photo changed');
  });
}

// --- a new sidecar for a photo with embedded metadata -------------------------------------------

test('a new sidecar carries everything embedded that exiftool’s own copy recipe would (spec §3.2 step 2)', async (t) => {
  if (!hasExiftool) return t.skip('exiftool not installed');
  const dir = join(root, 'embedded');
  await mkdir(dir);
  const photo = join(dir, 'IMG.jpg');
  const embedded = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
 xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#" xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"
 photoshop:City="Lyon" xmp:Rating="4">
<dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>
<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:AppliedToDimensions stDim:w="160" stDim:h="120" stDim:unit="pixel"/>
<mwg-rs:RegionList><rdf:Bag><rdf:li rdf:parseType="Resource"><mwg-rs:Name>Gina Embedded</mwg-rs:Name><mwg-rs:Type>Face</mwg-rs:Type>
<mwg-rs:Area stArea:x="0.1" stArea:y="0.2" stArea:w="0.1" stArea:h="0.15" stArea:unit="normalized"/></rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>
</rdf:Description></rdf:RDF></x:xmpmeta>`;
  await sharp({ create: { width: 160, height: 120, channels: 3, background: '#a08060' } })
    .jpeg()
    .withXmp(embedded)
    .toFile(photo);
  await run('exiftool', ['-overwrite_original', '-IPTC:Keywords=holiday', '-IPTC:Keywords=iptc-only', photo]);
  const hash = await sha256(photo);
  // The spec's recipe: copy the XMP preserving locations.
  const reference = join(dir, 'reference.xmp');
  await run('exiftool', ['-tagsfromfile', photo, '-all:all', '-o', reference]);

  await writeSidecars(
    photo,
    { photoPath: photo, imageWidth: 160, imageHeight: 120, orientation: 1, faces: [ALICE_1.face] },
    { policy: { autoThreshold: 0 } },
  );
  const sidecar = join(dir, 'IMG.jpg.xmp');
  assertNoKeyLost(
    await exiftoolJson(['-G1', '-a', reference]),
    await exiftoolJson(['-G1', '-a', sidecar]),
    'embedded',
    /^XMP-x:XMPToolkit$/,
  );
  const dump = await exiftoolJson(['-G1', '-a', sidecar]);
  assert.deepEqual(dump['XMP-dc:Subject'], ['holiday', 'iptc-only', 'Alice Example']);
  assert.deepEqual(dump['XMP-mwg-rs:RegionName'], ['Gina Embedded', 'Alice Example']);
  await checkExiftool(sidecar, [{ name: 'Alice Example', area: ALICE_1.area }], { w: 160, h: 120 });
  assert.equal(await sha256(photo), hash, 'the photo changed');
});
