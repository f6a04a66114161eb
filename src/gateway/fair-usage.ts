import type { RateLimit, RateLimitDecision, RequestCounter } from '../services/limits/rate-limiter.js';
import type { AdmittedToken } from '../services/verification/access-token-verifier.js';
import { GatewayError } from './gateway-error.js';

/**
 * The limits a credential's calls are counted against: its plan's per-credential limit and its own
 * call limit, each where set. Its own limit only ever lowers the plan's: over the same window the
 * smaller count stands alone; over different windows both are counted, so neither is exceeded.
 */
export function credentialCallLimits(
  plan: RateLimit | undefined,
  own: RateLimit | null | undefined,
): RateLimit[] {
  if (!plan) return own ? [own] : [];
  if (!own) return [plan];
  if (own.windowSeconds === plan.windowSeconds) return [own.limit < plan.limit ? own : plan];
  return [plan, own];
}

/**
 * Takes one request from each of the credential's limits (`credentialCallLimits`), then from the
 * account's fair-usage limit, and returns the RateLimit headers of the nearest to running out
 * (draft-ietf-httpapi-ratelimit-headers); over a limit, throws a 429 that carries them too.
 * Counters in this process's memory answer at once; only shared ones (Redis) are waited for.
 */
export async function takeFairUsage(
  limiter: RequestCounter,
  token: Pick<AdmittedToken, 'accountId' | 'clientId'>,
  perAccount: RateLimit,
  perCredential: readonly RateLimit[],
): Promise<Record<string, string>> {
  // The credential's own limits first: a call they refuse must not spend the account's budget,
  // which the account's other credentials share.
  let nearest: RateLimitDecision | undefined;
  for (const rule of perCredential) {
    // One counter per window, so a limit over a minute and one over an hour count apart.
    let credential = limiter.take(`credential:${token.clientId}:${rule.windowSeconds}`, rule);
    if (credential instanceof Promise) credential = await credential;
    if (!credential.allowed) return decide(credential, 'credential');
    if (nearest === undefined || credential.remaining < nearest.remaining) nearest = credential;
  }
  let account = limiter.take(`account:${token.accountId}`, perAccount);
  if (account instanceof Promise) account = await account;
  if (!account.allowed || nearest === undefined || account.remaining <= nearest.remaining) {
    return decide(account, 'account');
  }
  return decide(nearest, 'credential');
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
