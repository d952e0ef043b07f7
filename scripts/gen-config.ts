import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedConfigFiles } from '../src/config/example.js';

// Writes config.example.json and config.schema.json at the repository root from the zod schema in
// src/config/schema.ts. Run with `npm run gen:config`; test/unit/config.test.ts fails when they drift.
// This file runs as dist/scripts/gen-config.js, two levels below the root.
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');

for (const { file, text } of generatedConfigFiles()) {
  const target = resolve(repoRoot, file);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
