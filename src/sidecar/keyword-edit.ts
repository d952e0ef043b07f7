import type { Element } from '@xmldom/xmldom';
import type { XmpEditor } from './editor.js';
import {
  KEYWORD_FIELD_NAMES,
  KEYWORD_FIELDS,
  type KeywordField,
  keywordPath,
  planField,
  SEED_SOURCES,
  seedEntries,
} from './keywords.js';
import { NS } from './namespaces.js';
import type { Provenance } from './provenance.js';
import { arrayContainer, arrayItems, arrayValues, elementText, findTopProp, type RdfProp } from './rdf.js';

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
