import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { TOKEN_FILE } from '../daemon/http-token.js';
import { errnoCode } from '../files/errno.js';
import { InputError, parse, UsageError } from './args.js';
import { type DataDirFlags, dataDirHint, loadCommandConfig } from './data-dir.js';

export const tokenUsage = `facetag token [--data-dir DIR] [--config FILE]
  Prints the HTTP API's token, which the labelling page asks for once: http.token or FACETAG_TOKEN
  when set, else the one the daemon wrote to <data-dir>/http-token on its first start.`;

/** The daemon ignores a shorter token file and writes a new one (resolveHttpToken). */
const MIN_TOKEN_LENGTH = 16;

export async function tokenCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    'data-dir': { type: 'string' },
    config: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const config = loadCommandConfig(values);
  process.stdout.write(`${await readToken(config, values)}\n`);
  return 0;
}

/**
 * The token the daemon uses, as resolveHttpToken chooses it, but read only: this command must
 * never make a token the daemon does not know.
 */
export async function readToken(config: Config, values: DataDirFlags): Promise<string> {
  if (config.http.token !== '') return config.http.token;
  const file = join(config.dataDir, TOKEN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') {
      throw new InputError(
        `${file}: no token yet: the daemon writes it on its first start (facetag run)\n  ${dataDirHint(values)}`,
      );
    }
    if (code === 'EACCES') {
      throw new InputError(
        `${file}: permission denied: only the daemon's user may read it (as a service: sudo -u facetag facetag token)`,
      );
    }
    throw new InputError(`${file}: cannot read the token (${err instanceof Error ? err.message : String(err)})`);
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new InputError(`${file}: not a token the daemon accepts (it writes a new one on its next start)`);
  }
  return token;
}
