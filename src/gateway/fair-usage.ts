import type { AdmittedToken } from '../services/access-token-verifier.js';
import type { RateLimitDecision, RequestCounter } from '../services/rate-limiter.js';
import type { PlanLimits } from './account-plans.js';
import { GatewayError } from './gateway-error.js';

/**
 * Takes one request from the account's fair-usage limit (and the credential's, where its plan has
 * one) and returns the RateLimit headers for the answer (draft-ietf-httpapi-ratelimit-headers);
 * over a limit, throws a 429 that carries them too. Counters in this process's memory answer at
 * once; only shared ones (Redis) are waited for.
 */
export async function takeFairUsage(
  limiter: RequestCounter,
  token: Pick<AdmittedToken, 'accountId' | 'clientId'>,
  limits: PlanLimits,
): Promise<Record<string, string>> {
  let perAccount = limiter.take(`account:${token.accountId}`, limits.perAccount);
  if (perAccount instanceof Promise) perAccount = await perAccount;
  if (!perAccount.allowed || !limits.perCredential) return decide(perAccount, 'account');
  let perCredential = limiter.take(`credential:${token.clientId}`, limits.perCredential);
  if (perCredential instanceof Promise) perCredential = await perCredential;
  return !perCredential.allowed || perCredential.remaining < perAccount.remaining
    ? decide(perCredential, 'credential')
    : decide(perAccount, 'account');
}

function decide(decision: RateLimitDecision, scope: 'account' | 'credential'): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
  if (decision.allowed) return headers;
  headers['retry-after'] = String(decision.resetSeconds);
  throw new GatewayError(
    'too_many_requests',
    429,
    `The fair-usage limit of this ${scope} is exceeded; retry after ${decision.resetSeconds} seconds`,
    headers,
  );
}

/** The account's plan allows this many calls at once; the next may start as soon as one ends. */
export function tooManyConcurrentCalls(limitHeaders: Record<string, string>): GatewayError {
  return new GatewayError(
    'too_many_requests',
    429,
    'This account has as many calls in progress as its plan allows; retry when one has ended',
    { ...limitHeaders, 'retry-after': '1' },
  );
}
