import { InvalidDpopProof, TooManyRequests, UseDpopNonce } from '../core/errors.js';
import type { Credential } from '../core/model.js';
import { checkScopesGranted, checkScopesOffered, parseRequestedScopes } from '../core/scope-request.js';
import type { PresentedCertificate } from '../crypto/client-certificate.js';
import { annotate, KEYGATE, step } from '../services/observability/tracing.js';
import {
  type CheckedProof,
  checkUnusedDpopProof,
  type ProofCheck,
  recordDpopProof,
} from '../services/verification/dpop-proof.js';
import type { TokenServiceContext } from './context.js';
import { fromStore } from './from-store.js';
import { endpointUrl, TOKEN_PATH } from './metadata.js';
import { authenticateClient } from './token/authenticate-client.js';
import { checkGrantType } from './token/check-grant-type.js';
import { chooseAudience } from './token/choose-audience.js';
import { mintAccessToken } from './token/mint-access-token.js';
import { readForm } from './token/read-form.js';

export interface TokenRequest {
  body: unknown;
  authorization: string | undefined;
  address: string;
  /** The DPoP header (RFC 9449): one proof, or several, which is refused. */
  dpop?: string | string[] | undefined;
  /** The client's TLS certificate, as the terminator passed it on (RFC 8705), when there is one. */
  certificate?: PresentedCertificate | undefined;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer' | 'DPoP';
  scope: string;
}

/**
 * POST /Auth/connect/token: the DPoP proof → the client's authentication → the grant type → the
 * scopes (granted, and still offered) → the audience (RFC 8707) → the token quota → the proof's ID
 * stored → the token minted → its use counted.
 */
export async function handleTokenRequest(
  context: TokenServiceContext,
  request: TokenRequest,
): Promise<TokenResponse> {
  const params = readForm(request.body);
  // The proof is checked first, its nonce and a replay included: a client told to use a nonce
  // resends its own credentials unchanged, and a one-time client assertion is not spent on the
  // refusal. Its ID is stored only for a token about to be issued: once the client is authenticated
  // (and so admitted by the failed-authentication limiter), its scopes granted and its quota taken,
  // so neither a caller without credentials nor a client over its quota can grow `used_proofs`.
  // Only two requests racing with one proof can see the assertion spent and the proof then refused.
  const proof = request.dpop === undefined ? undefined : await checkProof(context, request.dpop);
  const { tracing } = context;
  const { credential, wayIn } = await step(tracing, 'keygate.client_authentication', () =>
    authenticateClient(context, { ...request, params }),
  );
  annotate(tracing, { [KEYGATE.accountId]: credential.accountId, [KEYGATE.clientId]: credential.clientId });
  checkGrantType(params);
  const scopes = step(tracing, 'keygate.scope_check', () => {
    const asked = parseRequestedScopes(params.scope);
    checkScopesGranted(asked, credential.scopes);
    checkScopesOffered(asked, context.catalogue);
    return asked;
  });
  annotate(tracing, { [KEYGATE.scope]: scopes.join(' ') });
  const audience = chooseAudience(params, context.config);
  if (proof === undefined && credential.requireDpop) {
    throw new InvalidDpopProof('This client must send a DPoP proof (RFC 9449)');
  }
  await takeFromQuota(context, credential);
  const jkt = proof && (await recordProof(context, proof));
  const now = context.clock.now();
  // RFC 8705 §3: a token asked for over mutual TLS is bound to the client's certificate.
  const token = step(tracing, 'keygate.sign', () =>
    mintAccessToken(context, credential, scopes, audience, now, {
      jkt,
      x5t: request.certificate?.thumbprint,
    }),
  );
  context.usage.tokenIssued(credential.id, wayIn, scopes, now);
  return {
    access_token: token.accessToken,
    expires_in: token.expiresIn,
    token_type: jkt === undefined ? 'Bearer' : 'DPoP',
    scope: scopes.join(' '),
  };
}

const PERIOD_SECONDS = { hour: 3600, day: 86_400 } as const;

/** The credential's token quota, counted across instances when Redis is configured. */
async function takeFromQuota(context: TokenServiceContext, credential: Credential): Promise<void> {
  const quota = credential.tokenQuota;
  if (!quota) return;
  const decision = await context.quotas.take(`token-quota:${credential.id}`, {
    limit: quota.limit,
    windowSeconds: PERIOD_SECONDS[quota.period],
  });
  if (!decision.allowed) {
    context.usage.refused(credential.id, 'token_quota', Date.now());
    throw new TooManyRequests(
      `This client has had its ${quota.limit} tokens this ${quota.period}; retry after ${decision.resetSeconds} seconds`,
      Math.max(1, decision.resetSeconds),
    );
  }
}

/**
 * RFC 9449 §5: with a valid DPoP proof the token is bound to the proof's key (its thumbprint, in
 * `cnf.jkt`). Checked without writing anything: signature, claims, nonce, and whether it was used.
 */
async function checkProof(context: TokenServiceContext, proof: string | string[]): Promise<CheckedProof> {
  const checked = await fromStore(
    checkUnusedDpopProof(
      proof,
      {
        method: 'POST',
        url: endpointUrl(context.config, TOKEN_PATH),
        leewaySeconds: context.config.clockLeewaySeconds,
        nonces: context.dpopNonces,
      },
      context.store.usedProofs,
    ),
  );
  return acceptedOrRefused(context, checked);
}

/** Records the proof's ID, for an authenticated client only; returns the key the token is bound to. */
async function recordProof(context: TokenServiceContext, proof: CheckedProof): Promise<string> {
  return acceptedOrRefused(context, await fromStore(recordDpopProof(proof, context.store.usedProofs))).jkt;
}

function acceptedOrRefused(context: TokenServiceContext, checked: ProofCheck): CheckedProof {
  if (!checked.ok && checked.useNonce && context.dpopNonces)
    throw new UseDpopNonce(context.dpopNonces.current());
  if (!checked.ok) throw new InvalidDpopProof(`The DPoP proof is not valid: ${checked.why}`);
  return checked;
}
