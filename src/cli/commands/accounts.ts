import type { Command } from 'commander';
import { createAccount } from '../../services/credentials/accounts.js';
import { accountJson, printJson, printTable } from '../present.js';
import { withStore } from '../store-session.js';

export function registerAccountCommands(program: Command): void {
  const accounts = program.command('accounts').description('create and list accounts');

  accounts
    .command('create')
    .description('create an account in a region')
    .requiredOption('--name <name>', 'the account name')
    .option('--region <region>', 'its home region (default: the configured region)')
    .option('--json', 'print JSON')
    .action(async (options: { name: string; region?: string; json?: boolean }) => {
      await withStore(async ({ store, config }) => {
        const account = await createAccount(store, {
          name: options.name,
          region: options.region ?? config.region,
        });
        if (options.json) return printJson(accountJson(account));
        process.stdout.write(`Created account "${account.name}" in ${account.region} (${account.id}).\n`);
      });
    });

  accounts
    .command('list')
    .description('list accounts')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(async ({ store }) => {
        const list = await store.accounts.list();
        if (options.json) return printJson(list.map(accountJson));
        printTable(
          list.map((a) => ({ id: a.id, name: a.name, region: a.region, created: a.createdAt })),
          'No accounts yet.',
        );
      });
    });
}
