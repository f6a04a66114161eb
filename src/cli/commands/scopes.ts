import type { Command } from 'commander';
import { printJson, printTable } from '../present.js';
import { withStore } from '../store-session.js';

/**
 * `keygate scopes`: the catalogue, VCC's scopes and those the configured API documents declare,
 * then any scope that credentials still hold but no configured document declares any more.
 */
export function registerScopesCommand(program: Command): void {
  program
    .command('scopes')
    .description('list the scopes credentials may be given: VCC’s and those your API documents declare')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(async ({ store, credentials }) => {
        const { catalogue } = credentials;
        const offered = catalogue.scopes.map((scope) => ({
          scope: scope.value,
          api: scope.api,
          grantable_by: scope.grantableBy,
          status: 'available',
          description: scope.description,
        }));
        const heldByCredentials = new Map<string, number>();
        for (const account of await store.accounts.list()) {
          for (const credential of await store.credentials.list(account.id)) {
            for (const scope of credential.scopes) {
              if (!catalogue.has(scope))
                heldByCredentials.set(scope, (heldByCredentials.get(scope) ?? 0) + 1);
            }
          }
        }
        const unavailable = [...heldByCredentials].map(([scope, count]) => ({
          scope,
          api: null,
          grantable_by: [],
          status: 'unavailable',
          description: `held by ${count} credential${count === 1 ? '' : 's'}; no configured API document declares it, so no token is issued for it`,
        }));
        const rows = [...offered, ...unavailable];
        if (options.json) return printJson(rows);
        printTable(rows, 'no scopes');
      });
    });
}
