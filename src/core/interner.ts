/**
 * Hands out one shared copy of equal values. A cache of many verified tokens then holds each
 * client ID, account ID, key ID and scope list once instead of once per token: fewer objects for
 * the garbage collector to mark on every major collection. Forgets everything past `limit`
 * entries, so values that never repeat cannot grow it without bound.
 */
export class Interner<T> {
  readonly #values = new Map<string, T>();

  constructor(private readonly limit: number) {}

  /** The shared value for `key`, made by `make` the first time it is asked for. */
  intern(key: string, make: (key: string) => T): T {
    let value = this.#values.get(key);
    if (value === undefined) {
      if (this.#values.size >= this.limit) this.#values.clear();
      value = make(key);
      this.#values.set(key, value);
    }
    return value;
  }

  get size(): number {
    return this.#values.size;
  }
}
