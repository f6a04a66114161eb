import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { trustedProxies } from '../config/trusted-proxies.js';
import { AccountPlans } from '../gateway/account-plans.js';
import type { ApiRoute } from '../gateway/api-document.js';
import type { ConfiguredApiDocument } from '../gateway/api-documents.js';
import { forwardAuthPlugin } from '../gateway/forward-auth.js';
import { GatewayMetrics } from '../gateway/gateway-metrics.js';
import { type GatewayContext, gatewayPlugin } from '../gateway/plugin.js';
import { RouteLookalikes } from '../gateway/route-lookalikes.js';
import { SAMPLES_UPSTREAM, servedApis } from '../sample-apis/served-apis.js';
import type { AccountCache } from '../services/limits/account-cache.js';
import type { RequestCounter } from '../services/limits/rate-limiter.js';
import type { UsageRecorder } from '../services/limits/usage-recorder.js';
import type { AccessTokenVerifier } from '../services/verification/access-token-verifier.js';
import type { DpopNonces } from '../services/verification/dpop-nonces.js';
import type { UsedProofLog } from '../store/store.js';

export interface GatewayDependencies {
  config: Config;
  verifier: AccessTokenVerifier;
  accounts: AccountCache;
  usage: UsageRecorder;
  /** The process's request counters, shared with the token service's quotas (shared-services.ts). */
  counters: RequestCounter;
  /** Where DPoP proof IDs are recorded, once each across instances. */
  proofs: UsedProofLog;
  /** Where DPoP proofs must carry a server nonce (`dpopNonces`). */
  nonces: DpopNonces | undefined;
  /** Where the sample APIs listen, when they run. */
  samplesUrl: string | undefined;
  /** The operator's API documents, as read at start. */
  apiDocuments: readonly ConfiguredApiDocument[];
}

/** The routes behind the gateway and the upstream of each API, the samples' at `samplesUrl`. */
export function loadRoutes(
  config: Config,
  documents: readonly ConfiguredApiDocument[],
  samplesUrl: string | undefined,
): { routes: ApiRoute[]; upstreams: Map<string, string> } {
  const routes: ApiRoute[] = [];
  const upstreams = new Map<string, string>();
  for (const { api, routes: apiRoutes, upstream } of servedApis(config, documents)) {
    const url = upstream === SAMPLES_UPSTREAM ? samplesUrl : upstream;
    if (url === undefined) continue; // the samples run only in a gateway process
    routes.push(...apiRoutes);
    upstreams.set(api, stripSlash(url));
  }
  return { routes, upstreams };
}

/** What the gateway and forward-auth share: the routes, one rate limiter, one set of metrics. */
export function gatewayContext(deps: GatewayDependencies): GatewayContext {
  const { config } = deps;
  const { routes, upstreams } = loadRoutes(config, deps.apiDocuments, deps.samplesUrl);
  return {
    config,
    routes,
    upstreams,
    verifier: deps.verifier,
    limiter: deps.counters,
    plans: new AccountPlans(deps.accounts, config),
    dpop: {
      publicOrigin: new URL(config.audience).origin,
      leewaySeconds: config.clockLeewaySeconds,
      proofs: deps.proofs,
      nonces: deps.nonces,
    },
    usage: deps.usage,
    metrics: new GatewayMetrics(),
    certificateHeader: config.clientCertificateHeader,
    proxies: trustedProxies(config.trustProxy),
    lookalikes: new RouteLookalikes(routes),
  };
}

export async function buildGateway(app: FastifyInstance, context: GatewayContext): Promise<void> {
  await app.register(async (scope) => gatewayPlugin(scope, context));
}

/** Forward-auth on its own listener's app, with the gateway's checks (not its calls in progress). */
export async function buildForwardAuth(app: FastifyInstance, context: GatewayContext): Promise<void> {
  const { verifier, limiter, plans, dpop, routes, usage, metrics, certificateHeader, proxies, lookalikes } =
    context;
  await app.register(async (scope) =>
    forwardAuthPlugin(scope, {
      checks: { verifier, limiter, plans, dpop, usage, certificateHeader, proxies, lookalikes },
      routes,
      usage,
      metrics,
    }),
  );
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
