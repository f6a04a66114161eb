/** Bytes of a token's SHA-256, the table's key: a latin1 string of 32 characters, one a byte. */
export const DIGEST_BYTES = 32;
/**
 * The longest token ID the table holds (UTF-8 bytes). Keygate's are UUIDs (36); a token with a
 * longer one is still admitted, only not remembered (verified again on each call).
 */
export const MAX_JTI_BYTES = 64;
/** UTF-8 cannot carry a lone surrogate: such a token ID would come back as another string. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** What `revocationsSeen` holds until the verifier first records a version. */
export const NO_VERSION = -1;

/**
 * The verified tokens a gateway remembers, laid out so the garbage collector has almost nothing in
 * them to trace: digests, token IDs and expiries live in typed arrays, and each slot refers to a
 * shared grant (client, account, scopes, key) that many tokens have in common.
 *
 * A Map of 100,000 tokens was some 400,000 heap objects (digest string, claims, token ID, the
 * answer object), and V8 marked them all on every major collection: a forced full one took 28 ms
 * on one core, 3.9 ms with this table, 3.5 ms with nothing held (`npm run bench:token-cache`).
 * A gateway pinned to one core takes that time from its callers. No library keeps fixed-size binary
 * keys in typed arrays, so this small open-addressing table is written here.
 *
 * Slots are used in insertion order, a ring: the oldest goes first when the table is full, and
 * `forgetExpired` walks from the oldest. A slot forgotten out of order stays used, empty, until the
 * ring's oldest end passes it. The index is linear probing at most half full, with backward-shift
 * deletion (no tombstones); a slot number is valid only until the table is next changed.
 */
export class VerifiedTokenTable<Grant extends object> {
  readonly #digests: Buffer;
  readonly #jtis: Buffer;
  readonly #jtiLengths: Uint8Array;
  readonly #expiries: Float64Array;
  readonly #revocationsSeen: Int32Array;
  readonly #grants: (Grant | undefined)[];
  /** Slot + 1 at each position, 0 where empty. */
  readonly #index: Int32Array;
  readonly #mask: number;
  #oldest = 0;
  #used = 0;
  #live = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.#digests = Buffer.alloc(capacity * DIGEST_BYTES);
    this.#jtis = Buffer.alloc(capacity * MAX_JTI_BYTES);
    this.#jtiLengths = new Uint8Array(capacity);
    this.#expiries = new Float64Array(capacity);
    this.#revocationsSeen = new Int32Array(capacity);
    this.#grants = new Array<Grant | undefined>(capacity).fill(undefined);
    let size = 2;
    while (size < capacity * 2) size *= 2;
    this.#index = new Int32Array(size);
    this.#mask = size - 1;
  }

  /** The slot holding `digest`, or -1. */
  find(digest: string): number {
    for (let at = this.#digestHome(digest); ; at = (at + 1) & this.#mask) {
      const entry = this.#index[at]!;
      if (entry === 0) return -1;
      if (this.#holds(entry - 1, digest)) return entry - 1;
    }
  }

  /**
   * Remembers a verified token, in place of the same digest's earlier entry if there is one; the
   * oldest entry goes when the table is full. Returns the slot, or -1 when the token ID cannot be
   * held (too long, or not valid UTF-16): nothing is remembered then.
   */
  add(digest: string, jti: string, expiry: number, grant: Grant): number {
    if (digest.length !== DIGEST_BYTES) throw new RangeError(`a digest is ${DIGEST_BYTES} characters`);
    if (Buffer.byteLength(jti, 'utf8') > MAX_JTI_BYTES || LONE_SURROGATE.test(jti)) return -1;
    let slot = this.find(digest);
    if (slot < 0) {
      while (this.#used === this.capacity) this.#dropOldest();
      slot = (this.#oldest + this.#used) % this.capacity;
      this.#used++;
      this.#live++;
      const start = slot * DIGEST_BYTES;
      for (let i = 0; i < DIGEST_BYTES; i++) this.#digests[start + i] = digest.charCodeAt(i);
      this.#insertIntoIndex(slot);
    }
    this.#jtiLengths[slot] = this.#jtis.write(jti, slot * MAX_JTI_BYTES, MAX_JTI_BYTES, 'utf8');
    this.#expiries[slot] = expiry;
    this.#revocationsSeen[slot] = NO_VERSION;
    this.#grants[slot] = grant;
    return slot;
  }

  /** Forgets the entry in `slot` (from find or add, with no change to the table since). */
  delete(slot: number): void {
    if (this.#grants[slot] === undefined) return;
    this.#removeFromIndex(slot);
    this.#grants[slot] = undefined;
    this.#live--;
  }

  /** Forgets entries from the oldest on, as long as they expired at or before `cutoff`. */
  forgetExpired(cutoff: number): void {
    while (this.#used > 0) {
      const slot = this.#oldest;
      if (this.#grants[slot] !== undefined && this.#expiries[slot]! > cutoff) return;
      this.#dropOldest();
    }
  }

  grant(slot: number): Grant {
    const grant = this.#grants[slot];
    if (grant === undefined) throw new RangeError(`slot ${slot} is empty`);
    return grant;
  }

  expiry(slot: number): number {
    return this.#expiries[slot]!;
  }

  /** The token ID, decoded anew on each call: the caller checks a revocation only when the list changed. */
  jti(slot: number): string {
    const start = slot * MAX_JTI_BYTES;
    return this.#jtis.toString('utf8', start, start + this.#jtiLengths[slot]!);
  }

  /** The revocation-list version this token was last found unrevoked against. */
  revocationsSeen(slot: number): number {
    return this.#revocationsSeen[slot]!;
  }

  setRevocationsSeen(slot: number, version: number): void {
    this.#revocationsSeen[slot] = version;
  }

  /** Entries remembered. */
  get size(): number {
    return this.#live;
  }

  #dropOldest(): void {
    this.delete(this.#oldest);
    this.#oldest = (this.#oldest + 1) % this.capacity;
    this.#used--;
  }

  #digestHome(digest: string): number {
    return this.#home(digest.charCodeAt(0), digest.charCodeAt(1), digest.charCodeAt(2), digest.charCodeAt(3));
  }

  #slotHome(slot: number): number {
    const d = this.#digests;
    const at = slot * DIGEST_BYTES;
    return this.#home(d[at]!, d[at + 1]!, d[at + 2]!, d[at + 3]!);
  }

  /** Where a digest's probe starts: its first four bytes, uniformly spread as SHA-256 output is. */
  #home(b0: number, b1: number, b2: number, b3: number): number {
    return (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) & this.#mask;
  }

  /** Byte by byte, not in constant time: what leaks is a digest's prefix, which helps no forger. */
  #holds(slot: number, digest: string): boolean {
    const digests = this.#digests;
    const start = slot * DIGEST_BYTES;
    for (let i = 0; i < DIGEST_BYTES; i++) if (digests[start + i] !== digest.charCodeAt(i)) return false;
    return true;
  }

  #insertIntoIndex(slot: number): void {
    let at = this.#slotHome(slot);
    while (this.#index[at] !== 0) at = (at + 1) & this.#mask;
    this.#index[at] = slot + 1;
  }

  /** Backward-shift deletion: later entries of the probe run move up so no lookup stops early. */
  #removeFromIndex(slot: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let hole = this.#slotHome(slot);
    while (index[hole] !== slot + 1) hole = (hole + 1) & mask;
    for (let next = (hole + 1) & mask; index[next] !== 0; next = (next + 1) & mask) {
      const home = this.#slotHome(index[next]! - 1);
      // The entry at `next` may fill the hole if its probe passed through the hole to get there.
      if (((hole - home) & mask) < ((next - home) & mask)) {
        index[hole] = index[next]!;
        hole = next;
      }
    }
    index[hole] = 0;
  }
}
