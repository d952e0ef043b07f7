/**
 * The `plugins` section of the config file (src/config/schema.ts takes it from here). Each entry
 * names a plugin and carries its options, which the plugin's own schema checks when it is loaded
 * (host.ts): the config schema cannot know a third-party plugin's options.
 */
import * as z from 'zod';

export const pluginEntrySchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .describe(
        'A built-in plugin (xmp, immich, photoprism, webhook), or a plugin module: a path (absolute, or relative to the config file) or an npm package name.',
      ),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _ only')
      .optional()
      .describe(
        "This instance's name in logs, status and the plugin state file; needed to configure one plugin twice. Default: the plugin's name.",
      ),
    enabled: z.boolean().default(true).describe('false keeps the entry but does not load the plugin.'),
    options: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The plugin's own options (see src/plugins/README.md); checked by the plugin when it loads."),
    deadlineSeconds: z
      .number()
      .positive()
      .max(600)
      .default(30)
      .describe('Longest time one delivery may take before it counts as failed and is retried.'),
    concurrency: z.int().min(1).max(16).default(2).describe('Photos delivered to this plugin at once.'),
    disableAfterFailures: z
      .int()
      .min(1)
      .default(10)
      .describe('Disable the plugin after this many failed deliveries in a row (and disableAfterMinutes).'),
    disableAfterMinutes: z
      .number()
      .min(0)
      .default(60)
      .describe('… when it has also been failing for at least this long. It is tried again at the next start.'),
    giveUpAfterAttempts: z
      .int()
      .min(1)
      .default(50)
      .describe(
        'Park one event (reported in status, retried when its photo changes or on request) after this many attempts, so it cannot hold others back.',
      ),
    parkAfterAttempts: z
      .int()
      .min(1)
      .default(3)
      .describe(
        "Park an event after this many failures that are its photo's alone (e.g. a sidecar that does not parse).",
      ),
  })
  .describe('One plugin: where facetag sends photo-tagged and photo-removed events.');

export type PluginEntry = z.infer<typeof pluginEntrySchema>;
export type PluginEntryInput = z.input<typeof pluginEntrySchema>;

export const pluginsSchema = z
  .array(pluginEntrySchema)
  .default([])
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, i) => {
      const id = entry.id ?? entry.name;
      if (seen.has(id)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'id'],
          message: `another plugin entry is already called "${id}"; give this one a distinct id`,
        });
      }
      seen.add(id);
    });
  })
  .describe('Plugins that receive every analysis, label change, move and removal, at least once, from the outbox.');
