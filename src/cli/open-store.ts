import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { DB_FILE, type Db, openDatabase } from '../store/db.js';
import type { Upgrading } from '../store/migrations.js';
import { InputError } from './args.js';

/** Says on stderr that an existing database is being upgraded, so a slow start is explained. */
export function sayUpgrade(command: string, dataDir: string): Upgrading {
  return (from, to) =>
    process.stderr.write(
      `facetag ${command}: upgrading the database in ${dataDir} from schema v${from} to v${to}; ` +
        'on a large library this can take a minute\n',
    );
}

/** The daemon's database for a command that reads or labels it (safe while the daemon runs: WAL). */
export function openStoreForCommand(
  command: string,
  values: { 'data-dir'?: string; config?: string },
): { db: Db; dataDir: string } {
  const config = loadConfig(values.config ? { file: values.config } : {});
  const dataDir = values['data-dir'] ?? config.dataDir;
  if (!existsSync(join(dataDir, DB_FILE))) {
    throw new InputError(`${join(dataDir, DB_FILE)}: no database yet (start facetag run first)`);
  }
  return { db: openDatabase(dataDir, sayUpgrade(command, dataDir)), dataDir };
}
