import { isAllowedFrom } from '../../core/address-ranges.js';
import { ClientSecretHasher, isWellFormedClientSecret } from '../../core/client-secret.js';
import { InvalidClient, UnauthorizedClient } from '../../core/errors.js';
import { CLIENT_ID_PATTERN } from '../../core/identifiers.js';
import { type Credential, isCredentialExpired, isSecretUsable } from '../../core/model.js';
import type { PresentedCertificate } from '../../crypto/client-certificate.js';
import type { TokenServiceContext } from '../context.js';
import { fromStore } from '../from-store.js';
import type { ClientAuthenticationRefusal } from './client-authentication-refusal.js';
import { extractClientCredentials } from './extract-client-credentials.js';
import type { FormParameters } from './read-form.js';
import { verifyClientAssertion } from './verify-client-assertion.js';

export interface AuthenticatedClient {
  credential: Credential;
  /** The secret presented, or the key whose assertion the client signed. */
  wayIn: { secretId: string } | { keyId: string };
}

// Compared against when the client does not exist, so both outcomes cost one HMAC and one compare.
const DUMMY_HASH = Buffer.alloc(32);

/**
 * Step 2: who is calling. Every failure reads "Client authentication failed" whether the client
 * ID is unknown or the secret wrong, so the answer does not reveal which client IDs exist.
 */
export async function authenticateClient(
  context: TokenServiceContext,
  request: {
    authorization: string | undefined;
    address: string;
    params: FormParameters;
    certificate?: PresentedCertificate | undefined;
  },
): Promise<AuthenticatedClient> {
  const { certificate } = request;
  const presented = extractClientCredentials(
    request.authorization,
    request.params,
    certificate !== undefined,
  );
  const usedBasic = presented?.method === 'client_secret_basic';
  if (!presented || presented.clientId === '')
    throw new InvalidClient('Client authentication failed', usedBasic);

  // Only an ID that could be Keygate's is counted or looked up: a made-up one (a 15 KB string, say)
  // costs one regular expression and the address's count, never a table entry of its own.
  const clientId = CLIENT_ID_PATTERN.test(presented.clientId) ? presented.clientId : undefined;
  context.limiter.assertAllowed(clientId, request.address);

  let authenticated: AuthenticatedClient | undefined;
  // Why not, for the audit log of a client that exists; the caller gets invalid_client whatever it is.
  let refused: ClientAuthenticationRefusal = 'malformed_secret';
  let found: Awaited<ReturnType<TokenServiceContext['credentials']['get']>>;
  if (clientId !== undefined) {
    found = await fromStore(context.credentials.get(clientId));
    if (presented.method === 'private_key_jwt') {
      if (found) {
        const checked = await verifyClientAssertion(context, clientId, presented.assertion, found.keys);
        if ('key' in checked)
          authenticated = { credential: found.credential, wayIn: { keyId: checked.key.id } };
        else refused = checked.refused;
      }
    } else if (presented.method === 'self_signed_tls_client_auth') {
      // RFC 8705 §2.2: the certificate is one the client registered, within its validity.
      const now = new Date(context.clock.now());
      const key = certificate && found?.keys.find((k) => k.jwk['x5t#S256'] === certificate.thumbprint);
      if (!key) refused = 'certificate_mismatch';
      else if (!(certificate.validFrom <= now && now <= certificate.validTo)) refused = 'certificate_expired';
      else if (found) authenticated = { credential: found.credential, wayIn: { keyId: key.id } };
    } else if (isWellFormedClientSecret(presented.clientSecret)) {
      // A malformed secret (bad prefix or checksum) fails without a hash, known client or not.
      const presentedHash = context.hasher.hash(presented.clientSecret);
      const now = new Date(context.clock.now());
      if (found) {
        const usable = found.secrets.filter((secret) => isSecretUsable(secret, now));
        refused = usable.length > 0 ? 'wrong_secret' : 'no_secret';
        // Every secret loaded is compared, usable or not: one a rotation let expire is worth telling apart.
        for (const secret of found.secrets) {
          if (!ClientSecretHasher.matches(presentedHash, secret.hash)) continue;
          if (usable.includes(secret)) {
            authenticated = { credential: found.credential, wayIn: { secretId: secret.id } };
          } else {
            refused = 'expired_secret';
          }
        }
      } else {
        ClientSecretHasher.matches(presentedHash, DUMMY_HASH);
      }
    }
  }

  if (!authenticated) {
    context.limiter.recordFailure(clientId, request.address);
    // Every failure for a client that exists reaches its account's audit log, malformed secrets too.
    if (found) context.failureAudit.record(found.credential, request.address, presented.method, refused);
    throw new InvalidClient('Client authentication failed', usedBasic);
  }
  const account = await fromStore(context.accounts.get(authenticated.credential.accountId));
  if (account && account.region !== context.config.region) {
    // An account lives in one region: its credentials get tokens only from that region's endpoint.
    throw new InvalidClient(
      `This client belongs to region ${account.region}; request tokens from that region's token endpoint`,
      usedBasic,
    );
  }
  if (!isAllowedFrom(authenticated.credential.allowedCidrs, request.address)) {
    // Its secret or key was right: not a guess, so not counted; but an admin should see it.
    context.failureAudit.record(
      authenticated.credential,
      request.address,
      presented.method,
      'address_not_allowed',
    );
    context.usage.refused(authenticated.credential.id, 'address', Date.now());
    throw new InvalidClient('Client authentication failed', usedBasic);
  }
  if (authenticated.credential.disabled) throw new UnauthorizedClient('The client is disabled');
  if (isCredentialExpired(authenticated.credential, context.clock.now()))
    throw new UnauthorizedClient('The client has expired');
  return authenticated;
}
