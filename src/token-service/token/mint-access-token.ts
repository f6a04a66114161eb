import { randomUUID } from 'node:crypto';
import { buildAccessTokenClaims } from '../../core/access-token-claims.js';
import type { Credential } from '../../core/model.js';
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
    Math.floor(nowMs / 1000),
    randomUUID(),
  );
  const key = keyring.active;
  const accessToken = signCompactJws({ alg: key.alg, typ: 'at+jwt', kid: key.kid }, claims, key.privateKey);
  return { accessToken, expiresIn: config.tokenLifetimeSeconds };
}
