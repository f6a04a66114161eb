import type { Config } from '../config/schema.js';
import type { Account } from '../core/model.js';
import type { AccountCache } from '../services/limits/account-cache.js';
import type { RateLimit } from '../services/limits/rate-limiter.js';

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

  /** The account's limits from memory, as for an account in use; undefined when it must be read. */
  peekLimitsFor(accountId: string): PlanLimits | undefined {
    const held = this.accounts.peek(accountId);
    return held && this.#limitsOf(held.account);
  }

  async limitsFor(accountId: string): Promise<PlanLimits> {
    return this.#limitsOf(await this.accounts.get(accountId));
  }

  #limitsOf(account: Account | undefined): PlanLimits {
    const plan = account?.plan ?? this.config.defaultPlan;
    return this.config.rateLimitPlans[plan] ?? this.config.rateLimitPlans[this.config.defaultPlan]!;
  }
}
