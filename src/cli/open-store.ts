import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { DB_FILE, type Db, openDatabase } from '../store/db.js';
import { InputError } from './args.js';

/** The daemon's database for a command that reads or labels it (safe while the daemon runs: WAL). */
export function openStoreForCommand(values: { 'data-dir'?: string; config?: string }): { db: Db; dataDir: string } {
  const config = loadConfig(values.config ? { file: values.config } : {});
  const dataDir = values['data-dir'] ?? config.dataDir;
  if (!existsSync(join(dataDir, DB_FILE))) {
    throw new InputError(`${join(dataDir, DB_FILE)}: no database yet (start facetag run first)`);
  }
  return { db: openDatabase(dataDir), dataDir };
}
