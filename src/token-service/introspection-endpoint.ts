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
      token_type: 'Bearer';
      account_id: string;
      region: string;
    };

/**
 * POST /Auth/connect/introspect (RFC 7662). The caller authenticates with its own credentials and
 * learns about tokens of its own account only; any other token reads as inactive.
 */
export async function handleIntrospection(
  context: TokenServiceContext,
  request: TokenRequest,
): Promise<IntrospectionResponse> {
  const params = readForm(request.body);
  const { credential: caller } = await authenticateClient(context, { ...request, params });
  if (params.token === undefined) throw new InvalidRequest('The token parameter is missing');

  const payload = await context.keyring.verify(params.token, {
    issuer: context.config.publicUrl,
    audience: context.config.audience,
  });
  if (!payload || payload.account_id !== caller.accountId || typeof payload.jti !== 'string')
    return { active: false };
  if (await fromStore(context.store.revokedTokens.isRevoked(payload.jti))) return { active: false };
  const owner = await fromStore(context.credentials.get(String(payload.client_id)));
  if (!owner || owner.credential.disabled) return { active: false };

  return {
    active: true,
    scope: String(payload.scope),
    client_id: String(payload.client_id),
    sub: String(payload.sub),
    aud: context.config.audience,
    iss: String(payload.iss),
    exp: Number(payload.exp),
    iat: Number(payload.iat),
    jti: payload.jti,
    token_type: 'Bearer',
    account_id: String(payload.account_id),
    region: String(payload.region),
  };
}
