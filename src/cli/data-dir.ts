/**
 * Where a command finds the daemon's data folder: `--data-dir`, then FACETAG_DATA_DIR, then the
 * config file's `dataDir`, then the default ($STATE_DIRECTORY, $XDG_DATA_HOME/facetag,
 * ~/.local/share/facetag). loadConfig applies the last three; this adds the flag and says which
 * one was used, so "no database" errors can point at the setting to fix.
 */
import { type FlagSetting, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { UsageError } from './args.js';

export interface DataDirFlags {
  readonly 'data-dir'?: string | undefined;
  readonly config?: string | undefined;
}

/** The config of a command taking `--config` and `--data-dir`; `config.dataDir` is the folder to use. */
export function loadCommandConfig(
  values: DataDirFlags,
  env: NodeJS.ProcessEnv = process.env,
  settings: readonly FlagSetting[] = [],
): Config {
  const flag = values['data-dir'];
  if (flag === '') throw new UsageError('--data-dir needs a folder');
  return loadConfig({
    ...(values.config ? { file: values.config } : {}),
    env,
    overrides: { ...(flag === undefined ? {} : { dataDir: flag }), settings },
  });
}

/** Which setting chose the data folder, for messages: "--data-dir", "FACETAG_DATA_DIR", … */
export function dataDirOrigin(values: DataDirFlags, env: NodeJS.ProcessEnv = process.env): string {
  if (values['data-dir'] !== undefined) return '--data-dir';
  if (env.FACETAG_DATA_DIR) return 'FACETAG_DATA_DIR';
  // Whether the file sets dataDir is not known here; the file is at least where to look.
  if (values.config) return `the default or ${values.config}`;
  return 'the default';
}

/** The hint after "not found" errors: how to point the command at the daemon's folder. */
export function dataDirHint(values: DataDirFlags, env: NodeJS.ProcessEnv = process.env): string {
  const origin = dataDirOrigin(values, env);
  if (origin === '--data-dir') return 'check --data-dir: the daemon logs its dataDir when it starts';
  return (
    `the data folder came from ${origin}; if the daemon keeps its data elsewhere, ` +
    'give --data-dir DIR or set FACETAG_DATA_DIR=DIR (the daemon logs its dataDir when it starts)'
  );
}
