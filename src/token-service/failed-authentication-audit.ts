import type { Credential } from '../core/model.js';
import type { Store } from '../store/store.js';
import type { ClientAuthenticationRefusal } from './token/client-authentication-refusal.js';
import type { ClientAuthenticationMethod } from './token/extract-client-credentials.js';

/**
 * Puts a refused authentication of an existing client ID in its account's audit log with its reason,
 * so an admin sees guessing, and which part of a client's set-up to fix. Written after the answer
 * has gone (never awaited by the request: the answer's timing must not depend on whether the client
 * exists), and bounded by the failed-authentication limiter, which refuses further guesses before
 * they reach here.
 */
export class FailedAuthenticationAudit {
  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  record(
    credential: Credential,
    address: string,
    method: ClientAuthenticationMethod,
    reason: ClientAuthenticationRefusal,
  ): void {
    this.store.audit
      .append({
        accountId: credential.accountId,
        actorUserId: null,
        actorEmail: `client ${credential.clientId}`,
        action: 'client_authentication.failed',
        targetType: 'credential',
        targetId: credential.id,
        targetName: credential.name,
        ip: address,
        details: { method, reason },
      })
      .catch(this.onError);
  }
}
