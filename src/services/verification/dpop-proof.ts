import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CLIENT_KEY_ALGORITHMS } from '../../core/client-public-key.js';
import { hasControlCharacters } from '../../core/printable-text.js';
import { sentValues } from '../../core/sent-values.js';
import { type JwsRefusal, JwsRefused, verifyCompactJws } from '../../crypto/compact-jws.js';
import type { UsedProofLog } from '../../store/store.js';
import { clientKey } from './client-keys.js';

/** The algorithms a DPoP proof may be signed with; said in `WWW-Authenticate: DPoP algs=…`. */
export const DPOP_ALGORITHMS = CLIENT_KEY_ALGORITHMS;

const PROOF_REFUSALS: Record<JwsRefusal, string> = {
  malformed: 'the DPoP proof is not a JWT',
  algorithm: "the DPoP proof's alg is not one this server accepts",
  unknown_key: 'the DPoP proof has no public jwk',
  signature: "the DPoP proof's signature does not verify with its jwk",
};

/** How old a proof may be: a proof is made for one request, just before it is sent. */
const PROOF_LIFETIME_SECONDS = 60;

export interface ExpectedProof {
  /** The request's method (`htm`). */
  method: string;
  /** The URL the client sent the request to, as the server publishes it (`htu`, without query). */
  url: string;
  /** The access token the request carries, whose hash the proof's `ath` must be. */
  accessToken?: string;
  leewaySeconds: number;
  nowMs?: number;
  /** The thumbprint of the key a token is bound to: a proof by another key is refused unverified. */
  boundTo?: string | undefined;
  /** Where server nonces are required (`dpopNonces`): the check of a proof's `nonce` claim. */
  nonces?: { accepts(nonce: unknown, nowMs?: number): boolean } | undefined;
}

export type ProofCheck =
  | { ok: true; jkt: string; jti: string; forgetAt: string }
  | { ok: false; why: string; useNonce?: true };

/**
 * RFC 9449 §4.3: a DPoP proof is a JWT of type `dpop+jwt`, signed with an asymmetric algorithm by
 * the public key in its own `jwk` header, naming this request's method (`htm`) and URL (`htu`),
 * made just now (`iat`), with a `jti`, with an access token's hash (`ath`) where one is sent, and
 * with a nonce the server gave (`nonce`, §8–9) where it requires one. The caller
 * records `jti` (once per key, until `forgetAt`) to refuse a replay.
 */
export async function checkDpopProof(
  proof: string | string[] | undefined,
  expected: ExpectedProof,
): Promise<ProofCheck> {
  if (proof === undefined) return { ok: false, why: 'no DPoP proof' };
  if (Array.isArray(proof)) return { ok: false, why: 'more than one DPoP header' };
  let refusal: string | undefined;
  let jkt = '';
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await verifyCompactJws(
      proof,
      async (header) => {
        if (!isDpopType(header.typ)) {
          refusal = "the DPoP proof's typ is not dpop+jwt";
          return undefined;
        }
        const key = clientKey(header.jwk);
        if (!key) {
          refusal = 'the DPoP proof has no public jwk of a kind this server takes';
          return undefined;
        }
        // Before the signature is checked: a key of the caller's choosing costs nothing to refuse.
        if (expected.boundTo !== undefined && key.thumbprint !== expected.boundTo) {
          refusal = 'it is not signed by the key the token is bound to';
          return undefined;
        }
        jkt = key.thumbprint;
        return key.key;
      },
      DPOP_ALGORITHMS,
    ));
  } catch (error) {
    if (!(error instanceof JwsRefused)) throw error;
    return { ok: false, why: refusal ?? PROOF_REFUSALS[error.reason] };
  }
  const now = (expected.nowMs ?? Date.now()) / 1000;
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > 200) return { ok: false, why: 'no jti' };
  // Refused before any store sees it: PostgreSQL cannot hold a NUL in text.
  if (hasControlCharacters(jti)) return { ok: false, why: 'the jti holds a control character' };
  if (htm !== expected.method) return { ok: false, why: "htm is not this request's method" };
  if (typeof htu !== 'string' || withoutQuery(htu) !== withoutQuery(expected.url)) {
    return { ok: false, why: "htu is not this request's URL" };
  }
  if (typeof iat !== 'number') return { ok: false, why: 'no iat' };
  const { exp, nbf } = payload;
  if (exp !== undefined && (typeof exp !== 'number' || exp < now - expected.leewaySeconds)) {
    return { ok: false, why: 'the DPoP proof has expired' };
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + expected.leewaySeconds)) {
    return { ok: false, why: 'the DPoP proof is not valid yet' };
  }
  if (iat > now + expected.leewaySeconds || iat < now - PROOF_LIFETIME_SECONDS - expected.leewaySeconds) {
    return { ok: false, why: 'iat is not within the last minute' };
  }
  if (expected.accessToken !== undefined) {
    const hash = createHash('sha256').update(expected.accessToken).digest('base64url');
    if (ath !== hash) return { ok: false, why: 'ath is not the hash of the access token' };
  }
  // RFC 9449 §8: a missing or stale nonce is told apart, so the client retries with a fresh one.
  if (expected.nonces && !expected.nonces.accepts(nonce, expected.nowMs)) {
    return { ok: false, why: nonce === undefined ? 'no nonce' : 'the nonce is stale', useNonce: true };
  }
  const forgetAt = new Date((iat + PROOF_LIFETIME_SECONDS + 2 * expected.leewaySeconds) * 1000).toISOString();
  return { ok: true, jkt, jti, forgetAt };
}

/** A valid proof (`checkDpopProof`): the key it is signed by, and its ID with when to forget it. */
export type CheckedProof = Extract<ProofCheck, { ok: true }>;

const REPLAY = 'it was used before; make a new one for each request';

/** The owner a proof's `jti` is recorded under: the key that signed it. */
function proofOwner(checked: CheckedProof): string {
  return `dpop:${checked.jkt}`;
}

/**
 * A proof as a request must bring it, read without writing: valid (`checkDpopProof`) and not used
 * before, as far as `proofs` can tell without a write (the gateway's RecentProofs: this instance's
 * memory). A replay seen here is refused before anything of the request is spent;
 * `recordDpopProof` stores the ID once the request is admitted, and refuses any replay left. A
 * store failure rejects.
 */
export async function checkUnusedDpopProof(
  proof: string | string[] | undefined,
  expected: ExpectedProof,
  proofs: Pick<UsedProofLog, 'isUsed'>,
): Promise<ProofCheck> {
  const checked = await checkDpopProof(proof, expected);
  if (!checked.ok) return checked;
  return (await proofs.isUsed(proofOwner(checked), checked.jti)) ? { ok: false, why: REPLAY } : checked;
}

/** Records a valid proof's `jti` once per key; a replay (one recorded before) is refused. */
export async function recordDpopProof(
  checked: CheckedProof,
  proofs: Pick<UsedProofLog, 'use'>,
): Promise<ProofCheck> {
  return (await proofs.use(proofOwner(checked), checked.jti, checked.forgetAt))
    ? checked
    : { ok: false, why: REPLAY };
}

/** RFC 7515 §4.1.9: `typ` is compared without case and without an `application/` prefix. */
function isDpopType(typ: unknown): boolean {
  return typeof typ === 'string' && /^(application\/)?dpop\+jwt$/i.test(typ);
}

/** The DPoP header of a request, counted raw: Node would join two into one value, and two are refused. */
export function dpopHeader(
  request: Pick<IncomingMessage, 'headers' | 'headersDistinct'>,
): string | string[] | undefined {
  const values = sentValues(request, 'dpop');
  return values && values.length === 1 ? values[0] : values;
}

/** RFC 9449 §4.3: `htu` is compared without its query and fragment, after URL normalisation. */
function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.search = '';
    parsed.hash = '';
    return parsed.href;
  } catch {
    return '';
  }
}
