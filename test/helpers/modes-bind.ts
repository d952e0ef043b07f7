/**
 * Tests of permission faults need a process that file modes bind. Root's do not (CAP_DAC_OVERRIDE),
 * and CI runs as root. Such a test asks `modesBind()`; if not, it runs itself again in a child
 * where they do: the same built test file, only that test, under setpriv with the two override
 * capabilities dropped from the bounding set (still root, so the files it made stay its own).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** setpriv's words that drop the capabilities overriding file modes. */
export const DROP_DAC_OVERRIDE = ['setpriv', '--bounding-set=-dac_override,-dac_read_search'] as const;

let bound: boolean | undefined;
/** Whether this process is refused a mode-000 file (probed once). */
export function modesBind(): boolean {
  if (bound !== undefined) return bound;
  const dir = mkdtempSync(join(tmpdir(), 'facetag-modes-'));
  const file = join(dir, 'locked');
  try {
    writeFileSync(file, 'x');
    chmodSync(file, 0);
    openSync(file, 'r');
    bound = false;
  } catch {
    bound = true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return bound;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Runs the test called `name` of the test file `fileUrl` (pass `import.meta.url`) in a child
 * where modes bind. Rejects, with the child's output, unless exactly that one test ran and passed.
 */
export function rerunWhereModesBind(fileUrl: string, name: string): Promise<void> {
  const [command, ...prefix] = DROP_DAC_OVERRIDE;
  const args = [
    ...prefix,
    process.execPath,
    '--test',
    '--test-reporter=tap',
    `--test-name-pattern=^${escapeRegExp(name)}$`,
    fileURLToPath(fileUrl),
  ];
  return new Promise((resolve, reject) => {
    // Without the runner's own marker, or the child would take itself for a nested run and skip.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    execFile(command, args, { maxBuffer: 16 << 20, env }, (err, stdout, stderr) => {
      // The others are reported as skipped ("name does not match pattern"); this one must pass, unskipped.
      const passed = new RegExp(`^ok \\d+ - ${escapeRegExp(name)}$`, 'm').test(stdout);
      const ran = passed && /^# pass 1$/m.test(stdout) && /^# fail 0$/m.test(stdout);
      if (err || !ran) reject(new Error(`"${name}" where file modes bind:\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
}
