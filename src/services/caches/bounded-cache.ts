import { LRUCache } from 'lru-cache';
import type { Clock } from '../../core/clock.js';

/**
 * An lru-cache bounded in size (the least recently used entry goes first) and, where entries have
 * a lifetime (`ttlMs`, or per `set`), in time. It reads the clock on each check (`ttlResolution: 0`):
 * by default lru-cache keeps the time for a millisecond and arms a `setTimeout` each time it reads it
 * anew, which on the gateway's hot path is hundreds of timers a second per cache (ADR 0005).
 * With `clock`, lifetimes are measured on it (the one a test moves); by default, on performance.now().
 */
export function boundedCache<K extends {}, V extends {}>(
  max: number,
  ttlMs?: number,
  clock?: Clock,
): LRUCache<K, V> {
  return new LRUCache<K, V>({
    max,
    ttlResolution: 0,
    ...(ttlMs !== undefined ? { ttl: ttlMs } : {}),
    ...(clock ? { perf: clock } : {}),
  });
}
