import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { DB_FILE, type Db, openDatabase } from '../store/db.js';
import type { Upgrading } from '../store/migrations.js';
import { InputError } from './args.js';
import { type DataDirFlags, dataDirHint, loadCommandConfig } from './data-dir.js';

/** Says on stderr that an existing database is being upgraded, so a slow start is explained. */
export function sayUpgrade(command: string, dataDir: string): Upgrading {
  return (from, to) =>
    process.stderr.write(
      `facetag ${command}: upgrading the database in ${dataDir} from schema v${from} to v${to}; ` +
        'on a large library this can take a minute\n',
    );
}

/**
 * The daemon's database for a command that reads or labels it (safe while the daemon runs: WAL).
 * An older schema is not upgraded here: a daemon of the older version may have the file open and
 * would then meet rows it cannot read. `facetag run` upgrades it.
 */
export function openStoreForCommand(
  command: string,
  values: DataDirFlags,
): { db: Db; dataDir: string; config: Config } {
  const config = loadCommandConfig(values);
  const { dataDir } = config;
  if (!existsSync(join(dataDir, DB_FILE))) {
    throw new InputError(
      `${join(dataDir, DB_FILE)}: no database yet (start facetag run first)\n  ${dataDirHint(values)}`,
    );
  }
  const db = openDatabase(dataDir, (from, to) => {
    throw new InputError(
      `${join(dataDir, DB_FILE)}: the database has schema v${from} and this facetag needs v${to}; ` +
        `restart the daemon (or run \`facetag run --once\`) so it upgrades the database, then run facetag ${command} again`,
    );
  });
  return { db, dataDir, config };
}
