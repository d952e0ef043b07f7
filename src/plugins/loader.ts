/**
 * Finding and checking plugins: a built-in by name, else a module by path (absolute, or relative to
 * the config file's folder) or by package name (resolved from that folder first, then from
 * facetag's own). Everything a module hands us is checked before use: the export's shape, its
 * apiVersion, the options against its schema, and what `create` returns. Errors name the plugin
 * and, for options, the field.
 */
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { type FacetagPlugin, type OptionsIssue, PLUGIN_API_VERSION, type PluginInstance } from './api.js';

/** A plugin that cannot be used; the host reports it and goes on without it. */
export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');

const pluginShape = z.object({
  name: z.string().min(1),
  apiVersion: z.int(),
  optionsSchema: z.object({ safeParse: fn }),
  create: fn,
});

const instanceShape = z.object({
  start: fn.optional(),
  stop: fn.optional(),
  photoTagged: fn,
  photoRemoved: fn,
});

const safeParseResult = z.union([
  z.object({ success: z.literal(true), data: z.unknown() }),
  z.object({
    success: z.literal(false),
    error: z.object({
      issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number(), z.symbol()])), message: z.string() })),
    }),
  }),
]);

/** A path rather than a package name: `./x.js`, `../x`, `/abs/x.mjs`, `C:\x`. */
function isPath(locator: string): boolean {
  return locator.startsWith('.') || isAbsolute(locator) || /\.[cm]?js$/.test(locator);
}

/** The module's plugin export, checked. `what` names it in errors. */
export function checkPluginExport(mod: unknown, what: string): FacetagPlugin<unknown> {
  const candidate =
    typeof mod === 'object' && mod !== null ? (Reflect.get(mod, 'default') ?? Reflect.get(mod, 'plugin')) : undefined;
  if (candidate === undefined) throw new PluginLoadError(`${what}: exports no plugin (default or \`plugin\`)`);
  const shape = pluginShape.safeParse(candidate);
  if (!shape.success) throw new PluginLoadError(`${what}: not a facetag plugin: ${describe(shape.error.issues)}`);
  if (shape.data.apiVersion !== PLUGIN_API_VERSION) {
    throw new PluginLoadError(
      `${what}: plugin "${shape.data.name}" is written for plugin API v${shape.data.apiVersion}; this facetag supports v${PLUGIN_API_VERSION}`,
    );
  }
  // Checked field by field above; the object itself is kept so its methods keep their `this`.
  return candidate as FacetagPlugin<unknown>;
}

/** Imports a plugin module by path or package name. */
export async function importPlugin(locator: string, baseDir: string): Promise<FacetagPlugin<unknown>> {
  let url: string;
  if (isPath(locator)) {
    url = pathToFileURL(resolve(baseDir, locator)).href;
  } else {
    try {
      url = pathToFileURL(createRequire(join(baseDir, 'package.json')).resolve(locator)).href;
    } catch {
      url = locator; // an ESM-only package, or one installed beside facetag
    }
  }
  let mod: unknown;
  try {
    mod = await import(url);
  } catch (err) {
    throw new PluginLoadError(`${locator}: cannot load: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  return checkPluginExport(mod, locator);
}

/** The entry's options parsed by the plugin's schema; a bad one names the plugin and the field. */
export function parseOptions(plugin: FacetagPlugin<unknown>, id: string, raw: unknown): unknown {
  let result: z.infer<typeof safeParseResult>;
  try {
    result = safeParseResult.parse(plugin.optionsSchema.safeParse(raw));
  } catch (err) {
    throw new PluginLoadError(`plugin ${id}: its options schema failed: ${String(err)}`);
  }
  if (result.success) return result.data;
  throw new PluginLoadError(`plugin ${id}: invalid options: ${describe(result.error.issues, 'options')}`);
}

/** What `create` returned, checked. */
export function checkInstance(value: unknown, id: string): PluginInstance {
  const shape = instanceShape.safeParse(value);
  if (!shape.success) throw new PluginLoadError(`plugin ${id}: create() returned ${describe(shape.error.issues)}`);
  return value as PluginInstance;
}

function describe(issues: readonly OptionsIssue[], root = ''): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = [root, ...i.path.map(String)].filter((s) => s !== '').join('.');
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}
