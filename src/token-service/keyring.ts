import type { KeyObject } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import type { SigningKey } from '../core/model.js';
import { openPrivateKey } from '../crypto/signing-key-material.js';
import { tokenVerificationKey } from '../crypto/token-signing-algorithms.js';
import type { VerificationKeySource } from '../services/verification/access-token-verifier.js';
import type { Store } from '../store/store.js';

export interface ActiveSigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
}

/**
 * The signing keys as one process holds them: the decrypted active private key it signs with, and
 * the public keys it publishes and hands to the one access-token verifier. Reloaded when the
 * change log says the keys rotated.
 */
export class Keyring implements VerificationKeySource {
  #active: ActiveSigningKey | undefined;
  #published: SigningKey[] = [];
  /** The published keys as node:crypto objects, for the access-token verifier (compact-jws.ts). */
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
    const publicKeys = new Map<string, KeyObject>();
    for (const key of keys) {
      const publicKey = tokenVerificationKey(key.publicJwk);
      if (publicKey) publicKeys.set(key.kid, publicKey);
    }
    const privateKey =
      this.#active?.kid === active.kid
        ? this.#active.privateKey
        : openPrivateKey(this.keyEncryptionKey, active.kid, active.privateJwkEncrypted);
    this.#active = { kid: active.kid, alg: active.alg, privateKey };
    this.#published = keys;
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
}
