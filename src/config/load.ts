import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type * as z from 'zod';
import { EX_USAGE } from '../core/errors.js';
import { errnoCode } from '../files/errno.js';
import { type Config, configSchema, DEFAULT_ENGINE, withEngine } from './schema.js';

/** EX_CONFIG from sysexits.h: "something was found in an unconfigured or misconfigured state". */
export const EX_CONFIG = 78;

/**
 * An invalid or unreadable configuration. The daemon exits with `exitCode`: 78 (EX_CONFIG), or 64
 * (EX_USAGE) when a command-line flag's value is among the problems.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly exitCode: number;
  /** One line per problem, each starting with the source (file, env variable or flag) and the field path. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown; exitCode?: number }) {
    super(problems.join('\n'), options);
    this.problems = problems;
    this.exitCode = options?.exitCode ?? EX_CONFIG;
  }
}

/**
 * A command-line flag's value for one config field. It is laid over the file and the environment
 * and validated by the schema with everything else, so a flag and the file obey one rule, and a
 * refused value is named by its flag.
 */
export interface FlagSetting {
  /** As typed, e.g. `--rotation-step`. */
  readonly flag: string;
  /** The config field, e.g. `['detection', 'rotationStep']`. */
  readonly path: readonly string[];
  readonly value: unknown;
}

export interface LoadConfigOptions {
  /** JSON config file. Without it the config is `{}` (all defaults) plus env and overrides. */
  readonly file?: string;
  /** Environment for FACETAG_* overrides and dataDir resolution; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Command-line overrides; they win over the file and the environment. */
  readonly overrides?: {
    readonly photos?: readonly string[];
    readonly dataDir?: string;
    readonly settings?: readonly FlagSetting[];
  };
}

/**
 * Reads, validates and completes the configuration. Precedence, lowest first: schema defaults, the
 * file, the environment (FACETAG_PHOTOS, FACETAG_PORT, FACETAG_TOKEN, FACETAG_DATA_DIR), `overrides`.
 * An empty `dataDir` is resolved to a real directory (see `resolveDataDir`); a command's
 * `--data-dir` wins over all of these. Throws ConfigError naming every failing field.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const source = options.file ?? 'config';
  const raw: unknown = options.file === undefined ? {} : readJsonFile(options.file);

  const merged = applyOverrides(raw, env, options.overrides);
  const port = env.FACETAG_PORT;
  if (port !== undefined && port !== '' && !/^\d{1,5}$/.test(port.trim())) {
    throw new ConfigError([`FACETAG_PORT: must be a port number 0-65535 (got "${port}")`]);
  }
  // A --data-dir given on the command line wins, so a bad FACETAG_DATA_DIR does not stand in its way.
  const dataDirOverride = options.overrides?.dataDir;
  const envDataDir = dataDirOverride === undefined ? dataDirFromEnv(env) : undefined;

  // FACETAG_PHOTOS entries are non-empty strings and cannot fail validation, so problems are
  // reported against the file ('config' when there is none); http.port problems from
  // FACETAG_PORT name the variable.
  const result = configSchema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    const settings = options.overrides?.settings ?? [];
    const flagOf = (issue: z.core.$ZodIssue) =>
      settings.find((s) => s.path.length === issue.path.length && s.path.every((k, i) => issue.path[i] === k));
    const issues = result.error.issues;
    const lines = issues.flatMap((issue) => {
      const flag = flagOf(issue);
      if (flag) return [`${flag.flag}: ${explain(issue)}${gotOf(issue)}`];
      return describeIssue(issue, port && issue.path.join('.') === 'http.port' ? 'FACETAG_PORT' : source);
    });
    // A flag that sets two fields (both engines' rotation step) is refused once.
    throw new ConfigError(
      [...new Set(lines)],
      issues.some((issue) => flagOf(issue) !== undefined) ? { exitCode: EX_USAGE } : {},
    );
  }
  const config = withEngine(result.data);
  const dataDir = dataDirOverride ?? envDataDir ?? (config.dataDir === '' ? resolveDataDir(env) : config.dataDir);
  return { ...config, dataDir };
}

/**
 * FACETAG_DATA_DIR, so that `facetag status`, `label`, `persons`… find the daemon's data without
 * `--data-dir` in every command. Empty means unset (as for FACETAG_PHOTOS). It must be absolute:
 * a relative value would name a different folder in every working directory (the XDG spec
 * ignores relative values for the same reason, but a silent fallback would hide the mistake).
 */
export function dataDirFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.FACETAG_DATA_DIR;
  if (value === undefined || value === '') return undefined;
  if (!isAbsolute(value)) {
    throw new ConfigError([
      `FACETAG_DATA_DIR: must be an absolute path to the data folder, like /var/lib/facetag (got ${JSON.stringify(value)})`,
    ]);
  }
  return value;
}

/**
 * The default data directory when `dataDir` is empty: systemd's $STATE_DIRECTORY (the first entry if
 * the unit lists several, which systemd joins with ':'), else $XDG_DATA_HOME/facetag (the XDG spec says
 * to ignore a relative value), else ~/.local/share/facetag.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv): string {
  const state = env.STATE_DIRECTORY?.split(':')[0];
  if (state) return state;
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'facetag');
  return join(env.HOME || homedir(), '.local', 'share', 'facetag');
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    const reason =
      code === 'ENOENT'
        ? 'config file not found'
        : code === 'EISDIR'
          ? 'config path is a directory, not a file'
          : code === 'EACCES'
            ? 'config file is not readable (permission denied)'
            : `cannot read config file (${error instanceof Error ? error.message : String(error)})`;
    throw new ConfigError([`${file}: ${reason}`], { cause: error });
  }
  // Editors on some systems save a UTF-8 BOM, which JSON.parse rejects.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError([`${file}${jsonErrorLocation(message, text)}: invalid JSON: ${message}`], { cause: error });
  }
}

/**
 * ":line:column" for a JSON.parse error. Node 20's V8 reports only "at position N" (a UTF-16 offset);
 * newer V8 versions add "(line L column C)". Returns '' when the message carries neither.
 */
function jsonErrorLocation(message: string, text: string): string {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return `:${lineColumn[1]}:${lineColumn[2]}`;
  const position = /at position (\d+)/.exec(message);
  if (!position) return '';
  const offset = Math.min(Number(position[1]), text.length);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `:${line}:${column}`;
}

function applyOverrides(raw: unknown, env: NodeJS.ProcessEnv, overrides: LoadConfigOptions['overrides']): unknown {
  // A non-object file is left alone so that validation reports it.
  if (!isPlainObject(raw)) return raw;
  const merged: Record<string, unknown> = { ...raw };
  const envPhotos = env.FACETAG_PHOTOS;
  if (envPhotos !== undefined && envPhotos !== '') {
    // Colon-separated like PATH; empty entries (a trailing ':') are dropped.
    merged.photos = envPhotos.split(':').filter((dir) => dir !== '');
  }
  if (overrides?.photos !== undefined) merged.photos = [...overrides.photos];
  for (const { path, value } of overrides?.settings ?? []) setPath(merged, path, value);
  const port = env.FACETAG_PORT?.trim();
  const token = env.FACETAG_TOKEN;
  if ((port !== undefined && port !== '') || (token !== undefined && token !== '')) {
    const http = isPlainObject(merged.http) ? { ...merged.http } : {};
    if (port) http.port = Number(port);
    if (token) http.token = token;
    merged.http = http;
  }
  return merged;
}

/** One line per problem: "<source>: <field.path>: <what is wrong> (got <value>)". */
function describeIssue(issue: z.core.$ZodIssue, where: string): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = formatPath([...issue.path, key]);
      const suggestion = closestKey(key, knownKeys(issue.path));
      return `${where}: ${path}: unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    });
  }
  const path = formatPath(issue.path);
  return [`${where}: ${path === '' ? '' : `${path}: `}${explain(issue)}${gotOf(issue)}`];
}

/** " (got <value>)", or nothing when the issue does not carry its input. */
const gotOf = (issue: z.core.$ZodIssue): string =>
  'input' in issue && issue.input !== undefined ? ` (got ${describeValue(issue.input)})` : '';

function explain(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.path.length === 0) return `expected a JSON object at the top level`;
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`;
    case 'too_small':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
      }
      if (issue.origin === 'string') return 'must not be empty';
      return issue.message;
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
      }
      return issue.message;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => String(v)).join(' or ')}`;
    default:
      return issue.message;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The keys the schema allows at `path`, read from the fully defaulted file (every section exists there). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let node: unknown = { ...configSchema.parse({}), engine: DEFAULT_ENGINE };
  for (const key of path) {
    if (!isPlainObject(node)) return [];
    node = node[String(key)];
  }
  if (!isPlainObject(node)) return [];
  const keys = Object.keys(node);
  return path.length === 0 ? ['$schema', ...keys] : keys;
}

/** The known key nearest to a typo: case-insensitive equality, else edit distance <= 2. */
function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Set `path` in `target`, copying each object on the way (the file's own objects stay as read). */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  const [key, ...rest] = path;
  if (key === undefined) return;
  if (rest.length === 0) {
    target[key] = value;
    return;
  }
  const inner = target[key];
  const copy = isPlainObject(inner) ? { ...inner } : {};
  setPath(copy, rest, value);
  target[key] = copy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
