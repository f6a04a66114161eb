import type { Command } from 'commander';
import { readApiDocuments } from '../../gateway/api-documents.js';
import { explainCall } from '../../gateway/explain-call.js';
import { scopeCatalogueFrom } from '../../gateway/scope-declarations.js';
import { servedApis } from '../../sample-apis/served-apis.js';
import { StoreKeySource } from '../../services/verification/store-key-source.js';
import { printJson } from '../present.js';
import { withStore } from '../store-session.js';
import { UsageError } from '../usage-error.js';
import { AUDIT_ENTRIES_READ, clientRefusals } from './client-refusals.js';

export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description(
      'say whether the gateway would admit a call with this token, and if not exactly why; or, with --client, why a client’s token requests were refused',
    )
    .option('--token <token>', 'the access token (with or without "Bearer ")')
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--path <path>', 'the path under the gateway, e.g. /stats/interactions')
    .option('--client <id>', 'a credential (id or client ID): its refused authentications and what to fix')
    .option('--json', 'print JSON')
    .action(
      async (options: { token?: string; method: string; path?: string; client?: string; json?: boolean }) => {
        if (options.client !== undefined) return explainClient(options.client, options.json === true);
        if (options.token === undefined || options.path === undefined) {
          throw new UsageError('give --token and --path, or --client');
        }
        const call = { token: options.token, method: options.method, path: options.path };
        await withStore(async ({ config, store }) => {
          const documents = readApiDocuments(config);
          const routes = servedApis(config, documents).flatMap((api) => api.routes);
          const explanation = await explainCall(call, {
            config,
            store,
            routes,
            keys: new StoreKeySource(store, config.region),
            catalogue: scopeCatalogueFrom(documents),
          });
          // Exit status 3 tells scripts "refused" apart from errors (1, 2).
          if (!explanation.admitted) process.exitCode = 3;
          if (options.json) return printJson(explanation);
          const verdict = explanation.admitted ? 'ADMITTED' : `REFUSED (${explanation.status})`;
          process.stdout.write(`${verdict}: ${explanation.reason}\n`);
          if (explanation.route) {
            process.stdout.write(
              `  route   ${explanation.route.method} ${explanation.route.path} (${explanation.route.api}), scopes: ${explanation.route.scopes.join(' or ')}\n`,
            );
          }
          if (explanation.token) {
            process.stdout.write(
              `  token   client ${explanation.token.client_id}, scopes ${explanation.token.scopes.join(' ')}, expires ${explanation.token.expires_at}\n`,
            );
          }
        });
      },
    );
}

/** `keygate explain --client`: the credential's refused authentications, each with what to fix. */
async function explainClient(idOrClientId: string, json: boolean): Promise<void> {
  await withStore(async ({ store, credentials }) => {
    const credential = await credentials.find(idOrClientId);
    const refusals = await clientRefusals(store, credential);
    if (json) return printJson(refusals);
    if (refusals.length === 0) {
      process.stdout.write(
        `No refused authentication of ${credential.clientId} in the account's last ${AUDIT_ENTRIES_READ} audit entries.\n`,
      );
      return;
    }
    process.stdout.write(
      `Refused authentications of ${credential.clientId} (${credential.name}), newest first:\n`,
    );
    for (const r of refusals) {
      process.stdout.write(`  ${r.at}  ${r.ip ?? '-'}  ${r.method}  ${r.reason}: ${r.fix}\n`);
    }
  });
}
