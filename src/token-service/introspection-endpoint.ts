import { InvalidRequest } from '../core/errors.js';
import type { TokenServiceContext } from './context.js';
import { fromStore } from './from-store.js';
import { authenticateClient } from './token/authenticate-client.js';
import { readForm } from './token/read-form.js';
import type { TokenRequest } from './token-endpoint.js';

export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      aud: string;
      iss: string;
      exp: number;
      iat: number;
      jti: string;
      token_type: 'Bearer' | 'DPoP';
      cnf?: { jkt?: string; 'x5t#S256'?: string };
      account_id: string;
      region: string;
    };

/**
 * POST /Auth/connect/introspect (RFC 7662). The caller authenticates with its own credentials and
 * learns about tokens of its own account only; any other token reads as inactive. A token is active
 * exactly when the gateway would admit it for some route: both ask the one verifier, and `scope`
 * names only the scopes its credential still holds.
 */
export async function handleIntrospection(
  context: TokenServiceContext,
  request: TokenRequest,
): Promise<IntrospectionResponse> {
  const params = readForm(request.body);
  const { credential: caller } = await authenticateClient(context, { ...request, params });
  if (params.token === undefined) throw new InvalidRequest('The token parameter is missing');

  const verdict = await fromStore(context.verifier.verify(params.token));
  if (!verdict.admitted || verdict.token.accountId !== caller.accountId) return { active: false };
  const { token } = verdict;
  return {
    active: true,
    scope: token.scopes.join(' '),
    client_id: token.clientId,
    sub: token.subject,
    aud: token.resource ?? context.config.audience,
    iss: context.config.publicUrl,
    exp: token.expiresAt,
    iat: token.issuedAt,
    jti: token.jti,
    token_type: token.jkt === undefined ? 'Bearer' : 'DPoP',
    account_id: token.accountId,
    region: context.config.region,
    // RFC 9449 §6.2: the key a DPoP-bound token is bound to.
    ...((token.jkt !== undefined || token.x5t !== undefined) && {
      cnf: {
        ...(token.jkt !== undefined && { jkt: token.jkt }),
        ...(token.x5t !== undefined && { 'x5t#S256': token.x5t }),
      },
    }),
  };
}
