import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { DomainError } from '../core/domain-error.js';
import { addDataDirOption } from './cli-config.js';
import { registerAccountCommands } from './commands/accounts.js';
import { registerCallerCommands } from './commands/caller.js';
import { registerCredentialCommands } from './commands/credentials.js';
import { registerDeclarativeCommands } from './commands/declarative.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerScopesCommand } from './commands/scopes.js';
import { registerStartCommand } from './commands/start.js';
import { registerUserCommands } from './commands/users.js';
import { UsageError } from './usage-error.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command('keygate')
    .description('Keygate: API credentials, bearer tokens and a scope-checking API gateway')
    .version(version)
    .showHelpAfterError()
    .exitOverride();
  addDataDirOption(program);
  registerStartCommand(program);
  registerMigrateCommand(program);
  registerAccountCommands(program);
  registerCredentialCommands(program);
  registerScopesCommand(program);
  registerUserCommands(program);
  registerDeclarativeCommands(program);
  registerKeyCommands(program);
  registerExplainCommand(program);
  registerCallerCommands(program);
  return program;
}

/** Runs the CLI; known errors print one clear line and exit non-zero, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof DomainError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = error.code === 'not_found' ? 4 : 2;
      return;
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
