import type { AdmittedToken } from '../services/verification/access-token-verifier.js';
import type { ApiRoute } from './api-document.js';

/**
 * Whether an admitted token may call a route, on the token alone: the gateway, forward-auth
 * (admit-call.ts) and `keygate explain` ask here, so none admits a call another refuses.
 * - `other_resource`: the token was asked for another API's resource (RFC 8707), no key to this one;
 * - `no_scope`: it holds none of the scopes the route accepts;
 * - else the first of the route's scopes that the token holds, the one that admits the call.
 */
export function routeFit(
  route: Pick<ApiRoute, 'scopes' | 'resource'>,
  token: Pick<AdmittedToken, 'scopes' | 'resource'>,
): { scope: string } | 'other_resource' | 'no_scope' {
  if (token.resource !== undefined && token.resource !== route.resource) return 'other_resource';
  const scope = route.scopes.find((s) => token.scopes.includes(s));
  return scope === undefined ? 'no_scope' : { scope };
}
