import { NS } from './namespaces.js';

/**
 * The keyword fields we write (spec §0 and §3.2 step 5), and the pure rules for editing them:
 * add ours, remove only what we added, and seed a field we create from the keywords the photo
 * already has, so that readers which take the first non-empty field lose nothing.
 */

export type KeywordField = 'subject' | 'hierarchicalSubject' | 'tagsList' | 'personInImage';

export interface KeywordFieldSpec {
  readonly ns: string;
  readonly local: string;
  readonly container: 'Bag' | 'Seq';
  /**
   * The entry this field gets for a person, or undefined when the field cannot carry the name
   * (the name is then left out of this field alone; the regions still carry it exactly).
   */
  readonly entry: (name: string) => string | undefined;
  /** How a keyword path (segments) is written in this field; undefined: the field is never seeded. */
  readonly fromPath: ((path: readonly string[]) => string) | undefined;
}

export const KEYWORD_FIELDS: Readonly<Record<KeywordField, KeywordFieldSpec>> = {
  subject: {
    ns: NS.dc,
    local: 'subject',
    container: 'Bag',
    entry: (name) => name,
    // A flat field gets the leaf, as Lightroom and digiKam write dc:subject.
    fromPath: (path) => path[path.length - 1] ?? '',
  },
  hierarchicalSubject: {
    ns: NS.lr,
    local: 'hierarchicalSubject',
    container: 'Bag',
    // `|` is this field's separator and no reader knows an escape for it: "a|b" would become a
    // tag "b" under "a". Such a name stays out of this field; TagsList and dc:subject carry it.
    entry: (name) => (name.includes('|') ? undefined : `People|${name}`),
    fromPath: (path) => path.join('|'),
  },
  tagsList: {
    ns: NS.digiKam,
    local: 'TagsList',
    container: 'Seq',
    // `/` is this field's separator. digiKam itself turns `/` in a face's name into `\` (spec
    // §1.4), so `People/a\b` is the tag digiKam gives the face "a/b": we write that.
    entry: (name) => `People/${name.replaceAll('/', '\\')}`,
    fromPath: (path) => path.join('/'),
  },
  personInImage: {
    ns: NS.Iptc4xmpExt,
    local: 'PersonInImage',
    container: 'Bag',
    entry: (name) => name,
    fromPath: undefined,
  },
};

export const KEYWORD_FIELD_NAMES = Object.keys(KEYWORD_FIELDS) as KeywordField[];

/** A field keywords can be seeded from, in digiKam's read order (spec §1.4, §3.2 step 5). */
export interface SeedSourceSpec {
  readonly ns: string;
  readonly local: string;
  /** Path separator; undefined for a flat field. */
  readonly separator: '/' | '|' | undefined;
  /** Which of our fields this is, so that our own entries are never taken for the user's. */
  readonly ours: KeywordField | undefined;
}

export const SEED_SOURCES: readonly SeedSourceSpec[] = [
  { ns: NS.digiKam, local: 'TagsList', separator: '/', ours: 'tagsList' },
  { ns: NS.MicrosoftPhoto, local: 'LastKeywordXMP', separator: '/', ours: undefined },
  // exiftool's spelling of the same namespace, without the trailing slash.
  { ns: NS.MicrosoftPhoto.slice(0, -1), local: 'LastKeywordXMP', separator: '/', ours: undefined },
  { ns: NS.lr, local: 'hierarchicalSubject', separator: '|', ours: 'hierarchicalSubject' },
  { ns: NS.lr, local: 'HierarchicalSubject', separator: '|', ours: undefined },
  { ns: NS.mediapro, local: 'CatalogSets', separator: '|', ours: undefined },
  { ns: NS.dc, local: 'subject', separator: undefined, ours: 'subject' },
];

/**
 * The entries a newly created field starts with: the first non-empty source's keywords (each a
 * path of segments), written in the target field's form, without duplicates.
 */
export function seedEntries(field: KeywordField, sourcePaths: readonly (readonly string[])[]): string[] {
  const fromPath = KEYWORD_FIELDS[field].fromPath;
  if (!fromPath) return [];
  const out: string[] = [];
  for (const path of sourcePaths) {
    const entry = fromPath(path);
    if (entry !== '' && !out.includes(entry)) out.push(entry);
  }
  return out;
}

/** Splits a keyword into its path segments. */
export function keywordPath(value: string, separator: '/' | '|' | undefined): string[] {
  const segments = separator ? value.split(separator) : [value];
  return segments.map((s) => s.trim()).filter((s) => s !== '');
}

export interface FieldEdit {
  /** Entries to take out: ours that no longer apply. */
  readonly remove: readonly string[];
  /** Entries to append. */
  readonly add: readonly string[];
  /** Entries of this field we own afterwards. */
  readonly owned: readonly string[];
}

/**
 * How one keyword field changes. `current` is what the field holds now, `ownedBefore` what our
 * record says we added, `desired` the entries our faces need. We only ever remove entries we
 * added and that are still there; an entry that was already present when we wanted it (the
 * user's, or another tool's) is never ours, so never removed.
 */
export function planField(
  current: readonly string[],
  ownedBefore: readonly string[],
  desired: readonly string[],
): FieldEdit {
  const present = new Set(current);
  const owned = new Set(ownedBefore.filter((e) => present.has(e)));
  const want = new Set(desired);
  const remove = [...owned].filter((e) => !want.has(e));
  const add: string[] = [];
  for (const e of desired) if (!present.has(e) && !add.includes(e)) add.push(e);
  const keep = [...owned].filter((e) => want.has(e));
  return { remove, add, owned: [...keep, ...add] };
}
