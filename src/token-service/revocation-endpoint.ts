import { InvalidRequest, UnauthorizedClient } from '../core/errors.js';
import { type AuditDraft, type Credential, firstAdmittedIssuedAt } from '../core/model.js';
import type { TokenServiceContext } from './context.js';
import { fromStore } from './from-store.js';
import { authenticateClient } from './token/authenticate-client.js';
import { readForm } from './token/read-form.js';
import type { TokenRequest } from './token-endpoint.js';

/**
 * POST /Auth/connect/revocation (RFC 7009). A client revokes its own tokens. Tokens that are
 * invalid, expired or already revoked answer 200 as the RFC asks (§2.2); a valid token of
 * another client is refused (§2.1).
 */
export async function handleRevocation(context: TokenServiceContext, request: TokenRequest): Promise<void> {
  const params = readForm(request.body);
  const { credential: caller } = await authenticateClient(context, { ...request, params });
  if (params.token === undefined) throw new InvalidRequest('The token parameter is missing');

  // Judged by the gateway's verifier on signature, claims and times alone: a token refused now
  // for its credential's state can be admitted again, so it can still be revoked. The gateway
  // admits a token until its clock leeway past `exp`, and the revocation is kept as long.
  const issued = await fromStore(context.verifier.checkIssued(params.token));
  if (typeof issued === 'string') return;
  if (issued.clientId !== caller.clientId) {
    throw new UnauthorizedClient('The token was not issued to this client');
  }
  // Already refused, by its own revocation or by the credential's revoke-all: writing again would
  // let a client grow the change log for ever by revoking the same tokens over and over.
  if (context.revocations.has(issued.jti)) return;
  if (issued.issuedAt < firstAdmittedIssuedAt(caller)) return;
  const maxLivePerClient = context.config.maxRevokedTokensPerCredential;
  await fromStore(
    context.store.revokedTokens.add(
      {
        jti: issued.jti,
        clientId: caller.clientId,
        expiresAt: new Date(issued.admittedUntilMs).toISOString(),
      },
      { maxLivePerClient, audit: revokedAllAudit(caller, request.address, maxLivePerClient) },
    ),
  );
  // Refused here at once either way (past the bound, until this instance has read the credential's
  // cut-off from the change log, and the list's next refresh drops it); others learn it from the log.
  context.revocations.add(issued.jti, issued.admittedUntilMs);
}

/** The audit entry of a revocation past the bound, which revokes every token of the credential. */
function revokedAllAudit(caller: Credential, address: string, maxLivePerClient: number): AuditDraft {
  return {
    accountId: caller.accountId,
    actorUserId: null,
    actorEmail: `client ${caller.clientId}`,
    action: 'credential.tokens_revoked',
    targetType: 'credential',
    targetId: caller.id,
    targetName: caller.name,
    ip: address,
    details: { reason: 'revocation_limit', maxRevokedTokens: maxLivePerClient },
  };
}
