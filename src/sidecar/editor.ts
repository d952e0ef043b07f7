import type { Document, Element, Node } from '@xmldom/xmldom';
import { NS } from './namespaces.js';
import { findRdfRoot, isSyntaxAttr, owningDescription, topDescriptions } from './rdf.js';
import {
  appendIndented,
  childElements,
  isNamed,
  NodeBuilder,
  prefixFor,
  removeIndented,
  replaceIndented,
  XmpParseError,
} from './xml-dom.js';

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
