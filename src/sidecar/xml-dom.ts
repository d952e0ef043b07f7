import { DOMParser, type Document, type Element, type Node, XMLSerializer } from '@xmldom/xmldom';
import { NS, PREFERRED_PREFIX } from './namespaces.js';

/**
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

export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (isElement(n)) out.push(n);
  return out;
}

export function isNamed(el: Element, ns: string, local: string): boolean {
  return el.namespaceURI === ns && el.localName === local;
}

/** Every descendant element (document order) with this namespace and local name. */
export function descendants(root: Element, ns: string, local: string): Element[] {
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
export function appendIndented(parent: Element, child: Node): void {
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
export function removeIndented(node: Node): void {
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
export function prefixFor(context: Element, declareOn: Element, ns: string): string {
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
export function replaceIndented(old: Element, next: Element): void {
  const parent = old.parentNode;
  if (!parent) return;
  const indent = indentOf(old);
  parent.insertBefore(next, old);
  parent.removeChild(old);
  if (indent !== undefined) indentSubtree(next, indent);
}
