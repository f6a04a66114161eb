import type { KeyObject } from 'node:crypto';
import { type CryptoKey, importJWK, type JSONWebKeySet, type JWK, type JWTPayload, jwtVerify } from 'jose';
import type { SigningKey } from '../core/model.js';
import { openPrivateKey } from '../crypto/signing-key-material.js';
import { tokenVerificationKey } from '../crypto/token-signing-algorithms.js';
import type { VerificationKeySource } from '../services/access-token-verifier.js';
import type { Store } from '../store/store.js';

export interface ActiveSigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
}

export interface VerifyOptions {
  issuer: string;
  /** The audiences taken: any one of them in `aud`. */
  audience: string | string[];
  /** Accept tokens past `exp` (revocation of an expired token is a no-op, not an error). */
  ignoreExpiry?: boolean;
  /** Seconds past `exp` (and before `nbf`) a token is still taken, as the gateway's clock leeway. */
  clockToleranceSeconds?: number;
}

/**
 * The signing keys as one process holds them: the decrypted active private key and the public
 * keys to publish and verify with. Reloaded when the change log says the keys rotated.
 */
export class Keyring implements VerificationKeySource {
  #active: ActiveSigningKey | undefined;
  #published: SigningKey[] = [];
  #verificationKeys = new Map<string, CryptoKey>();
  /** The same keys as node:crypto objects, for the access-token verifier (compact-jws.ts). */
  #publicKeys = new Map<string, KeyObject>();

  constructor(
    private readonly store: Store,
    private readonly keyEncryptionKey: Buffer,
    private readonly region: string,
  ) {}

  async reload(): Promise<void> {
    const now = Date.now();
    const keys = (await this.store.signingKeys.list(this.region)).filter(
      (k) => k.status !== 'retired' || (k.retireAfter !== null && Date.parse(k.retireAfter) > now),
    );
    const active = keys.find((k) => k.status === 'active');
    if (!active)
      throw new Error('the store has no active signing key; run `keygate migrate` or start the server once');
    const verificationKeys = new Map<string, CryptoKey>();
    const publicKeys = new Map<string, KeyObject>();
    for (const key of keys) {
      verificationKeys.set(key.kid, (await importJWK(key.publicJwk as JWK, key.alg)) as CryptoKey);
      const publicKey = tokenVerificationKey(key.publicJwk);
      if (publicKey) publicKeys.set(key.kid, publicKey);
    }
    const privateKey =
      this.#active?.kid === active.kid
        ? this.#active.privateKey
        : openPrivateKey(this.keyEncryptionKey, active.kid, active.privateJwkEncrypted);
    this.#active = { kid: active.kid, alg: active.alg, privateKey };
    this.#published = keys;
    this.#verificationKeys = verificationKeys;
    this.#publicKeys = publicKeys;
  }

  holds(kid: string | undefined): boolean {
    return kid !== undefined && this.#publicKeys.has(kid);
  }

  /** A published key by ID: the active one, the pre-published next one, or one still retiring. */
  async key(kid: string | undefined): Promise<KeyObject | undefined> {
    return kid === undefined ? undefined : this.#publicKeys.get(kid);
  }

  get active(): ActiveSigningKey {
    if (!this.#active) throw new Error('keyring not loaded');
    return this.#active;
  }

  /** The algorithms of the published keys: what a token of this issuer may be signed with now. */
  algorithms(): string[] {
    return [...new Set(this.#published.map((k) => k.alg))].sort();
  }

  /** The JWKS document: next, active and not-yet-expired retired keys. */
  jwks(): JSONWebKeySet {
    return { keys: this.#published.map((k) => k.publicJwk as JWK) };
  }

  /** Verifies an access token of this issuer (signature, typ, iss, aud, exp); undefined when it fails. */
  async verify(token: string, options: VerifyOptions): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid === undefined ? undefined : this.#verificationKeys.get(header.kid);
          if (!key) throw new Error('unknown key');
          return key;
        },
        {
          issuer: options.issuer,
          audience: options.audience,
          typ: 'at+jwt',
          algorithms: this.algorithms(),
          clockTolerance: options.clockToleranceSeconds ?? 0,
          // A fixed point far in the past turns off the expiry check and nothing else.
          ...(options.ignoreExpiry ? { currentDate: new Date(0) } : {}),
        },
      );
      return payload;
    } catch {
      return undefined;
    }
  }
}
