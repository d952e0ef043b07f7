import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { exifDateTime, exifTakenAt } from '../../src/vision/exif.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';
import { exiftoolMissing } from '../helpers/sidecar-names.js';

const execFileP = promisify(execFile);

test('EXIF date-times are read as wall-clock UTC; blanks, zeros and impossible dates are null', () => {
  assert.equal(exifDateTime('2017:06:30 18:45:10'), Date.UTC(2017, 5, 30, 18, 45, 10));
  assert.equal(exifDateTime('2020:02:29 00:00:00'), Date.UTC(2020, 1, 29));
  for (const bad of ['0000:00:00 00:00:00', '    :  :     :  :  ', '2019:02:30 10:00:00', '2019:13:01 10:00:00', ''])
    assert.equal(exifDateTime(bad), null, bad);
});

test('no EXIF, or EXIF without a date, gives null', () => {
  assert.equal(exifTakenAt(undefined), null);
  assert.equal(exifTakenAt(new Uint8Array(20)), null);
});

test('the date taken comes from DateTimeOriginal, else the digitized time, else IFD0 DateTime (as exiftool wrote them)', {
  skip: await exiftoolMissing(),
}, async () => {
  const dir = await tmpDir('facetag-exif-date-');
  try {
    const photo = join(dir, 'p.jpg');
    const cases: [string[], number | null][] = [
      [[], null],
      [['-ModifyDate=2015:03:04 05:06:07'], Date.UTC(2015, 2, 4, 5, 6, 7)],
      [['-CreateDate=2016:04:05 06:07:08', '-ModifyDate=2015:03:04 05:06:07'], Date.UTC(2016, 3, 5, 6, 7, 8)],
      [
        ['-DateTimeOriginal=2017:06:30 18:45:10', '-CreateDate=2016:04:05 06:07:08', '-ModifyDate=2015:03:04 05:06:07'],
        Date.UTC(2017, 5, 30, 18, 45, 10),
      ],
    ];
    for (const [tags, want] of cases) {
      await copyFile(join(sharedDir, 'data', 'library', 'photos', '2019', '01', 'IMG_0003.jpg'), photo);
      await execFileP('exiftool', ['-all=', '-overwrite_original', photo]);
      if (tags.length) await execFileP('exiftool', [...tags, '-overwrite_original', photo]);
      const { exif } = await sharp(await readFile(photo)).metadata();
      assert.equal(exifTakenAt(exif), want, tags.join(' ') || 'no tags');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
