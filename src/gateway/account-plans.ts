import type { Config } from '../config/schema.js';
import type { MaybeAsync } from '../core/maybe-async.js';
import type { Account } from '../core/model.js';
import type { AccountCache } from '../services/account-cache.js';
import type { RateLimit } from './rate-limiter.js';

export interface PlanLimits {
  perAccount: RateLimit;
  perCredential?: RateLimit | undefined;
  /** Calls of one account in progress at once, on one gateway instance. */
  concurrentCalls: number;
}

/** The fair-usage limits of each account, from its plan. */
export class AccountPlans {
  constructor(
    private readonly accounts: AccountCache,
    private readonly config: Pick<Config, 'rateLimitPlans' | 'defaultPlan'>,
  ) {}

  /** Synchronous while the account is held in memory, as it is for an account in use. */
  limitsFor(accountId: string): MaybeAsync<PlanLimits> {
    const held = this.accounts.peek(accountId);
    if (held) return this.#limitsOf(held.account);
    return this.accounts.get(accountId).then((account) => this.#limitsOf(account));
  }

  #limitsOf(account: Account | undefined): PlanLimits {
    const plan = account?.plan ?? this.config.defaultPlan;
    return this.config.rateLimitPlans[plan] ?? this.config.rateLimitPlans[this.config.defaultPlan]!;
  }
}
