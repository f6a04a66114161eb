import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { AccountCache } from '../services/limits/account-cache.js';
import { RateLimiter, type RequestCounter } from '../services/limits/rate-limiter.js';
import { RedisRateLimiter } from '../services/limits/redis-rate-limiter.js';
import { UsageRecorder } from '../services/limits/usage-recorder.js';
import type { Store } from '../store/store.js';

/**
 * What the token service and the gateway count with, one set per process: one recorder keeps a
 * credential's last use the latest of both roles', and one set of counters holds one Redis
 * connection.
 */
export interface Limits {
  /** Last-used times and daily counts, written every `usageFlushMs`. */
  readonly usage: UsageRecorder;
  /**
   * The gateway's fair usage and the token service's quotas: in Redis when `redisUrl` is set, so
   * every instance shares them, in this process otherwise.
   */
  readonly counters: RequestCounter;
  /** Accounts' region and plan, held for a minute. */
  readonly accounts: AccountCache;
  /** Writes what the recorder holds, then lets go of the counters. */
  close(): Promise<void>;
}

/** Builds the counters and the usage recorder, and starts its flush. */
export function startLimits(config: Config, store: Store, logger: Logger, clock: Clock): Limits {
  const usage = new UsageRecorder(store, (err) => logger.warn({ err }, 'usage flush failed'));
  usage.start(config.usageFlushMs);
  const counters: RequestCounter = config.redisUrl
    ? new RedisRateLimiter(config.redisUrl, new RateLimiter({}, clock), {
        warn: (message) => logger.warn(message),
        info: (message) => logger.info(message),
      })
    : new RateLimiter({}, clock);
  return {
    usage,
    counters,
    accounts: new AccountCache(store),
    async close() {
      await usage.stop();
      await counters.close?.();
    },
  };
}
