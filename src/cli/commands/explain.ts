import type { Command } from 'commander';
import { explainCall } from '../../gateway/explain-call.js';
import { scopeCatalogueOf } from '../../server/api-documents.js';
import { loadRoutes } from '../../server/gateway-surface.js';
import { StoreKeySource } from '../../services/store-key-source.js';
import { printJson } from '../present.js';
import { withStore } from '../store-session.js';

export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description('say whether the gateway would admit a call with this token, and if not exactly why')
    .requiredOption('--token <token>', 'the access token (with or without "Bearer ")')
    .option('--method <method>', 'HTTP method', 'GET')
    .requiredOption('--path <path>', 'the path under the gateway, e.g. /stats/interactions')
    .option('--json', 'print JSON')
    .action(async (options: { token: string; method: string; path: string; json?: boolean }) => {
      await withStore(async ({ config, store }) => {
        const { routes } = loadRoutes(config, config.samplesEnabled ? 'http://samples.invalid' : undefined);
        const explanation = await explainCall(options, {
          config,
          store,
          routes,
          keys: new StoreKeySource(store, config.region),
          catalogue: scopeCatalogueOf(config),
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
    });
}
