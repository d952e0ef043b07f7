import { type LabelledChip, readLabelledChips } from '../recognize/labelled-chips.js';
import { InputError } from './args.js';
import { createProgress } from './progress.js';

/**
 * The labelled chips under `labelsDir`, with progress; unreadable chips are reported on stderr
 * and skipped. No chips at all, or no folder, is an InputError naming it.
 */
export async function readChipsForCommand(labelsDir: string, jobs = 4): Promise<LabelledChip[]> {
  const problems: string[] = [];
  const progress = createProgress({ label: 'read chips', total: 0 });
  const chips = await readLabelledChips(labelsDir, {
    jobs,
    onChip: () => progress.tick(),
    onProblem: (p) => problems.push(`${p.path}: ${p.reason}`),
  }).catch((err: unknown) => {
    throw new InputError(err instanceof Error ? err.message : String(err));
  });
  progress.done();
  for (const p of problems) process.stderr.write(`facetag: skipped chip ${p}\n`);
  if (chips.length === 0)
    throw new InputError(`${labelsDir}: no labelled chips (expected ${labelsDir}/<person>/*.png)`);
  return chips;
}
