import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, sharedDir, tmpDir } from '../helpers/paths.js';

const run = promisify(execFile);
const cli = join(repoRoot, 'dist/src/cli.js');

interface Row {
  file: string;
  faces?: unknown[];
  error?: { reason: string; message: string };
}

test('detect reports each bad file clearly and still processes the files after it', async () => {
  const dir = await tmpDir('facetag-detect-');
  await mkdir(join(dir, 'b'));
  await writeFile(join(dir, 'a-empty.jpg'), '');
  await writeFile(join(dir, 'a-text.jpg'), 'not an image at all\n');
  await copyFile(join(sharedDir, 'data/detection/images/2007_007763.jpg'), join(dir, 'b/good.jpg'));
  const result = await run(process.execPath, [cli, 'detect', dir, '--json', '--rotation-step', '360'], {
    encoding: 'utf8',
  }).catch((err: { code: number; stdout: string; stderr: string }) => err);
  assert.equal('code' in result ? result.code : 0, 1, 'exit code 1 when a file failed');
  const rows = JSON.parse(result.stdout) as Row[];
  assert.equal(rows.length, 3);
  const byName = new Map(rows.map((r) => [r.file.slice(dir.length + 1), r]));
  assert.equal(byName.get('a-empty.jpg')?.error?.reason, 'empty');
  assert.match(byName.get('a-text.jpg')?.error?.message ?? '', /a-text\.jpg/);
  assert.ok((byName.get('b/good.jpg')?.faces?.length ?? 0) > 0, 'the good file after the bad ones was processed');
  assert.match(result.stderr, /a-empty\.jpg/);
});

test('detect with no arguments is a usage error (64)', async () => {
  const err = await run(process.execPath, [cli, 'detect']).catch((e: { code: number; stderr: string }) => e);
  assert.equal('code' in err ? err.code : 0, 64);
});
