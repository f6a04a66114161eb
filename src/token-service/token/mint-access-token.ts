import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { buildAccessTokenClaims } from '../../core/access-token-claims.js';
import type { Credential } from '../../core/model.js';
import type { TokenServiceContext } from '../context.js';

export interface MintedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/** Step 5: a JWT access token per RFC 9068, signed with the active key. */
export async function mintAccessToken(
  context: TokenServiceContext,
  credential: Credential,
  scopes: readonly string[],
  now: Date,
): Promise<MintedAccessToken> {
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
    Math.floor(now.getTime() / 1000),
    randomUUID(),
  );
  const key = keyring.active;
  const accessToken = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid })
    .sign(key.privateKey);
  return { accessToken, expiresIn: config.tokenLifetimeSeconds };
}
