import { InvalidRequest, UnauthorizedClient } from '../core/errors.js';
import type { TokenServiceContext } from './context.js';
import { fromStore } from './from-store.js';
import { authenticateClient } from './token/authenticate-client.js';
import { readForm } from './token/read-form.js';
import type { TokenRequest } from './token-endpoint.js';

/**
 * POST /Auth/connect/revocation (RFC 7009). A client revokes its own tokens. Tokens that are
 * invalid, expired or already revoked answer 200 as the RFC asks (§2.2); a valid token of
 * another client is refused (§2.1).
 */
export async function handleRevocation(context: TokenServiceContext, request: TokenRequest): Promise<void> {
  const params = readForm(request.body);
  const { credential: caller } = await authenticateClient(context, { ...request, params });
  if (params.token === undefined) throw new InvalidRequest('The token parameter is missing');

  const payload = await context.keyring.verify(params.token, {
    issuer: context.config.publicUrl,
    audience: context.config.audience,
  });
  if (!payload || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return;
  if (payload.exp * 1000 <= Date.now()) return;
  if (payload.client_id !== caller.clientId) {
    throw new UnauthorizedClient('The token was not issued to this client');
  }
  await fromStore(
    context.store.revokedTokens.add({
      jti: payload.jti,
      clientId: caller.clientId,
      expiresAt: new Date(payload.exp * 1000).toISOString(),
    }),
  );
}
