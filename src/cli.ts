#!/usr/bin/env node
/**
 * The `facetag` command. Each subcommand lives in src/cli/<name>-command.ts and returns its
 * exit code; this file only dispatches and turns known errors into clear messages.
 */
import { InputError, UsageError } from './cli/args.js';
import { ConfigError } from './config/load.js';
import { EX_USAGE } from './core/errors.js';
import { WalkError } from './files/walk.js';
import { VERSION } from './version.js';

/** A subcommand, loaded only when used: `facetag status` need not load tfjs, sharp's pipelines or the SVM trainer. */
interface Command {
  readonly run: (argv: string[]) => Promise<number>;
  readonly usage: string;
}

const commands: Record<string, () => Promise<Command>> = {
  detect: () => import('./cli/detect-command.js').then((m) => ({ run: m.detectCommand, usage: m.detectUsage })),
  'eval detect': () =>
    import('./cli/eval-detect-command.js').then((m) => ({ run: m.evalDetectCommand, usage: m.evalDetectUsage })),
  'eval identity': () =>
    import('./cli/eval-identity-command.js').then((m) => ({ run: m.evalIdentityCommand, usage: m.evalIdentityUsage })),
  chip: () => import('./cli/chip-command.js').then((m) => ({ run: m.chipCommand, usage: m.chipUsage })),
  train: () => import('./cli/train-command.js').then((m) => ({ run: m.trainCommand, usage: m.trainUsage })),
  classify: () => import('./cli/classify-command.js').then((m) => ({ run: m.classifyCommand, usage: m.classifyUsage })),
  dataset: () => import('./cli/dataset-command.js').then((m) => ({ run: m.datasetCommand, usage: m.datasetUsage })),
  run: () => import('./cli/run-command.js').then((m) => ({ run: m.runCommand, usage: m.runUsage })),
  status: () => import('./cli/status-command.js').then((m) => ({ run: m.statusCommand, usage: m.statusUsage })),
  label: () => import('./cli/label-command.js').then((m) => ({ run: m.labelCommand, usage: m.labelUsage })),
  persons: () => import('./cli/persons-command.js').then((m) => ({ run: m.personsCommand, usage: m.personsUsage })),
  token: () => import('./cli/token-command.js').then((m) => ({ run: m.tokenCommand, usage: m.tokenUsage })),
};

/** Every command's usage: loads them all, which only help and a mistyped command need. */
async function usage(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  return `usage:\n  facetag --version\n\n${all.map((c) => `  ${c.usage}`).join('\n\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    process.stdout.write(`facetag ${VERSION}\n`);
    return 0;
  }
  if (!first || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(await usage());
    return first ? 0 : 64;
  }
  const twoWord = second ? commands[`${first} ${second}`] : undefined;
  const load = twoWord ?? commands[first];
  if (!load) {
    process.stderr.write(`facetag: unknown command "${first}"\n${await usage()}`);
    return 64;
  }
  const command = await load();
  const args = twoWord ? rest : argv.slice(1);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`facetag: ${err.message}\n${command.usage}\n`);
      return err.exitCode;
    }
    if (err instanceof InputError || err instanceof WalkError) {
      process.stderr.write(`facetag: ${err.message}\n`);
      return 66;
    }
    if (err instanceof ConfigError) {
      // A flag's value refused by the config's rule is a usage mistake: show the usage too.
      process.stderr.write(`facetag: ${err.message}\n${err.exitCode === EX_USAGE ? `${command.usage}\n` : ''}`);
      return err.exitCode;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`facetag: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
