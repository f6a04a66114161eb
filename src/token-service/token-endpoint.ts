import { checkScopesGranted, parseRequestedScopes } from '../core/scope-request.js';
import type { TokenServiceContext } from './context.js';
import { authenticateClient } from './token/authenticate-client.js';
import { checkGrantType } from './token/check-grant-type.js';
import { mintAccessToken } from './token/mint-access-token.js';
import { readForm } from './token/read-form.js';

export interface TokenRequest {
  body: unknown;
  authorization: string | undefined;
  address: string;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
}

/** POST /Auth/connect/token: parse → authenticate client → check grant → check scopes → mint → record. */
export async function handleTokenRequest(
  context: TokenServiceContext,
  request: TokenRequest,
): Promise<TokenResponse> {
  const params = readForm(request.body);
  const { credential, secret } = await authenticateClient(context, { ...request, params });
  checkGrantType(params);
  const scopes = parseRequestedScopes(params.scope);
  checkScopesGranted(scopes, credential.scopes);
  const now = Date.now();
  const token = mintAccessToken(context, credential, scopes, now);
  context.usage.tokenIssued(credential.id, secret?.id, scopes, now);
  return {
    access_token: token.accessToken,
    expires_in: token.expiresIn,
    token_type: 'Bearer',
    scope: scopes.join(' '),
  };
}
