#!/usr/bin/env node
/**
 * The `facetag` command. Each subcommand lives in src/cli/<name>-command.ts and returns its
 * exit code; this file only dispatches and turns known errors into clear messages.
 */
import { InputError, UsageError } from './cli/args.js';
import { chipCommand, chipUsage } from './cli/chip-command.js';
import { classifyCommand, classifyUsage } from './cli/classify-command.js';
import { datasetCommand, datasetUsage } from './cli/dataset-command.js';
import { detectCommand, detectUsage } from './cli/detect-command.js';
import { evalDetectCommand, evalDetectUsage } from './cli/eval-detect-command.js';
import { evalIdentityCommand, evalIdentityUsage } from './cli/eval-identity-command.js';
import { labelCommand, labelUsage } from './cli/label-command.js';
import { personsCommand, personsUsage } from './cli/persons-command.js';
import { runCommand, runUsage } from './cli/run-command.js';
import { statusCommand, statusUsage } from './cli/status-command.js';
import { tokenCommand, tokenUsage } from './cli/token-command.js';
import { trainCommand, trainUsage } from './cli/train-command.js';
import { ConfigError } from './config/load.js';
import { WalkError } from './files/walk.js';
import { VERSION } from './version.js';

type Command = { run: (argv: string[]) => Promise<number>; usage: string };

const commands: Record<string, Command> = {
  detect: { run: detectCommand, usage: detectUsage },
  'eval detect': { run: evalDetectCommand, usage: evalDetectUsage },
  'eval identity': { run: evalIdentityCommand, usage: evalIdentityUsage },
  chip: { run: chipCommand, usage: chipUsage },
  train: { run: trainCommand, usage: trainUsage },
  classify: { run: classifyCommand, usage: classifyUsage },
  dataset: { run: datasetCommand, usage: datasetUsage },
  run: { run: runCommand, usage: runUsage },
  status: { run: statusCommand, usage: statusUsage },
  label: { run: labelCommand, usage: labelUsage },
  persons: { run: personsCommand, usage: personsUsage },
  token: { run: tokenCommand, usage: tokenUsage },
};

function usage(): string {
  return `usage:\n  facetag --version\n\n${Object.values(commands)
    .map((c) => `  ${c.usage}`)
    .join('\n\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    process.stdout.write(`facetag ${VERSION}\n`);
    return 0;
  }
  if (!first || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(usage());
    return first ? 0 : 64;
  }
  const twoWord = second ? commands[`${first} ${second}`] : undefined;
  const command = twoWord ?? commands[first];
  if (!command) {
    process.stderr.write(`facetag: unknown command "${first}"\n${usage()}`);
    return 64;
  }
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
      process.stderr.write(`facetag: ${err.message}\n`);
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
