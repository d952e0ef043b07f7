/**
 * The XMP document the sidecar writer edits, in four parts: the namespaces it knows (matched by
 * URI, never by prefix); the DOM over @xmldom/xmldom that serializes untouched nodes back as they
 * were read; just enough RDF to find properties in every form XMP allows; and the editor that adds,
 * replaces and removes properties while keeping the file's own indentation.
 */
import { type Attr, DOMParser, type Document, type Element, type Node, XMLSerializer } from '@xmldom/xmldom';

/**
 * The XMP namespaces the sidecar writer reads and writes. Properties are always matched by
 * namespace URI + local name, never by prefix: other tools may bind other prefixes.
 */
export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  x: 'adobe:ns:meta/',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  dc: 'http://purl.org/dc/elements/1.1/',
  lr: 'http://ns.adobe.com/lightroom/1.0/',
  digiKam: 'http://www.digikam.org/ns/1.0/',
  MicrosoftPhoto: 'http://ns.microsoft.com/photo/1.0/',
  mediapro: 'http://ns.iview-multimedia.com/mediapro/1.0/',
  Iptc4xmpExt: 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/',
  tiff: 'http://ns.adobe.com/tiff/1.0/',
  mwgRs: 'http://www.metadataworkinggroup.com/schemas/regions/',
  stDim: 'http://ns.adobe.com/xap/1.0/sType/Dimensions#',
  stArea: 'http://ns.adobe.com/xmp/sType/Area#',
  MP: 'http://ns.microsoft.com/photo/1.2/',
  MPRI: 'http://ns.microsoft.com/photo/1.2/t/RegionInfo#',
  MPReg: 'http://ns.microsoft.com/photo/1.2/t/Region#',
  /** Ours: the record of what facetag wrote into this sidecar (see plan.ts). */
  facetag: 'urn:facetag:xmp:1.0/',
} as const;

/** The prefix we declare for a namespace when the document has none bound to it yet. */
const PREFERRED_PREFIX: Readonly<Record<string, string>> = {
  [NS.rdf]: 'rdf',
  [NS.x]: 'x',
  [NS.dc]: 'dc',
  [NS.lr]: 'lr',
  [NS.digiKam]: 'digiKam',
  [NS.MicrosoftPhoto]: 'MicrosoftPhoto',
  [NS.mediapro]: 'mediapro',
  [NS.Iptc4xmpExt]: 'Iptc4xmpExt',
  [NS.tiff]: 'tiff',
  [NS.mwgRs]: 'mwg-rs',
  [NS.stDim]: 'stDim',
  [NS.stArea]: 'stArea',
  [NS.MP]: 'MP',
  [NS.MPRI]: 'MPRI',
  [NS.MPReg]: 'MPReg',
  [NS.facetag]: 'facetag',
};

// ---- The DOM ----
/*
 * XML plumbing over @xmldom/xmldom: a namespace-aware DOM that serializes every node it did not
 * touch back as it was read (attribute order, comments, processing instructions, whitespace),
 * so foreign content in a sidecar survives our edits.
 */

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** XMP sidecars are kilobytes; anything this big is not one. */
const MAX_XML_CHARS = 32 * 1024 * 1024;

export class XmpParseError extends Error {
  override name = 'XmpParseError';
}

/** Parses XML strictly: any error (not only fatal ones) refuses the document. */
export function parseXml(text: string, what: string): Document {
  if (text.length > MAX_XML_CHARS) throw new XmpParseError(`${what}: larger than ${MAX_XML_CHARS} characters`);
  // XMP forbids DTDs; refusing them also rules out entity-expansion tricks.
  if (/<!DOCTYPE/i.test(text)) throw new XmpParseError(`${what}: has a DOCTYPE, which XMP does not allow`);
  const source = text.replace(/^\uFEFF/, '').replace(/\0+$/, '');
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(source, 'text/xml');
    if (!doc.documentElement) throw new Error('no root element');
    return doc;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new XmpParseError(`${what}: not well-formed XML: ${message.split('\n')[0]}`);
  }
}

export function serializeXml(doc: Document): string {
  return new XMLSerializer().serializeToString(doc);
}

export function isElement(node: Node | null | undefined): node is Element {
  return node?.nodeType === ELEMENT_NODE;
}

function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (isElement(n)) out.push(n);
  return out;
}

function isNamed(el: Element, ns: string, local: string): boolean {
  return el.namespaceURI === ns && el.localName === local;
}

/** Every descendant element (document order) with this namespace and local name. */
function descendants(root: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  const visit = (el: Element): void => {
    for (const child of childElements(el)) {
      if (isNamed(child, ns, local)) out.push(child);
      visit(child);
    }
  };
  visit(root);
  return out;
}

/** The whitespace text just before a node, if that is what precedes it. */
function whitespaceBefore(node: Node): Node | undefined {
  const prev = node.previousSibling;
  return prev?.nodeType === TEXT_NODE && /^\s*$/.test(prev.nodeValue ?? '') ? prev : undefined;
}

/** The indentation of an element's own line (undefined when it does not start a line). */
function indentOf(el: Element): string | undefined {
  const ws = whitespaceBefore(el)?.nodeValue;
  if (ws === undefined || ws === null || !ws.includes('\n')) return undefined;
  return ws.slice(ws.lastIndexOf('\n') + 1);
}

function isWhitespaceText(node: Node | null): boolean {
  return node?.nodeType === TEXT_NODE && /^\s*$/.test(node.nodeValue ?? '');
}

/**
 * Appends `child` as the last child of `parent`, indented one step deeper than the parent when
 * the document is pretty-printed (a compact document stays compact).
 */
function appendIndented(parent: Element, child: Node): void {
  const doc = parent.ownerDocument;
  const parentIndent = indentOf(parent);
  if (parentIndent === undefined || !doc) {
    parent.appendChild(child);
    return;
  }
  const siblings = childElements(parent);
  const last = siblings[siblings.length - 1];
  const step = (last && indentOf(last)) ?? `${parentIndent} `;
  const closing = isWhitespaceText(parent.lastChild) ? parent.lastChild : null;
  if (closing) {
    parent.insertBefore(doc.createTextNode(`\n${step}`), closing);
    parent.insertBefore(child, closing);
  } else if (!parent.firstChild) {
    parent.appendChild(doc.createTextNode(`\n${step}`));
    parent.appendChild(child);
    parent.appendChild(doc.createTextNode(`\n${parentIndent}`));
  } else {
    parent.appendChild(child);
    return;
  }
  if (isElement(child)) indentSubtree(child, step);
}

/** Indents a freshly built subtree (which has no whitespace of its own) below `indent`. */
function indentSubtree(el: Element, indent: string): void {
  const kids = childElements(el);
  if (kids.length === 0 || kids.length !== countChildNodes(el)) return;
  const doc = el.ownerDocument;
  if (!doc) return;
  const inner = `${indent} `;
  for (const kid of kids) {
    el.insertBefore(doc.createTextNode(`\n${inner}`), kid);
    indentSubtree(kid, inner);
  }
  el.appendChild(doc.createTextNode(`\n${indent}`));
}

function countChildNodes(el: Element): number {
  let n = 0;
  for (let c = el.firstChild; c; c = c.nextSibling) n++;
  return n;
}

/** Removes a node and the indentation in front of it. */
function removeIndented(node: Node): void {
  const parent = node.parentNode;
  if (!parent) return;
  const ws = whitespaceBefore(node);
  if (ws) parent.removeChild(ws);
  parent.removeChild(node);
}

/**
 * The prefix bound to `ns` where `context` sits, declaring one on `declareOn` (`context` or an
 * ancestor of it) when none is bound: the preferred prefix, or the first free `prefixN`.
 */
function prefixFor(context: Element, declareOn: Element, ns: string): string {
  const existing = context.lookupPrefix(ns);
  if (existing) return existing;
  const preferred = PREFERRED_PREFIX[ns] ?? 'ns';
  let candidate = preferred;
  for (
    let i = 1;
    context.lookupNamespaceURI(candidate) !== null || declareOn.lookupNamespaceURI(candidate) !== null;
    i++
  ) {
    candidate = `${preferred}${i}`;
  }
  declareOn.setAttributeNS(NS.xmlns, `xmlns:${candidate}`, ns);
  return candidate;
}

/** One attribute of a node being built: namespace, local name, value. */
export type AttrSpec = readonly [ns: string, local: string, value: string];

/**
 * Builds new nodes that will be inserted under `context`. Prefixes are resolved once at that
 * point (declared on `declareOn` when missing), so the new subtree never redeclares namespaces.
 */
export class NodeBuilder {
  private readonly prefixes = new Map<string, string>();

  constructor(
    private readonly doc: Document,
    private readonly context: Element,
    private readonly declareOn: Element,
  ) {}

  qname(ns: string, local: string): string {
    let prefix = this.prefixes.get(ns);
    if (prefix === undefined) {
      prefix = prefixFor(this.context, this.declareOn, ns);
      this.prefixes.set(ns, prefix);
    }
    return `${prefix}:${local}`;
  }

  /** An element with attributes and children (strings become text). */
  element(
    ns: string,
    local: string,
    attrs: readonly AttrSpec[] = [],
    children: readonly (Node | string)[] = [],
  ): Element {
    const el = this.doc.createElementNS(ns, this.qname(ns, local));
    for (const [ans, alocal, value] of attrs) el.setAttributeNS(ans, this.qname(ans, alocal), value);
    for (const child of children) el.appendChild(typeof child === 'string' ? this.doc.createTextNode(child) : child);
    return el;
  }
}

/** Puts `next` where `old` is, indented as `old` was. */
function replaceIndented(old: Element, next: Element): void {
  const parent = old.parentNode;
  if (!parent) return;
  const indent = indentOf(old);
  parent.insertBefore(next, old);
  parent.removeChild(old);
  if (indent !== undefined) indentSubtree(next, indent);
}

// ---- RDF ----
/*
 * Just enough of XMP's RDF/XML to read and edit the properties we care about, in every form the
 * serialization allows: a simple value as an attribute or as element text; a struct as
 * `rdf:parseType="Resource"` children, as attributes on an empty property element, or as a nested
 * `rdf:Description`; arrays as `rdf:Bag`/`rdf:Seq`/`rdf:Alt` of `rdf:li`. Top-level properties
 * may sit in any of several `rdf:Description` elements (exiftool writes one per namespace).
 */

/** A property as found: an attribute on its owner, or an element. */
export type RdfProp =
  | { readonly kind: 'attr'; readonly owner: Element; readonly attr: Attr }
  | { readonly kind: 'element'; readonly el: Element };

/** The rdf:RDF element of an XMP document (under x:xmpmeta, the legacy x:xapmeta, or as the root). */
function findRdfRoot(doc: Document): Element | undefined {
  const root = doc.documentElement;
  if (!root) return undefined;
  if (isNamed(root, NS.rdf, 'RDF')) return root;
  return descendants(root, NS.rdf, 'RDF')[0];
}

/** The top-level rdf:Description elements. */
function topDescriptions(rdf: Element): Element[] {
  return childElements(rdf).filter((el) => isNamed(el, NS.rdf, 'Description'));
}

/** The elements that hold a node's fields: the node itself and any nested rdf:Description. */
export function fieldHolders(node: Element): Element[] {
  return [node, ...childElements(node).filter((el) => isNamed(el, NS.rdf, 'Description'))];
}

/** The first field `ns:local` among the holders, as attribute or element. */
export function findField(holders: readonly Element[], ns: string, local: string): RdfProp | undefined {
  for (const holder of holders) {
    const attr = holder.getAttributeNodeNS(ns, local);
    if (attr) return { kind: 'attr', owner: holder, attr };
    const el = childElements(holder).find((child) => isNamed(child, ns, local));
    if (el) return { kind: 'element', el };
  }
  return undefined;
}

/** A struct-valued field's element (attributes cannot hold structs). */
export function findStructField(holders: readonly Element[], ns: string, local: string): Element | undefined {
  const prop = findField(holders, ns, local);
  return prop?.kind === 'element' ? prop.el : undefined;
}

/** The text of a simple value (an `rdf:value` qualifier form included). */
export function textOf(prop: RdfProp | undefined): string | undefined {
  if (!prop) return undefined;
  if (prop.kind === 'attr') return prop.attr.value;
  return elementText(prop.el);
}

/** The text of an element holding a simple value: `rdf:resource`, `rdf:value`, or its text. */
export function elementText(el: Element): string {
  const resource = el.getAttributeNodeNS(NS.rdf, 'resource');
  if (resource) return resource.value;
  const kids = childElements(el);
  if (kids.length > 0 || el.getAttributeNodeNS(NS.rdf, 'value')) {
    const value = textOf(findField(fieldHolders(el), NS.rdf, 'value'));
    if (value !== undefined) return value;
  }
  return el.textContent ?? '';
}

/** The rdf:Bag/Seq/Alt inside an array property element, if it has one. */
export function arrayContainer(propEl: Element): Element | undefined {
  return childElements(propEl).find(
    (el) => isNamed(el, NS.rdf, 'Bag') || isNamed(el, NS.rdf, 'Seq') || isNamed(el, NS.rdf, 'Alt'),
  );
}

/** The rdf:li items of a container. */
export function arrayItems(container: Element): Element[] {
  return childElements(container).filter((el) => isNamed(el, NS.rdf, 'li'));
}

/** The text values of an array property (a lone simple value counts as a one-item array). */
export function arrayValues(prop: RdfProp | undefined): string[] {
  if (!prop) return [];
  if (prop.kind === 'attr') return [prop.attr.value];
  const container = arrayContainer(prop.el);
  if (!container) {
    const text = elementText(prop.el);
    return text.trim() === '' ? [] : [text];
  }
  return arrayItems(container).map(elementText);
}

/** The first top-level property `ns:local` in any of the descriptions. */
export function findTopProp(descriptions: readonly Element[], ns: string, local: string): RdfProp | undefined {
  for (const desc of descriptions) {
    const prop = findField([desc], ns, local);
    if (prop) return prop;
  }
  return undefined;
}

/** The top-level description an element belongs to (where new namespaces are declared). */
function owningDescription(el: Element, rdf: Element): Element {
  let node: Element = el;
  while (isElement(node.parentNode) && node.parentNode !== rdf) node = node.parentNode;
  return node;
}

/** Whether an attribute is RDF syntax or a namespace declaration rather than a property. */
function isSyntaxAttr(attr: Attr): boolean {
  return (
    attr.namespaceURI === NS.xmlns || attr.namespaceURI === NS.rdf || attr.name === 'xml:lang' || attr.prefix === 'xml'
  );
}

/**
 * An XMP document being edited: its rdf:RDF, top-level descriptions, the description new
 * properties go into, and whether anything changed (an unchanged sidecar is left byte for byte).
 */
export class XmpEditor {
  readonly rdf: Element;
  readonly descriptions: Element[];
  /** Where new top-level properties go: the first rdf:Description. */
  readonly target: Element;
  changed = false;

  constructor(
    readonly doc: Document,
    what: string,
  ) {
    const rdf = findRdfRoot(doc);
    if (!rdf) throw new XmpParseError(`${what}: no rdf:RDF element, so not an XMP packet`);
    this.rdf = rdf;
    let descriptions = topDescriptions(rdf);
    if (descriptions.length === 0) {
      const b = new NodeBuilder(doc, rdf, rdf);
      // Not a change by itself: an empty description says nothing, and is written only with ours.
      appendIndented(rdf, b.element(NS.rdf, 'Description', [[NS.rdf, 'about', '']]));
      descriptions = topDescriptions(rdf);
    }
    this.descriptions = descriptions;
    this.target = descriptions[0] as Element;
  }

  /** A builder for nodes to be inserted under `context`. */
  builder(context: Element): NodeBuilder {
    return new NodeBuilder(this.doc, context, owningDescription(context, this.rdf));
  }

  append(parent: Element, child: Node): void {
    appendIndented(parent, child);
    this.changed = true;
  }

  remove(node: Node): void {
    removeIndented(node);
    this.changed = true;
  }

  replace(old: Element, next: Element): void {
    replaceIndented(old, next);
    this.changed = true;
  }

  /** Copies a node from another document (the embedded XMP) under `parent`. */
  adopt(parent: Element, node: Element): Element {
    const copy = this.doc.importNode(node, true) as Element;
    this.append(parent, copy);
    return copy;
  }

  /**
   * The element to add fields to in a struct-valued property: its nested rdf:Description, or the
   * element itself in `rdf:parseType="Resource"` form (an empty element is turned into that form;
   * one carrying its fields as attributes gets them moved into a nested rdf:Description).
   */
  structBody(el: Element): Element {
    const nested = childElements(el).find((child) => isNamed(child, NS.rdf, 'Description'));
    if (nested) return nested;
    if (el.getAttributeNS(NS.rdf, 'parseType') === 'Resource' || childElements(el).length > 0) return el;
    const declareOn = owningDescription(el, this.rdf);
    const fields = [...el.attributes].filter((a) => !isSyntaxAttr(a));
    while (el.firstChild) el.removeChild(el.firstChild);
    this.changed = true;
    if (fields.length === 0) {
      el.setAttributeNS(NS.rdf, `${prefixFor(el, declareOn, NS.rdf)}:parseType`, 'Resource');
      return el;
    }
    const desc = this.builder(el).element(NS.rdf, 'Description');
    for (const attr of fields) {
      el.removeAttributeNode(attr);
      desc.setAttributeNS(attr.namespaceURI, attr.name, attr.value);
    }
    appendIndented(el, desc);
    return desc;
  }

  /** Whether a struct holds fields other than the listed ones (ns, local pairs). */
  hasOtherFields(el: Element, allowed: readonly (readonly [string, string])[]): boolean {
    const isAllowed = (ns: string | null, local: string | null): boolean =>
      allowed.some(([a, b]) => a === ns && b === local);
    for (const holder of [el, ...childElements(el).filter((c) => isNamed(c, NS.rdf, 'Description'))]) {
      for (const attr of holder.attributes) {
        if (!isSyntaxAttr(attr) && !isAllowed(attr.namespaceURI, attr.localName)) return true;
      }
      for (const child of childElements(holder)) {
        if (holder === el && isNamed(child, NS.rdf, 'Description')) continue;
        if (!isAllowed(child.namespaceURI, child.localName)) return true;
      }
    }
    return false;
  }
}
