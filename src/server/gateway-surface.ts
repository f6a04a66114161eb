import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { AccessTokenVerifier } from '../gateway/access-token-verifier.js';
import { AccountPlans } from '../gateway/account-plans.js';
import {
  type ApiDocument,
  ApiDocumentError,
  type ApiRoute,
  routesFromDocument,
} from '../gateway/api-document.js';
import { GatewayMetrics } from '../gateway/gateway-metrics.js';
import { JwksCache } from '../gateway/jwks-cache.js';
import { gatewayPlugin } from '../gateway/plugin.js';
import { RateLimiter } from '../gateway/rate-limiter.js';
import { RedisRateLimiter } from '../gateway/redis-rate-limiter.js';
import type { RevocationList } from '../gateway/revocation-list.js';
import { SAMPLE_APIS } from '../sample-apis/index.js';
import type { AccountCache } from '../services/account-cache.js';
import type { Store } from '../store/store.js';
import type { CredentialCache } from '../token-service/credential-cache.js';
import { JWKS_PATH } from '../token-service/metadata.js';
import type { UsageRecorder } from '../token-service/usage-recorder.js';

export interface GatewayDependencies {
  config: Config;
  store: Store;
  credentials: CredentialCache;
  accounts: AccountCache;
  revocations: RevocationList;
  usage: UsageRecorder;
  /** This process's token service, when it runs one (its JWKS is then the default). */
  ownTokenServiceUrl: string | undefined;
  /** Where the sample APIs listen, when they run. */
  samplesUrl: string | undefined;
  onError: (message: string, error: unknown) => void;
  onInfo: (message: string) => void;
}

/** Where the gateway fetches keys: `jwksUrl`, else this process's token service, else the issuer's. */
export function gatewayJwksUrl(config: Config, ownTokenServiceUrl: string | undefined): string {
  return config.jwksUrl ?? `${ownTokenServiceUrl ?? config.publicUrl}${JWKS_PATH}`;
}

/** The API documents behind the gateway and the upstream of each API. */
export function loadRoutes(
  config: Config,
  samplesUrl: string | undefined,
): { routes: ApiRoute[]; upstreams: Map<string, string> } {
  const routes: ApiRoute[] = [];
  const upstreams = new Map<string, string>();
  for (const sample of SAMPLE_APIS) {
    const api = sample.document['x-keygate-api'];
    const upstream = config.upstreams[api] ?? samplesUrl;
    if (!upstream) continue; // samples off and no real upstream named: the API is not served
    routes.push(...routesFromDocument(sample.document, `sample API ${api}`));
    upstreams.set(api, stripSlash(upstream));
  }
  for (const { file, upstream } of config.apiDocuments) {
    let document: ApiDocument;
    try {
      document = JSON.parse(readFileSync(file, 'utf8')) as ApiDocument;
    } catch (error) {
      throw new ApiDocumentError(`apiDocuments: cannot read ${file}: ${(error as Error).message}`);
    }
    const documentRoutes = routesFromDocument(document, file);
    routes.push(...documentRoutes);
    for (const route of documentRoutes) upstreams.set(route.api, stripSlash(upstream));
  }
  return { routes, upstreams };
}

export async function buildGateway(
  app: FastifyInstance,
  deps: GatewayDependencies,
): Promise<{ jwks: JwksCache; metrics: GatewayMetrics }> {
  const { config } = deps;
  const { routes, upstreams } = loadRoutes(config, deps.samplesUrl);
  const jwks = new JwksCache({
    url: gatewayJwksUrl(config, deps.ownTokenServiceUrl),
    cooldownMs: config.jwksCooldownSeconds * 1000,
    refreshMs: 5 * 60_000,
    onError: (error) => deps.onError('fetching the JWKS failed; keeping the keys already held', error),
  });
  const verifier = new AccessTokenVerifier(jwks, deps.revocations, deps.credentials, {
    issuer: config.publicUrl,
    audience: config.audience,
    region: config.region,
    leewaySeconds: config.clockLeewaySeconds,
    maxCachedTokens: 100_000,
  });
  const metrics = new GatewayMetrics();
  await app.register(async (scope) =>
    gatewayPlugin(scope, {
      config,
      routes,
      upstreams,
      verifier,
      limiter: config.redisUrl
        ? new RedisRateLimiter(config.redisUrl, new RateLimiter(), {
            warn: (message) => deps.onError(message, undefined),
            info: (message) => deps.onInfo(message),
          })
        : new RateLimiter(),
      plans: new AccountPlans(deps.accounts, config),
      usage: deps.usage,
      metrics,
    }),
  );
  return { jwks, metrics };
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
