import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { RateLimit, RateLimitDecision, RateLimiter, RequestCounter } from './rate-limiter.js';

// INCR and set the window's expiry in one step; answers [count, milliseconds left].
const TAKE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/**
 * Fair-usage counters shared by every instance, in Redis (atomic, fixed windows). When Redis does
 * not answer, counting falls back to this instance's memory — with one log line when that starts
 * and one when Redis is back — rather than refusing or admitting every call.
 */
export class RedisRateLimiter implements RequestCounter {
  readonly #redis: Redis;
  #degraded = false;

  constructor(
    url: string,
    private readonly fallback: RateLimiter,
    private readonly log: { warn(message: string): void; info(message: string): void },
  ) {
    // Fail fast instead of queueing commands while disconnected: the fallback takes over.
    // ioredis is loaded only when Redis is configured: otherwise it would add about 2 MB to the
    // heap that every major garbage collection of the gateway marks.
    const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
    this.#redis = new RedisClient(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
    });
    this.#redis.on('error', () => {}); // reported through #degrade, once
  }

  async take(key: string, rule: RateLimit): Promise<RateLimitDecision> {
    const windowMs = rule.windowSeconds * 1000;
    try {
      const [count, ttl] = (await this.#redis.eval(TAKE, 1, `keygate:rl:${key}`, windowMs)) as [
        number,
        number,
      ];
      if (this.#degraded) {
        this.#degraded = false;
        this.log.info('Redis answers again: rate limits are shared by all instances');
      }
      const resetSeconds = Math.max(1, Math.ceil(ttl / 1000));
      return {
        allowed: count <= rule.limit,
        limit: rule.limit,
        remaining: Math.max(0, rule.limit - count),
        resetSeconds,
      };
    } catch {
      if (!this.#degraded) {
        this.#degraded = true;
        this.log.warn('Redis does not answer: rate limits are counted by each instance alone until it does');
      }
      return this.fallback.take(key, rule);
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
