/** The plugins that ship with facetag, by the name a config entry uses. */
import type { FacetagPlugin } from '../api.js';
import { immichPlugin } from './immich.js';
import { photoprismPlugin } from './photoprism.js';
import { webhookPlugin } from './webhook.js';
import { xmpPlugin } from './xmp.js';

/**
 * A plugin typed by its own options as one the host can hold beside others. `create` parses the
 * options again with the plugin's schema (idempotent: defaults are already filled) rather than
 * casting, so the types stay honest.
 */
function erase<O>(plugin: FacetagPlugin<O>): FacetagPlugin<unknown> {
  return {
    name: plugin.name,
    apiVersion: plugin.apiVersion,
    optionsSchema: plugin.optionsSchema,
    create(options, ctx) {
      const parsed = plugin.optionsSchema.safeParse(options);
      if (!parsed.success) throw new Error(`plugin ${ctx.id}: invalid options`);
      return plugin.create(parsed.data, ctx);
    },
  };
}

export const BUILTIN_PLUGINS: ReadonlyMap<string, FacetagPlugin<unknown>> = new Map(
  [erase(xmpPlugin), erase(immichPlugin), erase(photoprismPlugin), erase(webhookPlugin)].map((p) => [p.name, p]),
);
