import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { trustedProxies } from '../config/trusted-proxies.js';
import { AccountPlans } from '../gateway/account-plans.js';
import type { ApiRoute } from '../gateway/api-document.js';
import type { ConfiguredApiDocument } from '../gateway/api-documents.js';
import { traceFairUsage, traceVerification } from '../gateway/call-tracing.js';
import { forwardAuthPlugin } from '../gateway/forward-auth.js';
import { GatewayMetrics } from '../gateway/gateway-metrics.js';
import { type GatewayContext, gatewayPlugin } from '../gateway/plugin.js';
import { RouteLookalikes } from '../gateway/route-lookalikes.js';
import { SAMPLES_UPSTREAM, servedApis } from '../sample-apis/served-apis.js';
import type { Tracing } from '../services/observability/tracing.js';
import { RecentProofs } from '../services/verification/recent-proofs.js';
import type { UsedProofLog } from '../store/store.js';
import type { Limits } from './limits.js';
import type { TokenChecks } from './token-checks.js';

export interface GatewayParts {
  config: Config;
  /** The process's one verifier and server nonces, shared with the token service. */
  checks: TokenChecks;
  /** The process's counters, usage and account cache, shared with the token service's quotas. */
  limits: Limits;
  /** Where DPoP proof IDs are recorded, once each across instances. */
  proofs: UsedProofLog;
  /** Where the sample APIs listen, when they run. */
  samplesUrl: string | undefined;
  /** The operator's API documents, as read at start. */
  apiDocuments: readonly ConfiguredApiDocument[];
  /** Where tracing is on: the verifier and the fair-usage counters are traced for the gateway only. */
  tracing?: Tracing | undefined;
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
export function gatewayContext({
  config,
  checks,
  limits,
  proofs,
  samplesUrl,
  apiDocuments,
  tracing,
}: GatewayParts): GatewayContext {
  const { routes, upstreams } = loadRoutes(config, apiDocuments, samplesUrl);
  return {
    config,
    routes,
    upstreams,
    verifier: tracing ? traceVerification(tracing, checks.verifier) : checks.verifier,
    limiter: tracing ? traceFairUsage(tracing, limits.counters) : limits.counters,
    plans: new AccountPlans(limits.accounts, config),
    dpop: {
      publicOrigin: new URL(config.audience).origin,
      leewaySeconds: config.clockLeewaySeconds,
      proofs: new RecentProofs(proofs),
      nonces: checks.dpopNonces,
    },
    usage: limits.usage,
    metrics: new GatewayMetrics(),
    certificateHeader: config.clientCertificateHeader,
    proxies: trustedProxies(config.trustProxy),
    lookalikes: new RouteLookalikes(routes),
    tracing,
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
      tracing: context.tracing,
    }),
  );
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
