import * as z from 'zod';
import { configSchema } from './schema.js';

/** File names, relative to the repository root, of the files generated from the config schema. */
export const EXAMPLE_CONFIG_FILE = 'config.example.json';
export const CONFIG_JSON_SCHEMA_FILE = 'config.schema.json';

function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * config.example.json: the fully defaulted config file, with `$schema` first so editors pick up the
 * schema. `engine` is left out: unset, a library keeps its own engine (a copied example must not
 * switch an existing library's engine and analyse every photo again).
 */
export function renderExampleConfig(): string {
  return toJsonText({ $schema: `./${CONFIG_JSON_SCHEMA_FILE}`, ...configSchema.parse({}) });
}

/**
 * config.schema.json: the JSON Schema of what a config file may contain. It describes the input side
 * (io: 'input'), so fields with defaults are optional, as they are for loadConfig. Refinements that
 * JSON Schema cannot express (rotationStep divides 360) are stated in the descriptions.
 */
export function renderConfigJsonSchema(): string {
  return toJsonText(z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }));
}

/** Every generated file, keyed by its path relative to the repository root. */
export function generatedConfigFiles(): ReadonlyArray<{ readonly file: string; readonly text: string }> {
  return [
    { file: EXAMPLE_CONFIG_FILE, text: renderExampleConfig() },
    { file: CONFIG_JSON_SCHEMA_FILE, text: renderConfigJsonSchema() },
  ];
}
