/**
 * A small glob matcher for the watcher's include/exclude patterns. Node 20's `path.matchesGlob`
 * (20.17+) prints an ExperimentalWarning on stderr, which would land in the journal as a non-JSON
 * line, and its minimatch flavour is case-sensitive; photo libraries that came through Windows or
 * SMB mix `IMG_1.JPG` and `img_2.jpg`, so these patterns match case-insensitively.
 *
 * Syntax (paths relative to a photo root, `/` separated):
 * - `*` any run of characters within one path segment, `?` one character, `[abc]`, `[a-z]`,
 *   `[!abc]` a character class, `{jpg,jpeg}` alternatives (nesting allowed), `\x` a literal x;
 * - `**` as a whole segment: zero or more segments (`**` alone matches everything);
 * - a pattern without `/` (e.g. `*.png`, `Backups`) matches one segment's name at any depth;
 *   a pattern with `/` (or a leading `/`) is anchored at the root (`2019/Backups`, `/Scans`);
 * - a path matches when it or any of its folders matches, so `Backups` and `Backups/**` both
 *   cover everything under a Backups folder.
 */

/** A pattern that cannot be compiled; the message names the pattern and the problem. */
export class GlobError extends Error {
  constructor(
    readonly pattern: string,
    problem: string,
  ) {
    super(`glob ${JSON.stringify(pattern)}: ${problem}`);
    this.name = 'GlobError';
  }
}

/** Brace expansion is exponential in the worst case; no real include list needs more. */
const MAX_EXPANSIONS = 64;

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/;

function escapeChar(c: string): string {
  return REGEX_SPECIAL.test(c) ? `\\${c}` : c;
}

/** `a{b,c{d,e}}f` → abf, acdf, acef. A brace group without a top-level comma stays literal. */
export function expandBraces(pattern: string, whole: string = pattern): string[] {
  const open = findBrace(pattern, whole);
  if (open < 0) return [pattern];
  const { close, parts } = splitGroup(pattern, open, whole);
  const head = pattern.slice(0, open);
  const tails = expandBraces(pattern.slice(close + 1), whole);
  if (parts.length < 2) {
    // `{x}`: literal braces, as in the shell.
    return tails.map((t) => `${head}\\{${parts[0] ?? ''}\\}${t}`).flatMap((p) => expandBraces(p, whole));
  }
  const out: string[] = [];
  for (const part of parts) {
    for (const mid of expandBraces(part, whole)) {
      for (const tail of tails) {
        out.push(head + mid + tail);
        if (out.length > MAX_EXPANSIONS) throw new GlobError(whole, `expands to more than ${MAX_EXPANSIONS} patterns`);
      }
    }
  }
  return out;
}

/** Index of the first unescaped `{`, or -1; an unmatched `}` is an error. */
function findBrace(pattern: string, whole: string): number {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') return i;
    else if (c === '}') throw new GlobError(whole, 'has a "}" without a matching "{"');
  }
  return -1;
}

function splitGroup(pattern: string, open: number, whole: string): { close: number; parts: string[] } {
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === '}') {
      parts.push(pattern.slice(start, i));
      return { close: i, parts };
    } else if (c === ',' && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  throw new GlobError(whole, 'has a "{" without a matching "}"');
}

/** Regex source for one segment without braces; `*` and `?` never cross a `/`. */
function segmentSource(seg: string, whole: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '\\') {
      i++;
      if (i >= seg.length) throw new GlobError(whole, 'ends with a lone backslash');
      out += escapeChar(seg[i] as string);
    } else if (c === '*') {
      while (seg[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = classEnd(seg, i);
      if (end < 0) throw new GlobError(whole, 'has a "[" without a matching "]"');
      out += classSource(seg.slice(i + 1, end));
      i = end;
    } else {
      out += escapeChar(c);
    }
  }
  return out;
}

function classEnd(seg: string, open: number): number {
  let j = open + 1;
  if (seg[j] === '!' || seg[j] === '^') j++;
  if (seg[j] === ']') j++; // a `]` first in the class is literal
  for (; j < seg.length; j++) {
    if (seg[j] === '\\') j++;
    else if (seg[j] === ']') return j;
  }
  return -1;
}

function classSource(body: string): string {
  let negate = false;
  let i = 0;
  if (body[0] === '!' || body[0] === '^') {
    negate = true;
    i = 1;
  }
  let out = '';
  for (; i < body.length; i++) {
    let c = body[i] as string;
    const escaped = c === '\\' && i + 1 < body.length;
    if (escaped) c = body[++i] as string;
    // An unescaped `-` keeps its range meaning; everything else special is taken literally.
    out += c === '-' && !escaped ? '-' : /[\\\]^[-]/.test(c) ? `\\${c}` : c;
  }
  // A negated class must not match the separator either.
  return negate ? `[^/${out}]` : `[${out}]`;
}

/** Regex source for a `/`-separated pattern without braces, anchored at both ends by the caller. */
function pathSource(segs: readonly string[], whole: string): string {
  let src = '';
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '**') src += last ? '.*' : '(?:[^/]*/)*';
    else src += segmentSource(seg, whole) + (last ? '' : '/');
  });
  return src;
}

interface Compiled {
  /** Expansions without `/`: matched against each segment name. */
  readonly names: string[];
  /** Expansions with `/`: matched against the path and each of its folders. */
  readonly paths: string[];
}

function compileOne(pattern: string, into: Compiled): void {
  if (typeof pattern !== 'string' || pattern.length === 0) throw new GlobError(String(pattern), 'is empty');
  for (const expansion of expandBraces(pattern)) {
    let p = expansion;
    let anchored = false;
    while (p.startsWith('./')) p = p.slice(2);
    if (p.startsWith('/')) {
      anchored = true;
      p = p.slice(1);
    }
    if (p.endsWith('/')) p = p.slice(0, -1); // `Backups/` means the folder; we match folders anyway
    if (p.length === 0) throw new GlobError(pattern, 'matches nothing once its slashes are removed');
    const segs = p.split('/');
    for (const seg of segs) {
      if (seg === '') throw new GlobError(pattern, 'has an empty path segment ("//")');
      if (seg === '.' || seg === '..')
        throw new GlobError(pattern, `has a "${seg}" segment; patterns are relative to a photo root`);
    }
    if (segs.length === 1 && !anchored) into.names.push(pathSource(segs, pattern));
    else into.paths.push(pathSource(segs, pattern));
  }
}

/** A compiled list of patterns; `matches` is true when any pattern matches the path or a folder of it. */
export class GlobSet {
  readonly #names: RegExp | undefined;
  readonly #paths: RegExp | undefined;
  readonly patterns: readonly string[];

  private constructor(patterns: readonly string[], compiled: Compiled) {
    this.patterns = patterns;
    this.#names = compiled.names.length ? new RegExp(`^(?:${compiled.names.join('|')})$`, 'i') : undefined;
    this.#paths = compiled.paths.length ? new RegExp(`^(?:${compiled.paths.join('|')})$`, 'i') : undefined;
  }

  /** Throws GlobError for the first pattern that does not compile. */
  static compile(patterns: readonly string[]): GlobSet {
    const compiled: Compiled = { names: [], paths: [] };
    for (const p of patterns) compileOne(p, compiled);
    return new GlobSet([...patterns], compiled);
  }

  get isEmpty(): boolean {
    return this.#names === undefined && this.#paths === undefined;
  }

  /** `relPath` is relative to a root, `/`-separated, without a leading slash. */
  matches(relPath: string): boolean {
    if (this.isEmpty || relPath.length === 0) return false;
    let start = 0;
    while (start <= relPath.length) {
      let end = relPath.indexOf('/', start);
      if (end < 0) end = relPath.length;
      if (this.#names?.test(relPath.slice(start, end))) return true;
      if (this.#paths?.test(relPath.slice(0, end))) return true;
      start = end + 1;
    }
    return false;
  }
}
