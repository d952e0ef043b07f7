/**
 * Compiles src/vision/cascade/kernel/scan.wat with wabt and writes the bytes, base64, into
 * src/vision/cascade/kernel/scan-wasm.ts, so the build stays plain `tsc`. Run after editing
 * the .wat:
 *
 *   npx tsc -b && node dist/scripts/build-wasm.js
 *
 * test/unit/cascade-kernel.test.ts recompiles the .wat and fails if the committed bytes differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wabt from 'wabt';

export const WAT_FILE = 'src/vision/cascade/kernel/scan.wat';
export const MODULE_FILE = 'src/vision/cascade/kernel/scan-wasm.ts';

/** The .wat text as a wasm binary (SIMD enabled; no debug names, so the bytes depend on the code only). */
export async function compileWat(text: string): Promise<Uint8Array> {
  const w = await wabt();
  const module = w.parseWat('scan.wat', text, { simd: true });
  try {
    module.validate();
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}

/** The TypeScript module that carries the bytes. */
export function kernelModuleText(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  return (
    `// Generated from scan.wat by scripts/build-wasm.ts; do not edit (${bytes.length} bytes).\n` +
    `export const SCAN_WASM_BASE64 =\n  '${b64}';\n`
  );
}

async function main(): Promise<void> {
  // Runs as dist/scripts/build-wasm.js, two levels below the root.
  const root = resolve(fileURLToPath(import.meta.url), '../../..');
  const bytes = await compileWat(readFileSync(resolve(root, WAT_FILE), 'utf8'));
  const target = resolve(root, MODULE_FILE);
  writeFileSync(target, kernelModuleText(bytes));
  process.stdout.write(`wrote ${target} (${bytes.length} bytes of wasm)\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`build-wasm: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
