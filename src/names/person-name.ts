/**
 * The one rule for what a person's name may be. Every way a name enters (the HTTP API, `facetag
 * label`, `facetag persons rename`, folder labels under `train --labels`, the recogniser's store
 * writes) and the sidecar writer use it, so a name accepted anywhere is written everywhere.
 *
 * It lives in a module of its own, with no imports, because the store, the HTTP layer, the CLI,
 * the training folders and the sidecar writer all need it and none of them should depend on
 * another for it.
 *
 * Refused outright: an empty name, one longer than PERSON_NAME_MAX characters, control characters
 * (XML cannot carry most of them, and none belongs in a name), line and paragraph separators,
 * Unicode noncharacters and lone surrogates (not text; they cannot be stored as UTF-8), and the
 * training's reserved labels. Everything else is a legitimate name, `,` `/` `|` and `\` included:
 * the sidecar writer carries the name exactly in the MWG and MP regions, and writes what each
 * keyword field can hold (src/sidecar/keywords.ts).
 */

export const PERSON_NAME_MAX = 200;

/**
 * Training labels that are not persons (src/recognize/labelled-chips.ts): a person named so would
 * have their faces trained as negatives. Kept here as text so this module imports nothing; a unit
 * test checks the two lists agree.
 */
export const RESERVED_PERSON_NAMES: readonly string[] = ['not_a_face', '.rejected', '.background'];

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const SEPARATOR = /[\u2028\u2029]/u;
const NONCHARACTER = /[\ufdd0-\ufdef\ufffe\uffff]/u;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (no `u` flag: code units). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export type PersonNameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly reason: string };

/** The name as stored (trimmed), or why it is refused. */
export function checkPersonName(raw: string): PersonNameCheck {
  const name = raw.trim();
  const refuse = (reason: string): PersonNameCheck => ({ ok: false, reason });
  if (name === '') return refuse('a name must not be empty');
  if (LONE_SURROGATE.test(name)) return refuse('a name must be valid Unicode text (it has a lone surrogate)');
  const length = [...name].length;
  if (length > PERSON_NAME_MAX) return refuse(`a name is at most ${PERSON_NAME_MAX} characters (this has ${length})`);
  const control = CONTROL.exec(name);
  if (control) return refuse(`a name must not contain control characters (it has ${codePoint(control[0])})`);
  const separator = SEPARATOR.exec(name);
  if (separator) return refuse(`a name must not contain line breaks (it has ${codePoint(separator[0])})`);
  const nonchar = NONCHARACTER.exec(name);
  if (nonchar) return refuse(`a name must not contain Unicode noncharacters (it has ${codePoint(nonchar[0])})`);
  if (RESERVED_PERSON_NAMES.includes(name)) return refuse(`"${name}" is reserved for training and cannot be a person`);
  return { ok: true, name };
}

/** The name as stored (trimmed), or undefined when the rule refuses it. */
export function normalisePersonName(raw: string): string | undefined {
  const r = checkPersonName(raw);
  return r.ok ? r.name : undefined;
}

/** Why the rule refuses `raw`, or undefined when it is a name. */
export function personNameProblem(raw: string): string | undefined {
  const r = checkPersonName(raw);
  return r.ok ? undefined : r.reason;
}

const codePoint = (c: string): string => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
