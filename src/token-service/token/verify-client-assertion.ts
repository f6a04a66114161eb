import { decodeProtectedHeader } from 'jose';
import { isClientKeyAlgorithm, keyTakesAlgorithm } from '../../core/client-public-key.js';
import type { CredentialKey } from '../../core/model.js';
import { hasControlCharacters } from '../../core/printable-text.js';
import { JwsRefused, verifyCompactJws } from '../../crypto/compact-jws.js';
import { clientKey } from '../../services/verification/client-keys.js';
import type { TokenServiceContext } from '../context.js';
import { fromStore } from '../from-store.js';
import { endpointUrl, INTROSPECTION_PATH, REVOCATION_PATH, TOKEN_PATH } from '../metadata.js';
import type { ClientAuthenticationRefusal } from './client-authentication-refusal.js';

/**
 * The longest an assertion may live: as long as common libraries make them (authlib signs
 * `exp = iat + 3600`), and no longer, since its `jti` is kept until then. Each is still used once.
 */
const LONGEST_ASSERTION_SECONDS = 3600;

/** The key that authenticates the client, or why none does. */
export type AssertionCheck = { key: CredentialKey } | { refused: ClientAuthenticationRefusal };

/**
 * RFC 7523 §3: a client assertion signed by one of the credential's keys, with `iss` and `sub`
 * the client ID, `aud` this issuer or one of its endpoints, an `exp` at most an hour ahead,
 * and a `jti` never seen before for this client (recorded in the store, so every instance
 * agrees). Returns the key that authenticates the client, or why not: for the audit log only, as
 * the caller is never told (as for secrets).
 */
export async function verifyClientAssertion(
  context: TokenServiceContext,
  clientId: string,
  assertion: string,
  keys: readonly CredentialKey[],
): Promise<AssertionCheck> {
  let alg: string | undefined;
  let kid: string | undefined;
  try {
    ({ alg, kid } = decodeProtectedHeader(assertion));
  } catch {
    return { refused: 'malformed_assertion' };
  }
  if (!isClientKeyAlgorithm(alg)) return { refused: 'unsupported_algorithm' };
  // The key the header names (by thumbprint) first; a client's own kid may name none of them.
  const candidates = keys
    .filter((key) => keyTakesAlgorithm(key.algorithms, alg))
    .sort((a, b) => Number(b.thumbprint === kid) - Number(a.thumbprint === kid));
  if (candidates.length === 0) return { refused: 'unknown_key' };
  const { config } = context;
  const audiences = [
    config.publicUrl,
    ...[TOKEN_PATH, INTROSPECTION_PATH, REVOCATION_PATH].map((path) => endpointUrl(config, path)),
  ];
  let refused: ClientAuthenticationRefusal = 'bad_signature';
  for (const candidate of candidates) {
    const key = clientKey(candidate.jwk)?.key;
    if (!key) continue;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await verifyCompactJws(assertion, async () => key, [alg]));
    } catch (error) {
      if (!(error instanceof JwsRefused)) throw error;
      if (error.reason === 'malformed') refused = 'malformed_assertion';
      continue;
    }
    const once = oneTimeClaims(payload, clientId, audiences, config.clockLeewaySeconds);
    if ('refused' in once) return once;
    const { jti, forgetAt } = once;
    return (await fromStore(context.store.usedProofs.use(clientId, jti, forgetAt)))
      ? { key: candidate }
      : { refused: 'replayed' };
  }
  return { refused };
}

/** RFC 7523 §3's claims, checked once the signature holds: the `jti` and when to forget it, or why not. */
function oneTimeClaims(
  payload: Record<string, unknown>,
  clientId: string,
  audiences: readonly string[],
  leeway: number,
): { jti: string; forgetAt: string } | { refused: ClientAuthenticationRefusal } {
  const { iss, sub, aud, exp, nbf, jti } = payload;
  const now = Date.now() / 1000;
  if (iss !== clientId || sub !== clientId) return { refused: 'wrong_issuer' };
  if (!(Array.isArray(aud) ? aud : [aud]).some((a) => typeof a === 'string' && audiences.includes(a))) {
    return { refused: 'wrong_audience' };
  }
  if (exp === undefined) return { refused: 'no_expiry' };
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return { refused: 'malformed_assertion' };
  if (exp <= now - leeway) return { refused: 'expired' };
  if (exp > now + LONGEST_ASSERTION_SECONDS + leeway) return { refused: 'lives_too_long' };
  if (nbf !== undefined && typeof nbf !== 'number') return { refused: 'malformed_assertion' };
  if (nbf !== undefined && nbf > now + leeway) return { refused: 'not_yet_valid' };
  if (payload.iat !== undefined && typeof payload.iat !== 'number') return { refused: 'malformed_assertion' };
  if (typeof jti !== 'string' || jti === '' || jti.length > 200) return { refused: 'invalid_jti' };
  // Refused before the store sees it: PostgreSQL cannot hold a NUL in text.
  if (hasControlCharacters(jti)) return { refused: 'invalid_jti' };
  return { jti, forgetAt: new Date((exp + leeway) * 1000).toISOString() };
}
