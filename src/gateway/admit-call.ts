import { notFromTrustedProxy, type TrustedProxies } from '../config/trusted-proxies.js';
import { isAllowedFrom } from '../core/address-ranges.js';
import { readPresentedCertificate } from '../crypto/client-certificate.js';
import type { RequestCounter } from '../services/limits/rate-limiter.js';
import type { UsageRecorder } from '../services/limits/usage-recorder.js';
import type { AccessTokenVerifier, AdmittedToken } from '../services/verification/access-token-verifier.js';
import type { DpopNonces } from '../services/verification/dpop-nonces.js';
import {
  type CheckedProof,
  checkUnusedDpopProof,
  type ProofCheck,
  recordDpopProof,
} from '../services/verification/dpop-proof.js';
import type { UsedProofLog } from '../store/store.js';
import type { AccountPlans } from './account-plans.js';
import type { ApiRoute } from './api-document.js';
import { isB64Token, readAccessToken } from './bearer-token.js';
import type { ConcurrentCalls } from './concurrent-calls.js';
import { credentialCallLimits, takeFairUsage, tooManyConcurrentCalls } from './fair-usage.js';
import {
  accessTokenInvalid,
  certificateMismatch,
  dpopNonceRequired,
  GatewayError,
  insufficientScope,
  invalidDpopProof,
  malformedAuthorization,
  tokenSchemeMismatch,
  usedFromElsewhere,
} from './gateway-error.js';
import { forwardedTarget } from './request-target.js';
import { routeFit } from './route-fit.js';
import type { RouteLookalikes } from './route-lookalikes.js';

/** Where DPoP proofs (RFC 9449) are checked against, and each one's ID recorded once. */
export interface DpopChecks {
  /** The gateway's public origin, which a proof's `htu` names. */
  readonly publicOrigin: string;
  readonly leewaySeconds: number;
  readonly proofs: Pick<UsedProofLog, 'use' | 'isUsed'>;
  /** Where proofs must carry a server nonce (`dpopNonces`), the nonces given and accepted. */
  readonly nonces?: Pick<DpopNonces, 'accepts' | 'current'> | undefined;
}

export interface CallChecks {
  readonly verifier: Pick<AccessTokenVerifier, 'verify'>;
  readonly dpop: DpopChecks;
  readonly limiter: RequestCounter;
  readonly plans: AccountPlans;
  /** Where a refusal by the credential's own policy is counted, for its usage view. */
  readonly usage?: Pick<UsageRecorder, 'refused'>;
  /** Calls in progress per account; absent where the caller's proxy holds the calls (forward-auth). */
  readonly concurrent?: ConcurrentCalls;
  /** The header a TLS terminator passes the client's certificate in (`clientCertificateHeader`). */
  readonly certificateHeader?: string | undefined;
  /** The proxies whose headers are believed (`trustProxy`). */
  readonly proxies: TrustedProxies;
  /** Paths a looser API framework would route to another operation than the one matched. */
  readonly lookalikes: RouteLookalikes;
}

/**
 * The client certificate header of a request, where one is configured; else none is read. Only a
 * trusted proxy may send it: from anyone else it is a forgery, made from a public certificate.
 */
export function presentedCertificate(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  peerAddress: string | undefined,
  checks: Pick<CallChecks, 'certificateHeader' | 'proxies'>,
): string | undefined {
  if (checks.certificateHeader === undefined) return undefined;
  const value = headers[checks.certificateHeader];
  if (typeof value !== 'string' || value === '') return undefined;
  if (!checks.proxies.vouches(peerAddress)) {
    throw new GatewayError('invalid_request', 400, notFromTrustedProxy(checks.certificateHeader));
  }
  return value;
}

/** What a call to a route presents: the request target and the headers the checks read. */
export interface PresentedCall {
  method: string;
  /** The caller's address, as the gateway sees it (`trustProxy` applied). */
  address: string;
  url: string;
  authorization: string | undefined;
  accept: string | undefined;
  /** The DPoP header: one proof, or several, which is refused. */
  dpop: string | string[] | undefined;
  /** The client's TLS certificate as the terminator passed it on (RFC 8705), where it does. */
  certificate: string | undefined;
  /** The connection the call came over, whose last token the verifier remembers. */
  connection?: object | undefined;
  /**
   * The origin the caller called, where a trusted proxy in front says so (forward-auth): a DPoP
   * proof's `htu` names it. Absent: the gateway's own public origin.
   */
  origin?: string | undefined;
}

/** A call the gateway admits; `release` ends its place among the account's calls in progress. */
export interface Admission {
  /** The origin-form target to forward (request-target.ts). */
  target: string;
  token: AdmittedToken;
  /** The token's scope that admitted the call. */
  scope: string;
  /** The gateway's own headers on the answer: RateLimit, and DPoP-Nonce where nonces are on. */
  answerHeaders: Record<string, string>;
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
  checks.lookalikes.refuseLookalike(route, target);
  const presented = readAccessToken(call.authorization);
  let verdict: Awaited<ReturnType<AccessTokenVerifier['verify']>>;
  try {
    verdict = await checks.verifier.verify(presented.token, undefined, call.connection);
  } catch {
    if (!isB64Token(presented.token)) throw malformedAuthorization();
    // The credential store did not answer: whether the token stands cannot be told.
    throw new GatewayError(
      'temporarily_unavailable',
      503,
      'The credential store is unavailable; retry shortly',
    );
  }
  // Why is for logs and `keygate explain`; the caller only ever learns invalid_token, or that its
  // header was malformed (readAccessToken leaves the token's grammar to this point).
  if (!verdict.admitted) throw isB64Token(presented.token) ? accessTokenInvalid() : malformedAuthorization();
  const { token } = verdict;
  const fit = routeFit(route, token);
  if (fit === 'other_resource') throw accessTokenInvalid();
  if (!isAllowedFrom(token.allowedCidrs, call.address)) {
    checks.usage?.refused(token.credentialId, 'address', Date.now());
    throw usedFromElsewhere();
  }
  if ((presented.scheme === 'dpop') !== (token.jkt !== undefined))
    throw tokenSchemeMismatch(token.jkt !== undefined);
  const proof =
    token.jkt === undefined
      ? undefined
      : await checkProof(checks.dpop, call, target, presented.token, token.jkt);
  if (token.x5t !== undefined) checkCertificate(call.certificate, token.x5t);
  if (fit === 'no_scope') throw insufficientScope(route.scopes);
  const { scope } = fit;
  onScope(scope);
  checkVersion(route, call.accept);
  const limits =
    checks.plans.peekLimitsFor(token.accountId) ?? (await checks.plans.limitsFor(token.accountId));
  const answerHeaders = await takeFairUsage(
    checks.limiter,
    token,
    limits.perAccount,
    credentialCallLimits(limits.perCredential, token.callLimit),
  );
  // The proof's ID is stored only for a call about to be admitted: a token holder over its limits
  // cannot grow `used_proofs`, however many fresh proofs it signs.
  if (proof !== undefined) await recordProof(checks.dpop, proof);
  const { concurrent } = checks;
  if (concurrent && !concurrent.tryEnter(token.accountId, limits.concurrentCalls)) {
    throw tooManyConcurrentCalls(answerHeaders);
  }
  // RFC 9449 §9: the nonce for the client's next proof, before the one it holds goes stale.
  if (token.jkt !== undefined && checks.dpop.nonces)
    answerHeaders['dpop-nonce'] = checks.dpop.nonces.current();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    concurrent?.leave(token.accountId);
  };
  return { target, token, scope, answerHeaders, release };
}

/**
 * RFC 9449 §7.1: a fresh proof, for this call, by the key the token is bound to, not used before.
 * Nothing is written: `recordProof` stores its ID once the call is admitted.
 */
async function checkProof(
  dpop: DpopChecks,
  call: PresentedCall,
  target: string,
  accessToken: string,
  jkt: string,
): Promise<CheckedProof> {
  const checked = await fromProofStore(
    checkUnusedDpopProof(
      call.dpop,
      {
        method: call.method,
        url: new URL(target, call.origin ?? dpop.publicOrigin).href,
        accessToken,
        leewaySeconds: dpop.leewaySeconds,
        nonces: dpop.nonces,
        boundTo: jkt,
      },
      dpop.proofs,
    ),
  );
  return acceptedOrRefused(dpop, checked);
}

/** Stores the proof's ID once per key; a proof used meanwhile by another call is refused. */
async function recordProof(dpop: DpopChecks, proof: CheckedProof): Promise<void> {
  acceptedOrRefused(dpop, await fromProofStore(recordDpopProof(proof, dpop.proofs)));
}

function acceptedOrRefused(dpop: DpopChecks, checked: ProofCheck): CheckedProof {
  if (!checked.ok && checked.useNonce && dpop.nonces) throw dpopNonceRequired(dpop.nonces.current());
  if (!checked.ok) throw invalidDpopProof(checked.why);
  return checked;
}

async function fromProofStore<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch {
    throw new GatewayError('temporarily_unavailable', 503, 'The proof store is unavailable; retry shortly');
  }
}

/** RFC 8705 §3: a certificate-bound token is used over mutual TLS with that very certificate. */
function checkCertificate(header: string | undefined, x5t: string): void {
  let presented: ReturnType<typeof readPresentedCertificate>;
  try {
    presented = readPresentedCertificate(header);
  } catch {
    presented = undefined;
  }
  if (presented?.thumbprint !== x5t) throw certificateMismatch();
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
