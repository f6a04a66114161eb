import type { Command } from 'commander';
import { withStore } from '../store-session.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'create the store, or apply its migrations (safe to run twice; refuses a store written by a newer Keygate)',
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(
        async ({ store }) => {
          if (options.json)
            process.stdout.write(`${JSON.stringify({ dialect: store.dialect, migrated: true })}\n`);
          else process.stdout.write(`The ${store.dialect} store is up to date.\n`);
        },
        { create: true },
      );
    });
}
