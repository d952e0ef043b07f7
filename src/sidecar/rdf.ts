import type { Attr, Document, Element } from '@xmldom/xmldom';
import { NS } from './namespaces.js';
import { childElements, descendants, isElement, isNamed } from './xml-dom.js';

/**
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
export function findRdfRoot(doc: Document): Element | undefined {
  const root = doc.documentElement;
  if (!root) return undefined;
  if (isNamed(root, NS.rdf, 'RDF')) return root;
  return descendants(root, NS.rdf, 'RDF')[0];
}

/** The top-level rdf:Description elements. */
export function topDescriptions(rdf: Element): Element[] {
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
export function owningDescription(el: Element, rdf: Element): Element {
  let node: Element = el;
  while (isElement(node.parentNode) && node.parentNode !== rdf) node = node.parentNode;
  return node;
}

/** Whether an attribute is RDF syntax or a namespace declaration rather than a property. */
export function isSyntaxAttr(attr: Attr): boolean {
  return (
    attr.namespaceURI === NS.xmlns || attr.namespaceURI === NS.rdf || attr.name === 'xml:lang' || attr.prefix === 'xml'
  );
}
