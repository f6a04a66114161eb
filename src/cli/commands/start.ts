import cluster from 'node:cluster';
import type { Command } from 'commander';
import { type Config, needsMasterKey, ROLES } from '../../config/schema.js';
import { deriveKeys, loadMasterKey } from '../../crypto/master-key.js';
import {
  CLUSTER_WORKER_ENV,
  clusterMetricsPage,
  isKeygateClusterWorker,
  reportToClusterPrimary,
} from '../../server/cluster-metrics.js';
import { type RunningKeygate, startKeygate } from '../../server/keygate.js';
import { listenForMetrics } from '../../server/metrics-listener.js';
import { sampleExportStorage } from '../../server/surfaces.js';
import { gatewayJwksUrl } from '../../server/token-checks.js';
import { type BootstrapResult, bootstrap } from '../../services/upkeep/bootstrap.js';
import { openStore } from '../../store/open-store.js';
import { JWKS_PATH, metadataPaths, TOKEN_PATH } from '../../token-service/metadata.js';
import { cliConfig } from '../cli-config.js';
import { UsageError } from '../usage-error.js';

interface Banner {
  config: Config;
  url: string | undefined;
  adminUrl: string | undefined;
  gatewayUrl: string | undefined;
  metricsUrl: string | undefined;
  forwardAuthUrl: string | undefined;
  samplesUrl: string | undefined;
  bootstrap: BootstrapResult | undefined;
  masterKeyOrigin: string | undefined;
  workers: number;
  /** Each worker counts quotas and fair-usage limits alone (`--per-worker-limits`, no Redis). */
  perWorkerLimits: boolean;
}

function printBanner(b: Banner): void {
  const { config } = b;
  const store = config.databaseUrl
    ? `PostgreSQL, schema ${config.databaseSchema ?? 'public'}`
    : `SQLite in ${config.dataDir}`;
  const every = config.roles.length === ROLES.length;
  const lines = [
    '',
    `Keygate is running for region ${config.region} (store: ${store}${every ? '' : `; roles: ${config.roles.join(', ')}`}${b.workers > 1 ? `; ${b.workers} workers` : ''})`,
    ...(b.adminUrl
      ? [
          `  portal          ${b.adminUrl}/portal/`,
          `  admin API       ${b.adminUrl}/admin/v1  (OpenAPI: ${b.adminUrl}/admin/v1/openapi.json)`,
        ]
      : []),
    ...(b.url
      ? [
          `  token endpoint  ${b.url}${TOKEN_PATH}`,
          `  metadata        ${b.url}${metadataPaths(config)[0]} (and ${metadataPaths(config)[1]})`,
          `  JWKS            ${b.url}${JWKS_PATH}`,
        ]
      : []),
    `  issuer          ${config.publicUrl}`,
    ...(b.gatewayUrl ? [`  API gateway     ${b.gatewayUrl}  (audience ${config.audience})`] : []),
    ...(b.gatewayUrl && !b.url ? [`  keys from       ${gatewayJwksUrl(config)}`] : []),
    ...(b.forwardAuthUrl
      ? [`  forward-auth    ${b.forwardAuthUrl}  (for a proxy's auth_request, forward_auth or ext_authz)`]
      : []),
    ...(b.metricsUrl ? [`  metrics         ${b.metricsUrl}/metrics  (Prometheus; ops listener)`] : []),
    ...(b.samplesUrl
      ? [
          `  sample APIs     ${b.samplesUrl}  (samples with generated data, reached through the gateway)`,
          `  sample exports  to ${sampleExportStorage(config).description}`,
        ]
      : []),
    '',
  ];
  if (b.perWorkerLimits) {
    lines.push(
      `Limits are per worker: without Redis each of the ${b.workers} workers counts token quotas and fair-usage`,
      `  limits alone, so every limit allows ${b.workers} times as many; set KEYGATE_REDIS_URL to share them.`,
    );
  }
  if (b.adminUrl) {
    lines.push(
      `Create API credentials in the portal (${b.adminUrl}/portal/ → API Credentials → Create New), or:`,
      '  npx keygate credentials create --name "Wallboard" --scope agents-availability:read',
    );
  }
  if (b.bootstrap?.createdAdmin) {
    lines.push(`Log in to the portal as the first admin: ${config.bootstrapAdminEmail}`);
    if (b.bootstrap.generatedAdminPassword)
      lines.push(`  password (shown once, keep it): ${b.bootstrap.generatedAdminPassword}`);
  } else if (b.adminUrl) {
    lines.push('Log in to the portal with an existing user; add users with `npx keygate users create`.');
  }
  if (b.masterKeyOrigin === 'generated') {
    lines.push(
      `Generated a master key in ${config.dataDir}/master.key; in production set KEYGATE_MASTER_KEY.`,
    );
  }
  while (lines.at(-1) === '') lines.pop(); // a gateway-only banner ends with its URLs
  process.stderr.write(`${lines.join('\n')}\n\n`);
}

/**
 * Stops on SIGINT/SIGTERM after finishing in-flight requests (Fastify's close waits for them); a
 * second signal stops at once, for an operator who will not wait for a slow API call.
 */
function closeOnSignals(close: () => Promise<void>, log: (message: string) => void): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      log(`${signal} again: stopping without waiting for calls in flight`);
      process.exit(1);
    }
    closing = true;
    log(`${signal}: shutting down`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * Workers count token quotas and fair-usage limits in their own memory unless Redis is shared, so
 * N workers would quietly allow N times every limit: that takes the operator's explicit consent.
 */
function checkSharedCounters(config: Config, workers: number, consented: boolean): void {
  if (config.redisUrl !== undefined || consented) return;
  throw new UsageError(
    `--workers ${workers} without Redis would let each worker count token quotas and fair-usage limits ` +
      `alone, so every limit would allow ${workers} times as many. Set KEYGATE_REDIS_URL (redisUrl) so the ` +
      `workers share the counts, run one worker, or pass --per-worker-limits to accept limits ${workers} ` +
      'times as high',
  );
}

/** The primary of `--workers N`: prepares the store once, then keeps N workers running. */
async function runPrimary(config: Config, workers: number, perWorkerLimits: boolean): Promise<void> {
  // A gateway-only primary reads no master key, and only migrates.
  const master = needsMasterKey(config.roles) ? loadMasterKey(config) : undefined;
  const store = openStore(config);
  let bootstrapResult: BootstrapResult | undefined;
  try {
    await store.migrate();
    if (master) bootstrapResult = await bootstrap(store, config, deriveKeys(master.key).keyEncryptionKey);
  } finally {
    await store.close();
  }
  const local = (port: number, host = config.host) =>
    `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  let stopping = false;
  const fork = () => cluster.fork(CLUSTER_WORKER_ENV);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    process.stderr.write(`worker ${worker.process.pid} ended (${signal ?? code}); starting another\n`);
    fork();
  });
  for (let i = 0; i < workers; i++) fork();
  const roles = new Set(config.roles);
  const servesGateway = roles.has('gateway');
  // The workers' metrics, summed, on the primary's ops listener (the workers open none).
  const page = clusterMetricsPage();
  const metrics = servesGateway
    ? await listenForMetrics(
        { host: config.metricsHost, port: config.metricsPort },
        page.read,
        page.contentType,
      )
    : undefined;
  const adminUrl =
    config.adminPort === undefined ? local(config.port) : local(config.adminPort, config.adminHost);
  printBanner({
    config,
    url: roles.has('token-service') ? local(config.port) : undefined,
    adminUrl: roles.has('admin') ? adminUrl : undefined,
    gatewayUrl: servesGateway ? local(config.gatewayPort) : undefined,
    metricsUrl: metrics?.url,
    forwardAuthUrl:
      servesGateway && config.forwardAuthPort !== undefined
        ? local(config.forwardAuthPort, config.forwardAuthHost)
        : undefined,
    samplesUrl: servesGateway && config.samplesEnabled ? `http://127.0.0.1:${config.samplesPort}` : undefined,
    bootstrap: bootstrapResult,
    masterKeyOrigin: master?.origin,
    workers,
    perWorkerLimits,
  });
  closeOnSignals(
    async () => {
      stopping = true;
      const exits = Object.values(cluster.workers ?? {}).map(
        (worker) => new Promise((resolve) => worker?.once('exit', resolve)),
      );
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      await Promise.all(exits);
      await metrics?.close();
    },
    (message) => process.stderr.write(`${message}\n`),
  );
}

/** Where the settings come from: `start` takes none as options, so its help says where they go. */
const CONFIGURATION_HELP = `
Configuration (later sources win):
  keygate.config.json   in the current directory, or the file KEYGATE_CONFIG names
  KEYGATE_* variables   one per option, KEYGATE_ and its key in SCREAMING_SNAKE_CASE, e.g.
                        KEYGATE_PORT=8080, KEYGATE_DATA_DIR=./data, KEYGATE_LOG_LEVEL=debug,
                        KEYGATE_LOGIN_LIMITS_LOCK_SECONDS=600, KEYGATE_UPSTREAMS='{"stats":"…"}' (JSON)
Every option, its variable and its default: docs/configuration.md in Keygate's repository.`;

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run Keygate for one region on the configured store (every role unless `roles` says otherwise)',
    )
    .option('--workers <n>', 'processes sharing the ports (Node cluster); default 1', (v) => Number(v))
    .option(
      '--per-worker-limits',
      'with --workers and no Redis: let each worker count quotas and fair-usage limits alone (N times as high)',
    )
    .addHelpText('after', CONFIGURATION_HELP)
    .action(async (options: { workers?: number; perWorkerLimits?: boolean }) => {
      const workers = options.workers ?? 1;
      if (!Number.isInteger(workers) || workers < 1 || workers > 64)
        throw new UsageError('--workers must be 1–64');
      const config = cliConfig();
      if (workers > 1 && cluster.isPrimary) {
        if (
          config.port === 0 ||
          config.gatewayPort === 0 ||
          config.samplesPort === 0 ||
          config.adminPort === 0
        ) {
          throw new UsageError(
            '--workers needs fixed ports (port, gatewayPort, samplesPort and adminPort other than 0)',
          );
        }
        checkSharedCounters(config, workers, options.perWorkerLimits === true);
        return runPrimary(config, workers, config.redisUrl === undefined);
      }
      if (isKeygateClusterWorker()) reportToClusterPrimary();
      const keygate: RunningKeygate = await startKeygate(config);
      if (cluster.isPrimary) {
        printBanner({ ...keygate, config, bootstrap: keygate.bootstrap, workers: 1, perWorkerLimits: false });
      }
      closeOnSignals(keygate.close, (message) => keygate.logger.info(message));
    });
}
