import type { KeyObject } from 'node:crypto';
import { tokenVerificationKey } from '../../crypto/token-signing-algorithms.js';
import type { Store } from '../../store/store.js';
import type { VerificationKeySource } from './access-token-verifier.js';

/** Verification keys read from the store (for the CLI, which has the store but no running server). */
export class StoreKeySource implements VerificationKeySource {
  constructor(
    private readonly store: Store,
    private readonly region: string,
  ) {}

  /** Every key is read from the store. */
  holds(): boolean {
    return false;
  }

  async key(kid: string | undefined): Promise<KeyObject | undefined> {
    const key = (await this.store.signingKeys.list(this.region)).find((k) => k.kid === kid);
    return key ? tokenVerificationKey({ ...key.publicJwk, alg: key.alg }) : undefined;
  }
}
