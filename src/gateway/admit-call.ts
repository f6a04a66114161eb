import type { AccessTokenVerifier, AdmittedToken } from '../services/access-token-verifier.js';
import type { RequestCounter } from '../services/rate-limiter.js';
import type { AccountPlans } from './account-plans.js';
import type { ApiRoute } from './api-document.js';
import { readBearerToken } from './bearer-token.js';
import type { ConcurrentCalls } from './concurrent-calls.js';
import { takeFairUsage, tooManyConcurrentCalls } from './fair-usage.js';
import { accessTokenInvalid, GatewayError, insufficientScope } from './gateway-error.js';
import { forwardedTarget } from './request-target.js';

export interface CallChecks {
  readonly verifier: AccessTokenVerifier;
  readonly limiter: RequestCounter;
  readonly plans: AccountPlans;
  /** Calls in progress per account; absent where the caller's proxy holds the calls (forward-auth). */
  readonly concurrent?: ConcurrentCalls;
}

/** What a call to a route presents: the request target and the headers the checks read. */
export interface PresentedCall {
  url: string;
  authorization: string | undefined;
  accept: string | undefined;
}

/** A call the gateway admits; `release` ends its place among the account's calls in progress. */
export interface Admission {
  /** The origin-form target to forward (request-target.ts). */
  target: string;
  token: AdmittedToken;
  /** The token's scope that admitted the call. */
  scope: string;
  /** The RateLimit headers of the answer. */
  limitHeaders: Record<string, string>;
  release(): void;
}

const VERSIONED_ACCEPT = /application\/vnd\.newvoicemedia\.v(\d+)\+json/i;

/**
 * The gateway's whole check of one call, in order: the request target (400), the bearer token
 * (401), the scope (403), the API version (406), the fair-usage limit and the account's calls in
 * progress (429). Every refusal is a GatewayError carrying its answer; `onScope` hears the admitting
 * scope as soon as it is known, for the metrics of a call refused after it.
 */
export async function admitCall(
  checks: CallChecks,
  route: ApiRoute,
  call: PresentedCall,
  onScope: (scope: string) => void = () => {},
): Promise<Admission> {
  const target = forwardedTarget(call.url);
  const bearer = readBearerToken(call.authorization);
  let verdict: Awaited<ReturnType<AccessTokenVerifier['verify']>>;
  try {
    verdict = await checks.verifier.verify(bearer);
  } catch {
    // The credential store did not answer: whether the token stands cannot be told.
    throw new GatewayError(
      'temporarily_unavailable',
      503,
      'The credential store is unavailable; retry shortly',
    );
  }
  // Why is for logs and `keygate explain`; the caller only ever learns invalid_token.
  if (!verdict.admitted) throw accessTokenInvalid();
  const { token } = verdict;
  const scope = route.scopes.find((s) => token.scopes.includes(s));
  if (scope === undefined) throw insufficientScope(route.scopes);
  onScope(scope);
  checkVersion(route, call.accept);
  const limits =
    checks.plans.peekLimitsFor(token.accountId) ?? (await checks.plans.limitsFor(token.accountId));
  const limitHeaders = await takeFairUsage(checks.limiter, token, limits);
  const { concurrent } = checks;
  if (concurrent && !concurrent.tryEnter(token.accountId, limits.concurrentCalls)) {
    throw tooManyConcurrentCalls(limitHeaders);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    concurrent?.leave(token.accountId);
  };
  return { target, token, scope, limitHeaders, release };
}

function checkVersion(route: ApiRoute, accept: string | undefined): void {
  if (route.versions.length === 0 || accept === undefined) return;
  const match = VERSIONED_ACCEPT.exec(accept);
  if (!match) return;
  if (!route.versions.includes(Number(match[1]))) {
    const offered = route.versions.map((v) => `application/vnd.newvoicemedia.v${v}+json`).join(', ');
    throw new GatewayError('not_acceptable', 406, `This API serves ${offered}`);
  }
}
