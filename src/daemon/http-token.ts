import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../files/errno.js';

export const TOKEN_FILE = 'http-token';

/**
 * The HTTP API's bearer token: the configured one (http.token or FACETAG_TOKEN), else one kept in
 * `<dataDir>/http-token` (mode 0600), made on first start so that writes work out of the box for
 * whoever can read the data folder, and for nobody else.
 */
export async function resolveHttpToken(configured: string, dataDir: string): Promise<{ token: string; file?: string }> {
  if (configured !== '') return { token: configured };
  const file = join(dataDir, TOKEN_FILE);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length >= 16) return { token, file };
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}
