import { decodeJwt } from 'jose';
import { apiResources } from '../config/api-resources.js';
import type { Config } from '../config/schema.js';
import type { ScopeCatalogue } from '../core/scopes.js';
import {
  AccessTokenVerifier,
  type TokenRefusal,
  type VerificationKeySource,
} from '../services/verification/access-token-verifier.js';
import { RevocationList } from '../services/verification/revocation-list.js';
import type { Store } from '../store/store.js';
import type { ApiRoute } from './api-document.js';
import { GatewayError } from './gateway-error.js';
import { forwardedTarget } from './request-target.js';
import { routeFit } from './route-fit.js';
import { RouteLookalikes } from './route-lookalikes.js';
import { RouteTable } from './route-table.js';

export interface Explanation {
  admitted: boolean;
  /** The status the gateway would answer with before reaching the API (200 when admitted). */
  status: number;
  reason: string;
  route: { api: string; method: string; path: string; scopes: string[] } | null;
  token: { client_id: string; account_id: string; scopes: readonly string[]; expires_at: string } | null;
}

const REASONS: Record<TokenRefusal, string> = {
  malformed: 'the token is not a well-formed Keygate access token',
  signature: 'the signature does not verify: the token was altered or not issued by this Keygate',
  unknown_key: 'the token names a signing key this Keygate does not publish',
  type: 'the token is not an access token (typ is not at+jwt)',
  issuer: 'the token was issued by another issuer',
  audience: 'the token is for another audience (another gateway)',
  region: 'the token was issued for another region',
  expired: 'the token has expired',
  not_yet_valid: 'the token is not valid yet (check the clocks)',
  issued_in_future: 'the token says it was issued in the future (check the clocks)',
  revoked: 'the token has been revoked',
  credential_gone: 'the credential the token was issued to no longer exists',
  credential_disabled: 'the credential the token was issued to is disabled',
  credential_expired: 'the credential the token was issued to has expired',
  scope_removed: 'the credential no longer holds any of the token’s scopes',
  dpop_required: 'the credential requires DPoP-bound tokens, and this is a bearer token',
};

/**
 * Says whether the gateway would admit a call, and if not exactly why (`keygate explain`). The token
 * is judged by the same verifier as the gateway's, with the same configuration; the route is found
 * by the gateway's matcher (route-table.ts), lookalike paths refused as the gateway refuses them.
 */
export async function explainCall(
  input: { token: string; method: string; path: string },
  deps: {
    config: Config;
    store: Store;
    routes: readonly ApiRoute[];
    keys: VerificationKeySource;
    catalogue: ScopeCatalogue;
  },
): Promise<Explanation> {
  const method = input.method.toUpperCase();
  const path = input.path.split('?')[0]!;
  const matched = new RouteTable(deps.routes).find(method, input.path);
  const route = matched ? { api: matched.api, method, path: matched.path, scopes: matched.scopes } : null;
  const target = matched && targetRefusal(deps.routes, matched, input.path);
  if (target) return { admitted: false, status: 400, reason: target, route, token: null };
  const accessToken = input.token.replace(/^bearer\s+/i, '');
  const verdict = await verifierFor(deps).verify(accessToken);
  if (!matched) {
    // A token for an API whose document was removed: its scope is no longer in the catalogue.
    const gone = verdict.admitted ? verdict.token.scopes.filter((s) => !deps.catalogue.has(s)) : [];
    const why =
      gone.length === 0
        ? ''
        : `; the token's scope ${gone.join(' ')} is no longer offered (no configured API document declares it)`;
    return {
      admitted: false,
      status: 404,
      reason: `no API declares ${method} ${path}${why}`,
      route,
      token: null,
    };
  }
  if (!verdict.admitted) {
    const reason =
      verdict.reason === 'issuer'
        ? issuerRefusal(accessToken, deps.config.publicUrl)
        : REASONS[verdict.reason];
    return { admitted: false, status: 401, reason, route, token: null };
  }
  const verified = verdict.token;
  const token = {
    client_id: verified.clientId,
    account_id: verified.accountId,
    scopes: verified.scopes,
    expires_at: new Date(verified.expiresAt * 1000).toISOString(),
  };
  const fit = routeFit(matched, verified);
  if (fit === 'other_resource') {
    return {
      admitted: false,
      status: 401,
      reason: `the token is for the API at ${verified.resource} alone (its RFC 8707 resource), and ${method} ${matched.path} is another API's`,
      route,
      token,
    };
  }
  if (fit === 'no_scope') {
    return {
      admitted: false,
      status: 403,
      reason: `the token has ${verified.scopes.join(' ')}; ${method} ${matched.path} needs one of: ${matched.scopes.join(' ')}`,
      route,
      token,
    };
  }
  // What a bound token needs beyond itself: a proof by its key, its certificate on the connection.
  const needs = [
    ...(verified.jkt === undefined
      ? []
      : [
          `it is DPoP-bound to key ${verified.jkt}, so the call needs Authorization: DPoP and a fresh proof signed by that key`,
        ]),
    ...(verified.x5t === undefined
      ? []
      : [
          `it is bound to the client certificate ${verified.x5t}, so the call must come over mutual TLS with that certificate`,
        ]),
  ];
  return {
    admitted: true,
    status: 200,
    reason: ['the token is valid and holds a scope the route accepts', ...needs].join('; '),
    route,
    token,
  };
}

/** The gateway's verifier, configured as the gateway's, over the store's revocations and credentials. */
function verifierFor(deps: { config: Config; store: Store; keys: VerificationKeySource }) {
  const revocations = new RevocationList(deps.store);
  const verifier = new AccessTokenVerifier(
    {
      keys: deps.keys,
      revocations,
      credentials: { get: (clientId) => deps.store.credentials.findByClientId(clientId) },
    },
    {
      issuer: deps.config.publicUrl,
      audience: deps.config.audience,
      resources: apiResources(deps.config),
      region: deps.config.region,
      leewaySeconds: deps.config.clockLeewaySeconds,
      maxCachedTokens: 1,
    },
  );
  return {
    async verify(token: string) {
      await revocations.load();
      return verifier.verify(token);
    },
  };
}

/**
 * Why the gateway refuses the request target `url` of `route` before reading the token: one an
 * upstream could read differently (request-target.ts), or a lookalike of another route.
 */
function targetRefusal(routes: readonly ApiRoute[], route: ApiRoute, url: string): string | undefined {
  try {
    const target = forwardedTarget(url);
    new RouteLookalikes(routes).refuseLookalike(route, target);
    return undefined;
  } catch (error) {
    if (error instanceof GatewayError) return error.message;
    throw error;
  }
}

/**
 * Which issuer the token names, beside this one's. Its signature verified with this Keygate's key
 * before the issuer was compared, so the name is this Keygate's own: most likely the issuer it had
 * before. The default moved from the origin to the origin plus `/Auth` (ADR 0007), which refuses
 * every token of a deployment that ran on the default until they expire; the operator is told how
 * to keep the old issuer instead.
 */
function issuerRefusal(token: string, issuer: string): string {
  const iss = decodeJwt(token).iss;
  const named = `${REASONS.issuer}: ${JSON.stringify(iss)}, not ${JSON.stringify(issuer)}`;
  if (iss !== new URL(issuer).origin) return named;
  return `${named}; it was issued before the default issuer moved under /Auth: publicUrl ${JSON.stringify(iss)} (KEYGATE_PUBLIC_URL) keeps the old issuer`;
}
