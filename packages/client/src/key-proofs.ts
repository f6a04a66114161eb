import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { SignJWT } from 'jose';

/** A private key as a program holds it: PEM (PKCS#8, SEC1 or PKCS#1) or a Node KeyObject. */
export type PrivateKeyInput = string | KeyObject;

/** The JWS algorithm a key signs with: ES256 (P-256), RS256 (RSA) or EdDSA (Ed25519). */
function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  throw new TypeError('the private key must be EC P-256, RSA or Ed25519');
}

function privateKeyOf(input: PrivateKeyInput): KeyObject {
  const key = typeof input === 'string' ? createPrivateKey(input) : input;
  if (key.type !== 'private') throw new TypeError('a private key is needed to sign');
  return key;
}

/**
 * private_key_jwt (RFC 7523 §2.2): a one-time assertion that the client holds its key, for the
 * token endpoint at `audience`, valid for a minute.
 */
export function createClientAssertions(clientId: string, input: PrivateKeyInput) {
  const key = privateKeyOf(input);
  const alg = algorithmOf(key);
  return (audience: string) =>
    new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(key);
}

export interface DpopSigner {
  /**
   * A fresh proof (RFC 9449 §4.2) for one request; `accessToken` adds its hash (`ath`), and the
   * nonce last given by the URL's origin goes in as `nonce`.
   */
  proof(method: string, url: string, options?: { accessToken?: string }): Promise<string>;
  /** Keeps the nonce a server gave in `DPoP-Nonce` (RFC 9449 §8, §9) for the next proofs to its origin. */
  rememberNonce(url: string, response: { headers: Headers }): void;
}

/** DPoP proofs by `input`, or by a P-256 key made for this signer when none is given. */
export function createDpopSigner(input?: PrivateKeyInput): DpopSigner {
  const key =
    input === undefined ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : privateKeyOf(input);
  const alg = algorithmOf(key);
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const nonces = new Map<string, string>();
  return {
    rememberNonce(url, response) {
      const nonce = response.headers.get('dpop-nonce');
      if (nonce) nonces.set(new URL(url).origin, nonce);
    },
    proof(method, url, options = {}) {
      const htu = new URL(url);
      const nonce = nonces.get(htu.origin);
      htu.search = '';
      htu.hash = '';
      const ath = options.accessToken && createHash('sha256').update(options.accessToken).digest('base64url');
      return new SignJWT({
        jti: randomUUID(),
        htm: method.toUpperCase(),
        htu: htu.href,
        ...(ath && { ath }),
        ...(nonce && { nonce }),
      })
        .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: jwk as Record<string, string> })
        .setIssuedAt()
        .sign(key);
    },
  };
}
