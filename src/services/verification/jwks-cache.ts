import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { request } from 'undici';
import { tokenVerificationKey } from '../../crypto/token-signing-algorithms.js';
import type { VerificationKeySource } from './access-token-verifier.js';

export interface JwksCacheOptions {
  url: string;
  /** Least time between two fetches triggered by an unknown key ID. */
  cooldownMs: number;
  /** Background refresh period. */
  refreshMs: number;
  onError: (error: unknown) => void;
}

/**
 * The token service's public keys as the gateway holds them. Keys are fetched at start,
 * refreshed in the background, and refetched once (at most every cooldown) when a token names a
 * key ID not yet known. A failed fetch keeps the keys already held, so the gateway goes on
 * validating while the token service is down. (jose's remote JWK set drops them instead.)
 */
export class JwksCache implements VerificationKeySource {
  #keys = new Map<string, KeyObject>();
  #lastFetch = 0;
  #fetching: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: JwksCacheOptions) {}

  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  holds(kid: string | undefined): boolean {
    return kid !== undefined && this.#keys.has(kid);
  }

  /** The key for `kid`, refetching the set once if it is unknown and the cooldown allows. */
  async key(kid: string | undefined): Promise<KeyObject | undefined> {
    if (kid === undefined) return undefined;
    const known = this.#keys.get(kid);
    if (known) return known;
    if (Date.now() - this.#lastFetch >= this.options.cooldownMs) await this.refresh();
    return this.#keys.get(kid);
  }

  refresh(): Promise<void> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(): Promise<void> {
    this.#lastFetch = Date.now();
    try {
      const response = await request(this.options.url, { headersTimeout: 5000, bodyTimeout: 5000 });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`JWKS fetch answered ${response.statusCode}`);
      }
      const { keys } = (await response.body.json()) as { keys?: JWK[] };
      const next = new Map<string, KeyObject>();
      for (const jwk of keys ?? []) {
        // A key without an algorithm Keygate signs tokens with (ES256, RS256) is skipped.
        if (!jwk.kid || jwk.use === 'enc') continue;
        const key = tokenVerificationKey(jwk as Record<string, unknown>);
        if (key) next.set(jwk.kid, key);
      }
      this.#keys = next;
    } catch (error) {
      this.options.onError(error);
    }
  }
}
