import { METADATA_CLAIM } from './credential-metadata.js';
import type { Credential } from './model.js';

/** JWT access-token claims per RFC 9068, plus the account and region Keygate adds. */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly aud: string;
  /** RFC 9068 §2.2: with client credentials the subject is the client itself. */
  readonly sub: string;
  readonly client_id: string;
  readonly scope: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly account_id: string;
  readonly region: string;
  /** RFC 9449 §6.1: the thumbprint of the key the token is bound to (DPoP). */
  readonly cnf?: { readonly jkt: string };
  /** The credential's metadata, when it has some (`METADATA_CLAIM`). */
  readonly keygate_metadata?: Readonly<Record<string, string>>;
}

export interface AccessTokenContext {
  readonly issuer: string;
  readonly audience: string;
  readonly region: string;
  readonly lifetimeSeconds: number;
}

export function buildAccessTokenClaims(
  credential: Credential,
  scopes: readonly string[],
  context: AccessTokenContext,
  nowSeconds: number,
  jti: string,
): AccessTokenClaims {
  return {
    iss: context.issuer,
    aud: context.audience,
    sub: credential.clientId,
    client_id: credential.clientId,
    scope: scopes.join(' '),
    iat: nowSeconds,
    exp: nowSeconds + context.lifetimeSeconds,
    jti,
    account_id: credential.accountId,
    region: context.region,
    ...(Object.keys(credential.metadata).length > 0 && { [METADATA_CLAIM]: credential.metadata }),
  };
}
