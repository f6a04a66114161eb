import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import type { CredentialKey } from '../../core/model.js';
import type { TokenServiceContext } from '../context.js';
import { fromStore } from '../from-store.js';
import { endpointUrl, INTROSPECTION_PATH, REVOCATION_PATH, TOKEN_PATH } from '../metadata.js';

/** The longest an assertion may live: a signed assertion is a one-time proof, not a credential. */
const LONGEST_ASSERTION_SECONDS = 300;

/**
 * RFC 7523 §3: a client assertion signed by one of the credential's keys, with `iss` and `sub`
 * the client ID, `aud` this issuer or one of its endpoints, an `exp` at most five minutes ahead,
 * and a `jti` never seen before for this client (recorded in the store, so every instance
 * agrees). Returns whether it authenticates the client; never says why not, as for secrets.
 */
export async function verifyClientAssertion(
  context: TokenServiceContext,
  clientId: string,
  assertion: string,
  keys: readonly CredentialKey[],
): Promise<boolean> {
  let alg: string | undefined;
  let kid: string | undefined;
  try {
    ({ alg, kid } = decodeProtectedHeader(assertion));
  } catch {
    return false;
  }
  // The key the header names (by thumbprint) first; a client's own kid may name none of them.
  const candidates = keys
    .filter((key) => alg !== undefined && key.algorithms.includes(alg))
    .sort((a, b) => Number(b.thumbprint === kid) - Number(a.thumbprint === kid));
  const { config } = context;
  const audiences = [
    config.publicUrl,
    ...[TOKEN_PATH, INTROSPECTION_PATH, REVOCATION_PATH].map((path) => endpointUrl(config, path)),
  ];
  for (const key of candidates) {
    try {
      const { payload } = await jwtVerify(assertion, await importJWK(key.jwk, alg), {
        algorithms: [alg!],
        issuer: clientId,
        subject: clientId,
        audience: audiences,
        requiredClaims: ['exp', 'jti'],
        clockTolerance: config.clockLeewaySeconds,
      });
      const now = Date.now() / 1000;
      if (payload.exp! > now + LONGEST_ASSERTION_SECONDS + config.clockLeewaySeconds) return false;
      if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 200) return false;
      const forgetAt = new Date((payload.exp! + config.clockLeewaySeconds) * 1000).toISOString();
      return await fromStore(context.store.usedProofs.use(clientId, payload.jti, forgetAt));
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('ERR_J')) continue;
      throw error;
    }
  }
  return false;
}
