import type { Config } from '../config/schema.js';
import type { AccountCache } from '../services/account-cache.js';
import type { RateLimit } from './rate-limiter.js';

export interface PlanLimits {
  perAccount: RateLimit;
  perCredential?: RateLimit;
}

/** The fair-usage limits of each account, from its plan. */
export class AccountPlans {
  constructor(
    private readonly accounts: AccountCache,
    private readonly config: Pick<Config, 'rateLimitPlans' | 'defaultPlan'>,
  ) {}

  async limitsFor(accountId: string): Promise<PlanLimits> {
    const plan = (await this.accounts.get(accountId))?.plan ?? this.config.defaultPlan;
    return this.config.rateLimitPlans[plan] ?? this.config.rateLimitPlans[this.config.defaultPlan]!;
  }
}
