import { LRUCache } from 'lru-cache';
import type { Clock } from '../../core/clock.js';

/**
 * An lru-cache bounded in size (the least recently used entry goes first) and, where entries have
 * a lifetime (`ttlMs`, or per `set`), in time. It reads the clock on each check (`ttlResolution: 0`):
 * by default lru-cache keeps the time for a millisecond and arms a `setTimeout` each time it reads it
 * anew, which on the gateway's hot path is hundreds of timers a second per cache (ADR 0005).
 * With `clock`, lifetimes are measured on it (the one a test moves); by default, on performance.now().
 *
 * An entry past its lifetime is not returned, but stays until it is set again, evicted or purged
 * (`noDeleteOnStaleGet`): lru-cache empties a cache whose last entry is deleted by clearing all
 * of its `max` slots, and a rate-limit window that ended, read again, was such a last entry. With
 * one caller and one-second windows that was 4 × 100,000 slots cleared every second, 17 k
 * instructions a gateway call (bench:instructions, 2026-12-07).
 */
export function boundedCache<K extends {}, V extends {}>(
  max: number,
  ttlMs?: number,
  clock?: Clock,
): LRUCache<K, V> {
  return new LRUCache<K, V>({
    max,
    ttlResolution: 0,
    noDeleteOnStaleGet: true,
    ...(ttlMs !== undefined ? { ttl: ttlMs } : {}),
    ...(clock ? { perf: clock } : {}),
  });
}
