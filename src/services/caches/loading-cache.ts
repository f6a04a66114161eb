import type { LRUCache } from 'lru-cache';
import { boundedCache } from './bounded-cache.js';

export interface LoadingCacheOptions {
  /** Most keys held (known and unknown); the least recently used go first. */
  maxEntries: number;
  /** A safety net only: the change feed invalidates entries as soon as the store changes. */
  maxAgeMs: number;
}

/**
 * Values read from the store by key, held so that a hot path costs no store read. An absent value
 * (undefined) is held too, so guessing keys does not reach the store either. One load per key at a
 * time; a load that raced with an invalidation is returned to its callers but not held, so nothing
 * stays cached that a write has made stale. Invalidated from the change log (server/change-feed.ts).
 */
export class LoadingCache<V> {
  readonly #entries: LRUCache<string, { value: V }>;
  readonly #loading = new Map<string, Promise<V>>();
  /** Bumped by every invalidation. */
  #epoch = 0;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    options: LoadingCacheOptions,
  ) {
    this.#entries = boundedCache(options.maxEntries, options.maxAgeMs);
  }

  get(key: string): Promise<V> {
    const held = this.peek(key);
    if (held) return Promise.resolve(held.value);
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = this.#load(key).finally(() => this.#loading.delete(key));
      this.#loading.set(key, loading);
    }
    return loading;
  }

  /** The value held for `key` (undefined included, in `value`) without reading the store. */
  peek(key: string): { value: V } | undefined {
    return this.#entries.get(key);
  }

  invalidate(key: string): void {
    this.#epoch++;
    this.#entries.delete(key);
  }

  clear(): void {
    this.#epoch++;
    this.#entries.clear();
  }

  async #load(key: string): Promise<V> {
    const epoch = this.#epoch;
    const value = await this.load(key);
    if (epoch === this.#epoch) this.#entries.set(key, { value });
    return value;
  }
}
