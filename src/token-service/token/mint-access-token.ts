import { randomUUID } from 'node:crypto';
import { buildAccessTokenClaims } from '../../core/access-token-claims.js';
import { type Credential, firstAdmittedIssuedAt } from '../../core/model.js';
import { signCompactJws } from '../../crypto/compact-jws.js';
import type { TokenServiceContext } from '../context.js';

export interface MintedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/** Step 5: a JWT access token per RFC 9068, signed with the active key. */
export function mintAccessToken(
  context: TokenServiceContext,
  credential: Credential,
  scopes: readonly string[],
  /** The token's `aud`: the gateway's own audience, or one API's resource (RFC 8707). */
  audience: string,
  nowMs: number,
  /**
   * What the token is bound to (its `cnf`): the thumbprint of the client's DPoP key (RFC 9449
   * `jkt`), of its TLS client certificate (RFC 8705 `x5t#S256`), or both.
   */
  boundTo: { jkt?: string | undefined; x5t?: string | undefined } = {},
): MintedAccessToken {
  const { config, keyring } = context;
  const claims = buildAccessTokenClaims(
    credential,
    scopes,
    {
      issuer: config.publicUrl,
      audience,
      region: config.region,
      lifetimeSeconds: config.tokenLifetimeSeconds,
    },
    // A token issued in the second of a revoke-all, after it, is dated at the next second, which
    // the verifier admits; at most a second ahead, well inside the clock leeway.
    Math.max(Math.floor(nowMs / 1000), firstAdmittedIssuedAt(credential)),
    randomUUID(),
  );
  const key = keyring.active;
  const cnf = {
    ...(boundTo.jkt !== undefined && { jkt: boundTo.jkt }),
    ...(boundTo.x5t !== undefined && { 'x5t#S256': boundTo.x5t }),
  };
  const bound = Object.keys(cnf).length === 0 ? claims : { ...claims, cnf };
  const accessToken = signCompactJws({ alg: key.alg, typ: 'at+jwt', kid: key.kid }, bound, key.privateKey);
  return { accessToken, expiresIn: config.tokenLifetimeSeconds };
}
