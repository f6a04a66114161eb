import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { startKeygate } from '../../server/keygate.js';
import { JWKS_PATH, METADATA_PATH, TOKEN_PATH } from '../../token-service/metadata.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run Keygate (every role, one region) on the configured store')
    .action(async () => {
      const config = loadConfig();
      const keygate = await startKeygate(config);
      const lines = [
        '',
        `Keygate is running for region ${config.region} (store: ${config.databaseUrl ? `PostgreSQL, schema ${config.databaseSchema ?? 'public'}` : `SQLite in ${config.dataDir}`})`,
        `  token endpoint  ${keygate.url}${TOKEN_PATH}`,
        `  metadata        ${keygate.url}${METADATA_PATH}`,
        `  JWKS            ${keygate.url}${JWKS_PATH}`,
        `  issuer          ${config.publicUrl}`,
        ...(keygate.gatewayUrl
          ? [`  API gateway     ${keygate.gatewayUrl}  (audience ${config.audience})`]
          : []),
        ...(keygate.samplesUrl
          ? [
              `  sample APIs     ${keygate.samplesUrl}  (samples with generated data, reached through the gateway)`,
            ]
          : []),
        '',
        'Create API credentials:  npx keygate credentials create --name "Wallboard" --scope agents-availability:read',
      ];
      if (keygate.bootstrap.createdAdmin) {
        lines.push(`First admin: ${config.bootstrapAdminEmail}`);
        if (keygate.bootstrap.generatedAdminPassword) {
          lines.push(`  password (shown once): ${keygate.bootstrap.generatedAdminPassword}`);
        }
      }
      if (keygate.masterKeyOrigin === 'generated') {
        lines.push(
          `Generated a master key in ${config.dataDir}/master.key; in production set KEYGATE_MASTER_KEY.`,
        );
      }
      process.stderr.write(`${lines.join('\n')}\n\n`);

      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        keygate.logger.info({ signal }, 'shutting down');
        keygate.close().then(
          () => process.exit(0),
          (error: unknown) => {
            keygate.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}
