import { existsSync } from 'node:fs';
import { chipImages, planChips } from '../pipeline/chipper.js';
import { intFlag, parse, UsageError } from './args.js';
import { detectionContext, detectionFlags, loadFlaggedConfig } from './detection-context.js';
import { createProgress } from './progress.js';

export const chipUsage = `facetag chip <photos-dir>... --out DIR [--jobs N] [detection flags as for detect]
  Cuts every face found, turned upright and padded (config chips.padding), into DIR/<name>.chip.<i>.png.
  Images that already have chips in DIR are skipped, so a re-run only chips new photos.`;

/** `facetag chip`: 1 when any image could not be read (they are listed), else 0. */
export async function chipCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...detectionFlags,
    out: { type: 'string' },
    jobs: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('give at least one photo folder or image');
  if (!values.out) throw new UsageError('--out DIR is required');
  const outDir = values.out;
  const jobs = intFlag('jobs', values.jobs, 1, 64) ?? 1;
  for (const p of positionals) {
    if (!existsSync(p)) throw new UsageError(`not found: ${p}`);
  }

  const plan = await planChips(positionals, outDir);
  if (plan.alreadyChipped.length) {
    process.stdout.write(`skipped ${plan.alreadyChipped.length} image(s) already chipped in ${outDir}\n`);
  }
  for (const { path, reason } of plan.unreadable)
    process.stderr.write(`warning: cannot read folder ${path}: ${reason}\n`);
  for (const file of plan.sameName) {
    process.stderr.write(`warning: skipped ${file}: an image with the same name is chipped in this run\n`);
  }

  const ctx = detectionContext(loadFlaggedConfig(values), values);
  const progress = createProgress({ label: 'chip', total: plan.todo.length });
  let report: Awaited<ReturnType<typeof chipImages>>;
  try {
    report = await chipImages(plan.todo, {
      outDir,
      detector: ctx.options,
      maxPixels: ctx.config.decode.maxPixels,
      padding: ctx.config.chips.padding,
      jobs,
      onImage: (file) => progress.tick(1, file),
    });
  } finally {
    await ctx.close();
  }
  const chips = report.chipped.reduce((n, r) => n + r.chips.length, 0);
  const faceless = report.chipped.filter((r) => r.chips.length === 0).length;
  progress.done(report.failed.length ? `${report.failed.length} failed` : undefined);
  process.stdout.write(
    `wrote ${chips} chip(s) from ${report.chipped.length - faceless} image(s) to ${outDir}` +
      `${faceless ? `; ${faceless} image(s) had no face` : ''}\n`,
  );
  if (report.failed.length) {
    process.stderr.write(`${report.failed.length} image(s) failed:\n`);
    for (const f of report.failed) process.stderr.write(`  ${f.message} [${f.reason}]\n`);
  }
  return report.failed.length ? 1 : 0;
}
