import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SharedKeys } from '../../store/store.js';

/** A nonce is given for five minutes and accepted for the next five as well. */
const WINDOW_SECONDS = 300;
const MAC_BYTES = 16;

/**
 * Server nonces for DPoP proofs (RFC 9449 §8 and §9), the same on every instance without a word
 * between them: a nonce is its five-minute window's number and a MAC of it under a key kept in
 * the store (`shared_keys`), so any instance can give one and check one, and no client can make
 * one for a window that has not begun. A nonce is accepted in its own window and the next.
 */
export class DpopNonces {
  private constructor(private readonly key: Buffer) {}

  /** The nonces of the instances that share `keys`; the first instance to ask makes the key. */
  static async shared(keys: SharedKeys): Promise<DpopNonces> {
    const key = await keys.getOrCreate('dpop-nonce', () => randomBytes(32).toString('base64url'));
    return new DpopNonces(Buffer.from(key, 'base64url'));
  }

  /** The nonce to give now, in a `DPoP-Nonce` header. */
  current(nowMs = Date.now()): string {
    const window = Math.floor(nowMs / 1000 / WINDOW_SECONDS);
    return this.#nonce(window).toString('base64url');
  }

  /** Whether a proof's `nonce` claim is one given in this window or the one before. */
  accepts(nonce: unknown, nowMs = Date.now()): boolean {
    if (typeof nonce !== 'string' || nonce.length > 64) return false;
    const presented = Buffer.from(nonce, 'base64url');
    if (presented.length !== 8 + MAC_BYTES) return false;
    const window = Number(presented.readBigUInt64BE(0));
    const now = Math.floor(nowMs / 1000 / WINDOW_SECONDS);
    if (window !== now && window !== now - 1) return false;
    return timingSafeEqual(presented, this.#nonce(window));
  }

  #nonce(window: number): Buffer {
    const id = Buffer.alloc(8);
    id.writeBigUInt64BE(BigInt(window));
    const mac = createHmac('sha256', this.key).update('dpop-nonce:').update(id).digest();
    return Buffer.concat([id, mac.subarray(0, MAC_BYTES)]);
  }
}
