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
  nowMs: number,
  /** The thumbprint of the client's DPoP key, binding the token to it. */
  boundTo?: string,
): MintedAccessToken {
  const { config, keyring } = context;
  const claims = buildAccessTokenClaims(
    credential,
    scopes,
    {
      issuer: config.publicUrl,
      audience: config.audience,
      region: config.region,
      lifetimeSeconds: config.tokenLifetimeSeconds,
    },
    // A token issued in the second of a revoke-all, after it, is dated at the next second, which
    // the verifier admits; at most a second ahead, well inside the clock leeway.
    Math.max(Math.floor(nowMs / 1000), firstAdmittedIssuedAt(credential)),
    randomUUID(),
  );
  const key = keyring.active;
  const bound = boundTo === undefined ? claims : { ...claims, cnf: { jkt: boundTo } };
  const accessToken = signCompactJws({ alg: key.alg, typ: 'at+jwt', kid: key.kid }, bound, key.privateKey);
  return { accessToken, expiresIn: config.tokenLifetimeSeconds };
}
