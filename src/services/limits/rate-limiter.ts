import type { LRUCache } from 'lru-cache';
import { type Clock, systemClock } from '../../core/clock.js';
import { boundedCache } from '../caches/bounded-cache.js';

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/** Counts requests against a limit; the gateway does not care where the counters live. */
export interface RequestCounter {
  take(key: string, rule: RateLimit): RateLimitDecision | Promise<RateLimitDecision>;
  close?(): Promise<void>;
}

/**
 * Fixed-window request counters in this process's memory (one instance, or Redis away). Bounded
 * by count and by time: a window is forgotten when it ends, and past `maxKeys` the least recently
 * used goes first. Windows open and end on `clock`.
 */
export class RateLimiter implements RequestCounter {
  readonly #windows: LRUCache<string, Window>;

  constructor(
    options: { maxKeys?: number } = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.#windows = boundedCache(options.maxKeys ?? 100_000, undefined, clock);
  }

  take(key: string, rule: RateLimit): RateLimitDecision {
    const at = this.clock.now();
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= at) {
      window = { count: 0, resetAt: at + rule.windowSeconds * 1000 };
      this.#windows.set(key, window, { ttl: rule.windowSeconds * 1000 });
    }
    const resetSeconds = Math.max(1, Math.ceil((window.resetAt - at) / 1000));
    if (window.count >= rule.limit) return { allowed: false, limit: rule.limit, remaining: 0, resetSeconds };
    window.count++;
    return { allowed: true, limit: rule.limit, remaining: rule.limit - window.count, resetSeconds };
  }

  /** Windows held. */
  get size(): number {
    return this.#windows.size;
  }
}
