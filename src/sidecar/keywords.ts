/**
 * Person keywords in a sidecar: the fields written and their pure rules (first half), then the
 * edit of those fields in the document, ours added or removed and everyone else's kept (second half).
 */

import type { Element } from '@xmldom/xmldom';
import type { KeywordField, Provenance } from './types.js';
import {
  arrayContainer,
  arrayItems,
  arrayValues,
  elementText,
  findTopProp,
  NS,
  type RdfProp,
  type XmpEditor,
} from './xmp-document.js';

// ---- Keyword fields and their rules ----
/*
 * The keyword fields we write (spec §0 and §3.2 step 5), and the pure rules for editing them:
 * add ours, remove only what we added, and seed a field we create from the keywords the photo
 * already has, so that readers which take the first non-empty field lose nothing.
 */

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

const SEED_SOURCES: readonly SeedSourceSpec[] = [
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
function seedEntries(field: KeywordField, sourcePaths: readonly (readonly string[])[]): string[] {
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
function keywordPath(value: string, separator: '/' | '|' | undefined): string[] {
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
function planField(current: readonly string[], ownedBefore: readonly string[], desired: readonly string[]): FieldEdit {
  const present = new Set(current);
  const owned = new Set(ownedBefore.filter((e) => present.has(e)));
  const want = new Set(desired);
  const remove = [...owned].filter((e) => !want.has(e));
  const add: string[] = [];
  for (const e of desired) if (!present.has(e) && !add.includes(e)) add.push(e);
  const keep = [...owned].filter((e) => want.has(e));
  return { remove, add, owned: [...keep, ...add] };
}

// ---- The fields' edit in the document ----

/**
 * Edits dc:subject, lr:hierarchicalSubject, digiKam:TagsList and Iptc4xmpExt:PersonInImage so
 * that they name exactly our people plus whatever else they held (spec §3.2 step 5). Returns the
 * entries we own afterwards, per field, and the seed entries of the fields we created. A field we
 * created goes with our last entry when it holds only what we seeded it with: the fields then read
 * as before we came (a stale copy would hide the user's later keyword changes from digiKam and
 * Immich, which read TagsList first).
 */
export function applyKeywords(
  ed: XmpEditor,
  seed: readonly Element[] | undefined,
  names: readonly string[],
  record: Provenance,
  iptcKeywords: readonly string[],
): { owned: Record<KeywordField, string[]>; seeded: Record<KeywordField, string[]> } {
  if (iptcKeywords.length > 0) carryIptc(ed, iptcKeywords);
  const seedPaths = userKeywordPaths(ed, seed, record, iptcKeywords);
  const owned = {} as Record<KeywordField, string[]>;
  const seeded = {} as Record<KeywordField, string[]>;
  for (const field of KEYWORD_FIELD_NAMES) {
    const spec = KEYWORD_FIELDS[field];
    const desired = names.map(spec.entry).filter((e): e is string => e !== undefined);
    const prop = findTopProp(ed.descriptions, spec.ns, spec.local);
    const current = arrayValues(prop);
    if (current.length > 0) {
      const edit = planField(current, record.keywords[field], desired);
      if (edit.add.length > 0 || edit.remove.length > 0) editField(ed, prop as RdfProp, field, edit.remove, edit.add);
      owned[field] = [...edit.owned];
      seeded[field] = edit.owned.length > 0 ? [...record.seeded[field]] : [];
      if (edit.owned.length === 0 && record.seeded[field].length > 0) dropIfOnly(ed, field, record.seeded[field]);
      continue;
    }
    // An empty field hides nothing yet; creating one would (readers take the first non-empty
    // field and stop), so a new field starts with the keywords the photo already shows.
    const fromEmbedded = seed ? arrayValues(findTopProp(seed, spec.ns, spec.local)) : [];
    const seeds = dedupe([...fromEmbedded, ...seedEntries(field, seedPaths)]);
    const edit = planField(seeds, record.keywords[field], desired);
    owned[field] = [...edit.owned];
    seeded[field] = edit.add.length > 0 ? seeds : [];
    if (edit.add.length === 0) continue;
    const entries = [...seeds, ...edit.add];
    if (prop) {
      const container = containerOf(ed, prop, field);
      for (const entry of entries) ed.append(container, ed.builder(container).element(NS.rdf, 'li', [], [entry]));
    } else {
      const b = ed.builder(ed.target);
      const items = entries.map((e) => b.element(NS.rdf, 'li', [], [e]));
      ed.append(ed.target, b.element(spec.ns, spec.local, [], [b.element(NS.rdf, spec.container, [], items)]));
    }
  }
  return { owned, seeded };
}

/** Removes a keyword field we created if it holds exactly the entries we seeded it with. */
function dropIfOnly(ed: XmpEditor, field: KeywordField, seeds: readonly string[]): void {
  const spec = KEYWORD_FIELDS[field];
  const prop = findTopProp(ed.descriptions, spec.ns, spec.local);
  const left = arrayValues(prop);
  if (!prop || left.length !== seeds.length || !left.every((e) => seeds.includes(e))) return;
  if (prop.kind === 'element') {
    ed.remove(prop.el);
  } else {
    prop.owner.removeAttributeNode(prop.attr);
    ed.changed = true;
  }
}

/**
 * The keywords the photo shows, as paths, from the first non-empty field in digiKam's read
 * order (the sidecar's, else the embedded XMP's), else its IPTC keywords. Our own entries are
 * left out: they are ours to add, not the user's to keep.
 */
function userKeywordPaths(
  ed: XmpEditor,
  seed: readonly Element[] | undefined,
  record: Provenance,
  iptcKeywords: readonly string[],
): string[][] {
  for (const source of SEED_SOURCES) {
    const ours = new Set(source.ours ? record.keywords[source.ours] : []);
    let values = arrayValues(findTopProp(ed.descriptions, source.ns, source.local)).filter((v) => !ours.has(v));
    if (values.length === 0 && seed) values = arrayValues(findTopProp(seed, source.ns, source.local));
    if (values.length > 0) return values.map((v) => keywordPath(v, source.separator)).filter((p) => p.length > 0);
  }
  return iptcKeywords.map((k) => [k]);
}

/** IPTC-only keywords join dc:subject when a sidecar is started (spec §3.2 step 2). */
function carryIptc(ed: XmpEditor, keywords: readonly string[]): void {
  const prop = findTopProp(ed.descriptions, NS.dc, 'subject');
  const current = new Set(arrayValues(prop));
  const missing = dedupe(keywords.filter((k) => k.trim() !== '' && !current.has(k)));
  if (missing.length === 0) return;
  if (prop) {
    editField(ed, prop, 'subject', [], missing);
    return;
  }
  const b = ed.builder(ed.target);
  const items = missing.map((k) => b.element(NS.rdf, 'li', [], [k]));
  ed.append(ed.target, b.element(NS.dc, 'subject', [], [b.element(NS.rdf, 'Bag', [], items)]));
}

/** Removes and appends entries; a field we emptied goes away. */
function editField(
  ed: XmpEditor,
  prop: RdfProp,
  field: KeywordField,
  remove: readonly string[],
  add: readonly string[],
): void {
  const container = containerOf(ed, prop, field);
  const drop = new Set(remove);
  let removed = 0;
  for (const li of arrayItems(container)) {
    if (!drop.has(elementText(li))) continue;
    ed.remove(li);
    removed++;
  }
  for (const entry of add) ed.append(container, ed.builder(container).element(NS.rdf, 'li', [], [entry]));
  if (removed > 0 && arrayItems(container).length === 0) {
    const propEl = container.parentNode as Element;
    ed.remove(propEl);
  }
}

/**
 * The array container of a keyword property, turning a lone simple value (an attribute or
 * element text, which some writers use for a single keyword) into a proper array first.
 */
function containerOf(ed: XmpEditor, prop: RdfProp, field: KeywordField): Element {
  const spec = KEYWORD_FIELDS[field];
  if (prop.kind === 'element') {
    const existing = arrayContainer(prop.el);
    if (existing) return existing;
  }
  const value = prop.kind === 'attr' ? prop.attr.value : elementText(prop.el);
  const owner = prop.kind === 'attr' ? prop.owner : (prop.el.parentNode as Element);
  const b = ed.builder(owner);
  const container = b.element(
    NS.rdf,
    spec.container,
    [],
    value.trim() === '' ? [] : [b.element(NS.rdf, 'li', [], [value])],
  );
  const propEl = b.element(spec.ns, spec.local, [], [container]);
  if (prop.kind === 'attr') {
    owner.removeAttributeNode(prop.attr);
    ed.append(owner, propEl);
  } else {
    ed.replace(prop.el, propEl);
  }
  return container;
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}
