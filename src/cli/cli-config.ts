import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CONFIG_FILE_NAME, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';

/** `--data-dir`, when given: every command reads it, so it is the program's option, not a command's. */
let dataDirOption: string | undefined;

/**
 * The global `--data-dir`: a command run from another folder than `keygate start` finds the same
 * store with it, as with KEYGATE_DATA_DIR or the configuration file. It wins over both.
 */
export function addDataDirOption(program: Command): void {
  program
    .option(
      '--data-dir <dir>',
      'the data folder of the embedded store (default: KEYGATE_DATA_DIR, else dataDir in keygate.config.json, else ./data)',
    )
    .hook('preAction', (command) => {
      dataDirOption = (command.opts() as { dataDir?: string }).dataDir;
    });
}

const warned = new Set<string>();

/**
 * The configuration as the server reads it, with `--data-dir` over it. A variable read under its
 * former name is said on stderr, once per process: by the primary alone under `--workers`.
 */
export function cliConfig(): Config {
  return loadConfig({
    ...(dataDirOption === undefined ? {} : { overrides: { dataDir: dataDirOption } }),
    warn: (message) => {
      if (cluster.isPrimary && !warned.has(message)) process.stderr.write(`warning: ${message}\n`);
      warned.add(message);
    },
  });
}

/** Where the data folder's setting came from, for a message that says which one to change. */
export function dataDirSource(): string {
  if (dataDirOption !== undefined) return '--data-dir';
  if (process.env.KEYGATE_DATA_DIR) return 'KEYGATE_DATA_DIR';
  const file = process.env.KEYGATE_CONFIG ? resolve(process.env.KEYGATE_CONFIG) : resolve(CONFIG_FILE_NAME);
  if (existsSync(file)) return `dataDir in ${file}, else ./data of the current directory`;
  return `./data of the current directory, which has no ${CONFIG_FILE_NAME}`;
}
