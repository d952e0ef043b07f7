import { createHash } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { NS } from './namespaces.js';
import { isElement } from './xml-dom.js';

/**
 * A digest of what a sidecar says apart from facetag's own record: every top-level property of
 * every description, in a form that ignores layout (prefixes, indentation, attribute or element
 * form, order, how properties are split over descriptions). When facetag creates a sidecar it
 * records the digest of what would be left without its own additions (the photo's embedded XMP
 * and IPTC keywords it copied, or nothing); when its last name goes and what is left still has
 * that digest, nobody else has added anything, so the file can be deleted without loss.
 */
export function residueDigest(descriptions: readonly Element[]): string {
  const props: string[] = [];
  for (const d of descriptions) {
    for (const attr of d.attributes) {
      if (attr.namespaceURI === NS.xmlns || attr.namespaceURI === NS.facetag) continue;
      if (attr.namespaceURI === NS.rdf && attr.localName === 'about') continue;
      props.push(canonical(attr.namespaceURI, attr.localName, [], [JSON.stringify(attr.value)]));
    }
    for (const child of d.childNodes) {
      if (isElement(child) && child.namespaceURI !== NS.facetag) props.push(canonicalElement(child));
    }
  }
  return createHash('sha256').update(props.sort().join('\n')).digest('hex').slice(0, 32);
}

const TEXT = 3;
const CDATA = 4;

function canonicalElement(el: Element): string {
  const attrs: string[] = [];
  for (const attr of el.attributes) {
    if (attr.namespaceURI !== NS.xmlns)
      attrs.push(`@${attr.namespaceURI} ${attr.localName}=${JSON.stringify(attr.value)}`);
  }
  const body: string[] = [];
  for (const node of el.childNodes) {
    if (isElement(node)) body.push(canonicalElement(node));
    else if (node.nodeType === TEXT || node.nodeType === CDATA) {
      const text = node.nodeValue ?? '';
      if (text.trim() !== '') body.push(JSON.stringify(text));
    }
  }
  // A simple property written as an element with only text says what the attribute form says.
  if (attrs.length === 0 && body.length === 1 && !body[0]?.startsWith('(')) {
    return canonical(el.namespaceURI, el.localName, [], body);
  }
  return canonical(el.namespaceURI, el.localName, attrs.sort(), body);
}

const canonical = (
  ns: string | null,
  local: string | null,
  attrs: readonly string[],
  body: readonly string[],
): string => `(${ns ?? ''} ${local ?? ''}${attrs.map((a) => ` ${a}`).join('')}${body.map((b) => ` ${b}`).join('')})`;
