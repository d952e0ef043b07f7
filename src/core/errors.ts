/**
 * Errors with an exit code, shared by the CLI (which prints them) and the evals (which throw them
 * for a bad input file).
 */

/** A mistake on the command line: printed with the usage, exit code 64 (EX_USAGE). */
export class UsageError extends Error {
  readonly exitCode = 64;
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
