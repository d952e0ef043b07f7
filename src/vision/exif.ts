/**
 * The two EXIF facts facetag reads, from sharp's raw EXIF block: the orientation, and when the
 * photo was taken: DateTimeOriginal, else DateTimeDigitized (the Exif IFD), else IFD0's DateTime. EXIF times carry no zone (OffsetTime* is rare and often wrong), so
 * the wall-clock time is kept as if it were UTC: a photo taken at 00:30 on 1 January is filed under
 * January wherever it is shown. Pure; reads sharp's raw block, with or without "Exif\0\0".
 */

const IFD0_DATETIME = 0x0132;
const EXIF_IFD_POINTER = 0x8769;
const DATETIME_ORIGINAL = 0x9003;
const DATETIME_DIGITIZED = 0x9004;
const ORIENTATION = 0x0112;
const ASCII = 2;
const SHORT = 3;
const LONG = 4;

interface Tiff {
  readonly view: DataView;
  readonly bytes: Uint8Array;
  /** Offset of the TIFF header: IFD offsets count from it. */
  readonly base: number;
  readonly le: boolean;
}

type Entry = { readonly type: number; readonly count: number; readonly at: number };

/** The entries of the IFD at `offset` (relative to the TIFF header), by tag. */
function ifd(t: Tiff, offset: number): Map<number, Entry> {
  const entries = new Map<number, Entry>();
  const start = t.base + offset;
  if (offset < 8 || start + 2 > t.bytes.length) return entries;
  const count = t.view.getUint16(start, t.le);
  for (let i = 0; i < count; i++) {
    const at = start + 2 + i * 12;
    if (at + 12 > t.bytes.length) break;
    entries.set(t.view.getUint16(at, t.le), {
      type: t.view.getUint16(at + 2, t.le),
      count: t.view.getUint32(at + 4, t.le),
      at: at + 8,
    });
  }
  return entries;
}

type Sextet = [number, number, number, number, number, number];

/** "YYYY:MM:DD HH:MM:SS" as UTC milliseconds, or null for blanks, zeros and nonsense. */
export function exifDateTime(text: string): number | null {
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) return null;
  // The six groups are all mandatory: a match has every one.
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as Sextet;
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  // 31 February and the like roll over: refuse them.
  return new Date(ms).getUTCDate() === day ? ms : null;
}

function dateOf(t: Tiff, e: Entry | undefined): number | null {
  if (!e || e.type !== ASCII || e.count < 19) return null;
  const at = e.count > 4 ? t.base + t.view.getUint32(e.at, t.le) : e.at;
  if (at + 19 > t.bytes.length) return null;
  return exifDateTime(String.fromCharCode(...t.bytes.subarray(at, at + 19)));
}

/** The TIFF structure inside sharp's raw EXIF block, with or without its "Exif\0\0" prefix. */
function tiffOf(exif: Uint8Array | undefined): Tiff | undefined {
  if (!exif || exif.length < 14) return undefined;
  const text = (from: number, to: number) => String.fromCharCode(...exif.subarray(from, to));
  const base = text(0, 6) === 'Exif\0\0' ? 6 : 0;
  const order = text(base, base + 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  return { view: new DataView(exif.buffer, exif.byteOffset, exif.byteLength), bytes: exif, base, le: order === 'II' };
}

const ifd0Of = (t: Tiff): Map<number, Entry> => ifd(t, t.view.getUint32(t.base + 4, t.le));

/** The EXIF orientation tag as found (1..8 when valid), or undefined when there is none. */
export function exifOrientation(exif: Uint8Array | undefined): number | undefined {
  const t = tiffOf(exif);
  const e = t && ifd0Of(t).get(ORIENTATION);
  return t && e && e.type === SHORT ? t.view.getUint16(e.at, t.le) : undefined;
}

export function exifTakenAt(exif: Uint8Array | undefined): number | null {
  const t = tiffOf(exif);
  if (!t) return null;
  const ifd0 = ifd0Of(t);
  const pointer = ifd0.get(EXIF_IFD_POINTER);
  const exifIfd =
    pointer && pointer.type === LONG ? ifd(t, t.view.getUint32(pointer.at, t.le)) : new Map<number, Entry>();
  return (
    dateOf(t, exifIfd.get(DATETIME_ORIGINAL)) ??
    dateOf(t, exifIfd.get(DATETIME_DIGITIZED)) ??
    dateOf(t, ifd0.get(IFD0_DATETIME))
  );
}
