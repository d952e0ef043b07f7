import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import exifr from 'exifr';
import { planSidecar, planSidecarDetailed } from '../../src/sidecar/plan.js';
import type { SidecarFace, SidecarInput } from '../../src/sidecar/types.js';
import { XmpParseError } from '../../src/sidecar/xmp-document.js';
import { repoRoot } from '../helpers/paths.js';

/*
 * Merges are checked with an independent reader (exifr, PiGallery2's XMP parser), never with the
 * writer's own parsing code.
 */

const fixture = (name: string): string => readFileSync(join(repoRoot, 'test/fixtures/sidecars', name), 'utf8');

type Xmp = Record<string, Record<string, unknown>>;

async function read(xml: string): Promise<Xmp> {
  const out = (await exifr.sidecar(Buffer.from(xml, 'utf8'), undefined, 'xmp')) as Xmp | undefined;
  assert.ok(out, 'exifr read nothing');
  return out;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface Region {
  Name?: string;
  Type?: string;
  Area?: { x: number; y: number; w: number; h: number; unit: string };
}

function mwgRegions(x: Xmp): Region[] {
  const regions = x['mwg-rs']?.Regions as { RegionList?: unknown } | undefined;
  return list(regions?.RegionList) as Region[];
}

function mpRegions(x: Xmp): { PersonDisplayName?: string; Rectangle?: string }[] {
  const info = x.MP?.RegionInfo as { Regions?: unknown } | undefined;
  return list(info?.Regions) as { PersonDisplayName?: string; Rectangle?: string }[];
}

const kw = (x: Xmp, ns: string, field: string): string[] => list(x[ns]?.[field]).map(String);

// A 160×120 stored raster; faces in the displayed frame (orientation 1 unless a test says so).
function face(faceId: number, name: string, left: number, top: number, w: number, h: number): SidecarFace {
  return {
    faceId,
    name,
    source: 'confirmed',
    rect: { cx: left + w / 2, cy: top + h / 2, width: w, height: h, angle: 0 },
  };
}
const ALICE = face(1, 'Alice Example', 80, 40, 32, 40);
const BOB = face(2, 'Bob Example', 120, 70, 24, 30);

function input(faces: SidecarFace[], orientation = 1): SidecarInput {
  return { photoPath: '/photos/photo.jpg', imageWidth: 160, imageHeight: 120, orientation, faces };
}

/**
 * exifr reads XML character references literally (`&#39;`), while a DOM writes the same character
 * out as itself; compare the decoded text, which is what the XML says.
 */
function decoded(v: unknown): unknown {
  if (typeof v === 'string') {
    return v
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
      .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  if (Array.isArray(v)) return v.map(decoded);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decoded(x)]));
  return v;
}

/** Every namespace we do not write must read back exactly as before. */
const OURS = new Set(['mwg-rs', 'MP', 'dc', 'lr', 'digiKam', 'Iptc4xmpExt', 'tiff', 'facetag', 'xmlns']);
function assertForeignUnchanged(before: Xmp, after: Xmp): void {
  for (const ns of Object.keys(before)) {
    if (OURS.has(ns)) continue;
    assert.deepEqual(decoded(after[ns]), decoded(before[ns]), `namespace ${ns} changed`);
  }
  // Shared namespaces: every field we do not manage is unchanged too.
  for (const ns of ['dc', 'lr', 'digiKam', 'tiff']) {
    for (const [field, value] of Object.entries(before[ns] ?? {})) {
      if (['subject', 'hierarchicalSubject', 'TagsList'].includes(field)) continue;
      assert.deepEqual(decoded(after[ns]?.[field]), decoded(value), `${ns}:${field} changed`);
    }
  }
}

/** `before` is a prefix of `after`: nothing removed or reordered, ours appended. */
function assertPrefix(before: unknown[], after: unknown[], what: string): void {
  assert.deepEqual(after.slice(0, before.length), before, `${what}: existing entries changed`);
}

test('darktable-style sidecar: darktable history and every other key survive; our region and keywords are added', async () => {
  const existing = fixture('darktable-style.xmp');
  const out = planSidecar(existing, undefined, input([ALICE]));
  const [before, after] = [await read(existing), await read(out)];
  assertForeignUnchanged(before, after);
  assert.equal(list((after.darktable as { history?: unknown }).history).length, 3);
  assert.deepEqual(kw(after, 'dc', 'subject'), ['holiday', 'beach', 'Alice Example']);
  assert.deepEqual(kw(after, 'lr', 'hierarchicalSubject'), ['places|beach', 'holiday', 'People|Alice Example']);
  // TagsList did not exist: it starts with the keywords darktable reads first (hierarchicalSubject),
  // or digiKam and Immich would stop showing them (spec gotcha 4).
  assert.deepEqual(kw(after, 'digiKam', 'TagsList'), ['places/beach', 'holiday', 'People/Alice Example']);
  assert.deepEqual(kw(after, 'Iptc4xmpExt', 'PersonInImage'), ['Alice Example']);
  assert.equal(after.tiff?.Orientation, 1);
  const regions = mwgRegions(after);
  assert.equal(regions.length, 1);
  assert.deepEqual(regions[0], {
    Name: 'Alice Example',
    Type: 'Face',
    Area: { x: 0.6, y: 0.5, w: 0.2, h: 0.3333333333, unit: 'normalized' },
  });
  assert.deepEqual((after['mwg-rs']?.Regions as { AppliedToDimensions?: unknown } | undefined)?.AppliedToDimensions, {
    w: 160,
    h: 120,
    unit: 'pixel',
  });
  assert.deepEqual(mpRegions(after), [
    { PersonDisplayName: 'Alice Example', Rectangle: '0.5, 0.3333333333, 0.2, 0.3333333333' },
  ]);
});

test('digiKam-style sidecar: the foreign face stays in MWG and MP; keyword fields are appended to, never rewritten', async () => {
  const existing = fixture('digikam-style.xmp');
  // Orientation 6: displayed 120×160. Alice shown at x 20..50, y 100..140 → stored x 100..140, y 70..100.
  const alice = face(1, 'Alice Example', 20, 100, 30, 40);
  const out = planSidecar(existing, undefined, input([alice], 6));
  const [before, after] = [await read(existing), await read(out)];
  assertForeignUnchanged(before, after);
  assert.deepEqual(after.MicrosoftPhoto, before.MicrosoftPhoto);
  assert.deepEqual(after.mediapro, before.mediapro);
  const regions = mwgRegions(after);
  assertPrefix(mwgRegions(before), regions, 'MWG regions');
  assert.deepEqual(regions[1], {
    Name: 'Alice Example',
    Type: 'Face',
    Area: { x: 0.75, y: 0.7083333333, w: 0.25, h: 0.25, unit: 'normalized' },
  });
  assertPrefix(mpRegions(before), mpRegions(after), 'MP regions');
  assert.equal(mpRegions(after).length, 2);
  assert.deepEqual(kw(after, 'digiKam', 'TagsList'), ['Places/Garden', 'People/Carol Foreign', 'People/Alice Example']);
  assert.deepEqual(kw(after, 'lr', 'hierarchicalSubject'), [
    'Places|Garden',
    'People|Carol Foreign',
    'People|Alice Example',
  ]);
  assert.deepEqual(kw(after, 'dc', 'subject'), ['Garden', 'Carol Foreign', 'Alice Example']);
  // The sidecar already says 6 (digiKam wrote it): not ours, left as it is.
  assert.equal(after.tiff?.Orientation, 6);
});

test('Lightroom-style sidecar: develop settings, history and the Lightroom region are kept', async () => {
  const existing = fixture('lightroom-style.xmp');
  const out = planSidecar(existing, undefined, input([ALICE]));
  const [before, after] = [await read(existing), await read(out)];
  assertForeignUnchanged(before, after);
  assert.deepEqual(after.crs, before.crs);
  assert.deepEqual(after.xmpMM, before.xmpMM);
  assertPrefix(mwgRegions(before), mwgRegions(after), 'MWG regions');
  assert.equal(mwgRegions(after).length, 2);
  assert.deepEqual(kw(after, 'dc', 'subject'), ['Dana Foreign', 'People', 'picnic', 'Alice Example']);
  // dc:title's "&" survives the round trip.
  assert.match(out, /Picnic &amp; games/);
});

test('exiftool-style sidecar (one rdf:Description per namespace): regions go into the existing list', async () => {
  const existing = fixture('exiftool-style.xmp');
  const out = planSidecar(existing, undefined, input([ALICE]));
  const [before, after] = [await read(existing), await read(out)];
  assertForeignUnchanged(before, after);
  assert.equal((out.match(/<mwg-rs:Regions\b/g) ?? []).length, 1, 'one Regions struct');
  assert.deepEqual(
    mwgRegions(after).map((r) => r.Name),
    ['Erin Foreign', 'Rex', 'Alice Example'],
  );
  // The pet region is another tool's: kept, Type and all.
  assert.equal(mwgRegions(after)[1]?.Type, 'Pet');
  // The existing AppliedToDimensions (element form) is kept, not duplicated.
  assert.equal((out.match(/AppliedToDimensions/g) ?? []).filter((m) => m === 'AppliedToDimensions').length >= 1, true);
  assert.equal((out.match(/<mwg-rs:AppliedToDimensions\b/g) ?? []).length, 1);
  assert.match(out, /line one&#10;line two|line one\nline two/);
});

test('a second run with the same faces changes nothing, byte for byte', () => {
  for (const name of ['darktable-style.xmp', 'digikam-style.xmp', 'lightroom-style.xmp', 'exiftool-style.xmp']) {
    const first = planSidecar(fixture(name), undefined, input([ALICE, BOB]));
    const second = planSidecarDetailed(first, undefined, input([ALICE, BOB]));
    assert.equal(second.changed, false, name);
    assert.equal(second.xml, first, name);
  }
});

test('renaming a face replaces our region in place; the old name goes from every keyword field we added it to', async () => {
  const existing = fixture('digikam-style.xmp');
  const first = planSidecar(existing, undefined, input([ALICE, BOB]));
  const renamed = planSidecar(first, undefined, input([ALICE, { ...BOB, name: 'Carl Example' }]));
  const after = await read(renamed);
  assert.deepEqual(
    mwgRegions(after).map((r) => r.Name),
    ['Carol Foreign', 'Alice Example', 'Carl Example'],
  );
  assert.deepEqual(
    mpRegions(after).map((r) => r.PersonDisplayName),
    ['Carol Foreign', 'Alice Example', 'Carl Example'],
  );
  for (const [ns, field, bob] of [
    ['dc', 'subject', 'Bob Example'],
    ['lr', 'hierarchicalSubject', 'People|Bob Example'],
    ['digiKam', 'TagsList', 'People/Bob Example'],
    ['Iptc4xmpExt', 'PersonInImage', 'Bob Example'],
  ] as const) {
    assert.ok(!kw(after, ns, field).includes(bob), `${ns}:${field} still has ${bob}`);
  }
  assert.deepEqual(kw(after, 'digiKam', 'TagsList'), [
    'Places/Garden',
    'People/Carol Foreign',
    'People/Alice Example',
    'People/Carl Example',
  ]);
});

test('rejecting a face removes our region and our keywords only, never a keyword the user already had', async () => {
  // The user had tagged "Alice Example" in dc:subject before facetag came along.
  const existing = fixture('darktable-style.xmp').replace(
    '<rdf:li>beach</rdf:li>',
    '<rdf:li>beach</rdf:li>\n     <rdf:li>Alice Example</rdf:li>',
  );
  const withBoth = planSidecar(existing, undefined, input([ALICE, BOB]));
  const mid = await read(withBoth);
  assert.deepEqual(kw(mid, 'dc', 'subject'), ['holiday', 'beach', 'Alice Example', 'Bob Example']);
  const rejected = planSidecar(withBoth, undefined, input([BOB]));
  const after = await read(rejected);
  assert.deepEqual(
    mwgRegions(after).map((r) => r.Name),
    ['Bob Example'],
  );
  assert.deepEqual(kw(after, 'dc', 'subject'), ['holiday', 'beach', 'Alice Example', 'Bob Example']);
  assert.deepEqual(kw(after, 'lr', 'hierarchicalSubject'), ['places|beach', 'holiday', 'People|Bob Example']);
  assert.deepEqual(kw(after, 'Iptc4xmpExt', 'PersonInImage'), ['Bob Example']);
  // Rejecting the last face takes our regions away entirely; the user's keywords stay.
  const none = await read(planSidecar(rejected, undefined, input([])));
  assert.equal(none['mwg-rs'], undefined);
  assert.equal(none.MP, undefined);
  assert.deepEqual(kw(none, 'dc', 'subject'), ['holiday', 'beach', 'Alice Example']);
  assert.deepEqual(kw(none, 'lr', 'hierarchicalSubject'), ['places|beach', 'holiday']);
  assert.equal(none.Iptc4xmpExt, undefined);
  assertForeignUnchanged(await read(existing), none);
});

test('our regions are recognised by our record even after another tool re-serialises them', async () => {
  const first = planSidecar(fixture('lightroom-style.xmp'), undefined, input([ALICE]));
  // Another tool rewrites our region in element form, rounded to 6 digits (as digiKam's pixel rectangles would).
  const rewritten = first.replace(
    /<rdf:li>\s*<rdf:Description mwg-rs:Name="Alice Example" mwg-rs:Type="Face">\s*<mwg-rs:Area [^>]*\/>\s*<\/rdf:Description>\s*<\/rdf:li>/,
    `<rdf:li rdf:parseType="Resource"><mwg-rs:Name>Alice Example</mwg-rs:Name><mwg-rs:Type>Face</mwg-rs:Type>
       <mwg-rs:Area rdf:parseType="Resource"><stArea:x>0.6</stArea:x><stArea:y>0.500001</stArea:y><stArea:w>0.2</stArea:w><stArea:h>0.333333</stArea:h><stArea:unit>normalized</stArea:unit></mwg-rs:Area></rdf:li>`,
  );
  assert.notEqual(rewritten, first);
  const moved = planSidecar(rewritten, undefined, input([{ ...ALICE, rect: { ...ALICE.rect, cx: 40 } }]));
  const after = await read(moved);
  assert.deepEqual(
    mwgRegions(after).map((r) => [r.Name, r.Area?.x]),
    [
      ['Dana Foreign', 0.15625],
      ['Alice Example', 0.25],
    ],
  );
});

test('a face another tool already tags is not written twice; one it names differently is left to the user', async () => {
  // Lightroom's Dana region: stored pixels x 10..40, y 15..45.
  const existing = fixture('lightroom-style.xmp');
  const same = planSidecarDetailed(existing, undefined, input([face(7, 'Dana Foreign', 10, 15, 30, 30)]));
  assert.deepEqual(same.written, []);
  assert.match(same.skipped[0]?.reason ?? '', /already tags this face as "Dana Foreign"/);
  assert.equal(mwgRegions(await read(same.xml)).length, 1);
  const other = planSidecarDetailed(existing, undefined, input([face(8, 'Zed Example', 11, 14, 30, 30)]));
  assert.deepEqual(other.written, []);
  assert.match(other.skipped[0]?.reason ?? '', /names this face "Dana Foreign"/);
  const after = await read(other.xml);
  assert.ok(!kw(after, 'dc', 'subject').includes('Zed Example'));
  // A face elsewhere in the photo is written as usual.
  const elsewhere = planSidecarDetailed(existing, undefined, input([face(9, 'Zed Example', 100, 60, 30, 30)]));
  assert.deepEqual(elsewhere.written, [9]);
});

test('a region the user renamed in a gallery stays theirs: not overwritten, not duplicated', async () => {
  const first = planSidecar(fixture('digikam-style.xmp'), undefined, input([ALICE]));
  const renamedByUser = first.replace('mwg-rs:Name="Alice Example"', 'mwg-rs:Name="Alicia Example"');
  const plan = planSidecarDetailed(renamedByUser, undefined, input([ALICE]));
  const after = await read(plan.xml);
  assert.deepEqual(
    mwgRegions(after).map((r) => r.Name),
    ['Carol Foreign', 'Alicia Example'],
  );
  assert.match(plan.skipped[0]?.reason ?? '', /Alicia Example/);
});

test('a new sidecar starts from the embedded XMP, its regions and IPTC keywords (spec gotcha 3)', async () => {
  const embedded = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
 xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
 photoshop:City="Lyon">
<dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>
<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag><rdf:li rdf:parseType="Resource">
<mwg-rs:Name>Gina Embedded</mwg-rs:Name><mwg-rs:Type>Face</mwg-rs:Type>
<mwg-rs:Area stArea:x="0.1" stArea:y="0.1" stArea:w="0.1" stArea:h="0.1" stArea:unit="normalized"/></rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  const out = planSidecar(undefined, embedded, input([ALICE]), { iptcKeywords: ['holiday', 'iptc-only'] });
  const after = await read(out);
  assert.equal(after.photoshop?.City, 'Lyon');
  assert.deepEqual(
    mwgRegions(after).map((r) => r.Name),
    ['Gina Embedded', 'Alice Example'],
  );
  assert.deepEqual(kw(after, 'dc', 'subject'), ['holiday', 'iptc-only', 'Alice Example']);
  // An existing sidecar without regions takes the embedded ones before adding ours (Immich and
  // digiKam read the sidecar's RegionInfo instead of the embedded one).
  const fromDarktable = await read(planSidecar(fixture('darktable-style.xmp'), embedded, input([ALICE])));
  assert.deepEqual(
    mwgRegions(fromDarktable).map((r) => r.Name),
    ['Gina Embedded', 'Alice Example'],
  );
});

test('seeding: a keyword field we create starts with the keywords the photo already shows', async () => {
  const flat = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:subject="solo"/></rdf:RDF></x:xmpmeta>`;
  const after = await read(planSidecar(flat, undefined, input([ALICE])));
  // A lone attribute value became a proper Bag, with ours added.
  assert.deepEqual(kw(after, 'dc', 'subject'), ['solo', 'Alice Example']);
  assert.deepEqual(kw(after, 'lr', 'hierarchicalSubject'), ['solo', 'People|Alice Example']);
  assert.deepEqual(kw(after, 'digiKam', 'TagsList'), ['solo', 'People/Alice Example']);
  // Removing our face later drops ours; the fields we created held only copies of the user's
  // keywords, so they go too and the sidecar's keywords read as before (issue 15).
  const again = await read(planSidecar(planSidecar(flat, undefined, input([ALICE])), undefined, input([])));
  assert.deepEqual(kw(again, 'digiKam', 'TagsList'), []);
  assert.deepEqual(kw(again, 'lr', 'hierarchicalSubject'), []);
  assert.deepEqual(kw(again, 'dc', 'subject'), ['solo']);
  // A field we created that the user has added to since is theirs now: only our entry goes.
  const added = planSidecar(flat, undefined, input([ALICE])).replace(
    '<rdf:li>People/Alice Example</rdf:li>',
    '<rdf:li>People/Alice Example</rdf:li><rdf:li>trips/2026</rdf:li>',
  );
  const kept = await read(planSidecar(added, undefined, input([])));
  assert.deepEqual(kw(kept, 'digiKam', 'TagsList'), ['solo', 'trips/2026']);
});

test('keywords darktable dropped are put back, and are still ours to remove', async () => {
  const first = planSidecar(fixture('darktable-style.xmp'), undefined, input([ALICE]));
  // darktable rewrites dc:subject and hierarchicalSubject from its database (spec §1.5).
  const byDarktable = first
    .replace(
      /<dc:subject>[\s\S]*?<\/dc:subject>/,
      '<dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>',
    )
    .replace(/<lr:hierarchicalSubject>[\s\S]*?<\/lr:hierarchicalSubject>/, '');
  const back = await read(planSidecar(byDarktable, undefined, input([ALICE])));
  assert.deepEqual(kw(back, 'dc', 'subject'), ['holiday', 'Alice Example']);
  // hierarchicalSubject is re-created from TagsList, without our own TagsList entry mistaken for the user's.
  assert.deepEqual(kw(back, 'lr', 'hierarchicalSubject'), ['places|beach', 'holiday', 'People|Alice Example']);
  const gone = await read(planSidecar(planSidecar(byDarktable, undefined, input([ALICE])), undefined, input([])));
  // The TagsList and hierarchicalSubject we created held only seeded copies: they go, and the
  // keywords read as darktable left them.
  assert.deepEqual(kw(gone, 'lr', 'hierarchicalSubject'), []);
  assert.deepEqual(kw(gone, 'digiKam', 'TagsList'), []);
  assert.deepEqual(kw(gone, 'dc', 'subject'), ['holiday']);
});

test('tiff:Orientation: ours follows the photo; another tool’s value is left alone', async () => {
  const first = planSidecar(undefined, undefined, input([ALICE], 1));
  const turned = await read(planSidecar(first, undefined, input([ALICE], 8)));
  assert.equal(turned.tiff?.Orientation, 8);
  const foreign = fixture('digikam-style.xmp');
  const kept = await read(planSidecar(foreign, undefined, input([ALICE], 3)));
  assert.equal(kept.tiff?.Orientation, 6);
});

test('a prefix already bound to another namespace is not reused', async () => {
  const clash = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:lr="urn:not-lightroom/" lr:thing="kept"/></rdf:RDF></x:xmpmeta>`;
  const out = planSidecar(clash, undefined, input([ALICE]));
  assert.match(out, /xmlns:lr1="http:\/\/ns\.adobe\.com\/lightroom\/1\.0\/"/);
  assert.match(out, /<lr1:hierarchicalSubject>/);
  assert.match(out, /lr:thing="kept"/);
});

test('a sidecar we cannot read is refused, never overwritten', () => {
  assert.throws(() => planSidecar('<x:xmpmeta><unclosed>', undefined, input([ALICE])), XmpParseError);
  assert.throws(() => planSidecar('<root>not xmp</root>', undefined, input([ALICE])), /no rdf:RDF/);
  assert.throws(
    () => planSidecar('<!DOCTYPE x [<!ENTITY a "b">]><x:xmpmeta xmlns:x="adobe:ns:meta/"/>', undefined, input([ALICE])),
    /DOCTYPE/,
  );
  // A broken embedded packet is just not copied.
  assert.match(planSidecar(undefined, '<broken', input([ALICE])), /Alice Example/);
});

test('invalid input is refused with the field named', () => {
  assert.throws(() => planSidecar(undefined, undefined, { ...input([ALICE]), orientation: 9 }), /orientation/);
  assert.throws(() => planSidecar(undefined, undefined, { ...input([ALICE]), imageWidth: 0 }), /imageWidth/);
  assert.throws(() => planSidecar(undefined, undefined, input([{ ...ALICE, name: 'A\u0007B' }])), /faces\.0\.name/);
  assert.throws(() => planSidecar(undefined, undefined, input([ALICE, { ...BOB, faceId: 1 }])), /duplicate faceId/);
  assert.throws(
    () => planSidecar(undefined, undefined, input([{ ...ALICE, rect: { ...ALICE.rect, width: Number.NaN } }])),
    /faces\.0\.rect\.width/,
  );
});

test('a Regions struct in nested rdf:Description form without AppliedToDimensions gets them; pixel areas count for overlap', async () => {
  const nested = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">
<mwg-rs:Regions><rdf:Description><mwg-rs:RegionList><rdf:Bag>
<rdf:li><rdf:Description mwg-rs:Name="Hal Foreign" mwg-rs:Type="Face"><mwg-rs:Area stArea:x="30" stArea:y="20" stArea:w="20" stArea:h="20" stArea:unit="pixel"/></rdf:Description></rdf:li>
</rdf:Bag></mwg-rs:RegionList></rdf:Description></mwg-rs:Regions></rdf:Description></rdf:RDF></x:xmpmeta>`;
  const plan = planSidecarDetailed(nested, undefined, input([ALICE]));
  // exifr does not read this (legal) form, so check the XML: ours appended to the same list, and
  // AppliedToDimensions added inside the nested description that holds the struct's fields.
  assert.deepEqual(plan.written, [1]);
  assert.match(
    plan.xml,
    /mwg-rs:Name="Hal Foreign"[\s\S]*mwg-rs:Name="Alice Example"[\s\S]*<\/rdf:Bag><\/mwg-rs:RegionList>/,
  );
  assert.match(
    plan.xml,
    /<\/mwg-rs:RegionList><mwg-rs:AppliedToDimensions stDim:w="160" stDim:h="120" stDim:unit="pixel"\/><\/rdf:Description><\/mwg-rs:Regions>/,
  );
  // With AppliedToDimensions now known, Hal's pixel box (x 20..40, y 10..30) blocks a face on it.
  const onHal = planSidecarDetailed(plan.xml, undefined, input([ALICE, face(3, 'Ivy Example', 20, 10, 20, 20)]));
  assert.deepEqual(onHal.written, [1]);
  assert.match(onHal.skipped[0]?.reason ?? '', /Hal Foreign/);
});
