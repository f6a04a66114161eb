import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import type { RateLimit } from './rate-limiter.js';

export interface PlanLimits {
  perAccount: RateLimit;
  perCredential?: RateLimit;
}

/** The fair-usage limits of each account, from its plan; plans change rarely, so they are cached for a minute. */
export class AccountPlans {
  readonly #cache = new Map<string, { plan: string; loadedAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly config: Pick<Config, 'rateLimitPlans' | 'defaultPlan'>,
  ) {}

  async limitsFor(accountId: string): Promise<PlanLimits> {
    const cached = this.#cache.get(accountId);
    let plan = cached && Date.now() - cached.loadedAt < 60_000 ? cached.plan : undefined;
    if (plan === undefined) {
      plan = (await this.store.accounts.get(accountId))?.plan ?? this.config.defaultPlan;
      this.#cache.set(accountId, { plan, loadedAt: Date.now() });
    }
    return this.config.rateLimitPlans[plan] ?? this.config.rateLimitPlans[this.config.defaultPlan]!;
  }
}
