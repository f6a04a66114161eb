import { type CryptoKey, importJWK, type JWK } from 'jose';
import type { Store } from '../store/store.js';
import type { VerificationKeySource } from './access-token-verifier.js';

/** Verification keys read from the store (for the CLI, which has the store but no running server). */
export class StoreKeySource implements VerificationKeySource {
  constructor(
    private readonly store: Store,
    private readonly region: string,
  ) {}

  async key(kid: string | undefined): Promise<CryptoKey | undefined> {
    const key = (await this.store.signingKeys.list(this.region)).find((k) => k.kid === kid);
    return key && ((await importJWK(key.publicJwk as JWK, key.alg)) as CryptoKey);
  }
}
