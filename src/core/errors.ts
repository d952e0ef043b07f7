/**
 * Errors with an exit code, shared by the CLI (which prints them) and the evals (which throw them
 * for a bad input file).
 */

/** sysexits.h's EX_USAGE: the command was used wrongly (a flag, an argument). */
export const EX_USAGE = 64;

/** A mistake on the command line: printed with the usage, exit code 64 (EX_USAGE). */
export class UsageError extends Error {
  readonly exitCode = EX_USAGE;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A file or folder named on the command line cannot be used: printed plainly, exit 66 (EX_NOINPUT). */
export class InputError extends Error {
  readonly exitCode = 66;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
