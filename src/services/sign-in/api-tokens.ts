import { type ClientSecretHasher, generateApiToken, isWellFormedApiToken } from '../../core/client-secret.js';
import { validateCredentialName, validateDateTime } from '../../core/credential-input.js';
import { DomainError } from '../../core/domain-error.js';
import { newId } from '../../core/identifiers.js';
import type { ApiToken, PortalUser } from '../../core/model.js';
import type { Store } from '../../store/store.js';
import { type Actor, auditBy } from '../credentials/actor.js';

type UserActor = Extract<Actor, { kind: 'user' }>;

/** Marking a token used on every call would be a write per request; once a minute is enough. */
const MARK_USED_AFTER_MS = 60_000;

/**
 * Personal API tokens for automating the admin API. A token acts as its owner, with the owner's
 * current licence, so it can never do more than the owner could in the portal.
 */
export class ApiTokenService {
  constructor(
    private readonly store: Store,
    private readonly hasher: ClientSecretHasher,
  ) {}

  async create(
    input: { name: unknown; expiresAt?: unknown },
    actor: UserActor,
  ): Promise<{ token: ApiToken; secret: string }> {
    const name = validateCredentialName(input.name);
    const expiresAt = validateDateTime(input.expiresAt ?? null, 'expiresAt', { future: true });
    const secret = generateApiToken();
    const token: ApiToken = {
      id: newId(),
      userId: actor.user.id,
      name,
      hint: secret.slice(0, 8),
      createdAt: new Date().toISOString(),
      expiresAt,
      lastUsedAt: null,
    };
    await this.store.apiTokens.create(
      { ...token, hash: this.hasher.hash(secret) },
      auditBy(actor, actor.user.accountId, 'api_token.created', { type: 'api_token', id: token.id, name }),
    );
    return { token, secret };
  }

  list(actor: UserActor): Promise<ApiToken[]> {
    return this.store.apiTokens.list(actor.user.id);
  }

  async revoke(id: string, actor: UserActor): Promise<void> {
    const token = (await this.store.apiTokens.list(actor.user.id)).find((t) => t.id === id);
    const deleted =
      token !== undefined &&
      (await this.store.apiTokens.delete(
        actor.user.id,
        id,
        auditBy(actor, actor.user.accountId, 'api_token.revoked', {
          type: 'api_token',
          id,
          name: token.name,
        }),
      ));
    if (!deleted) throw new DomainError('not_found', `no API token ${id}`);
  }

  /** The user a presented token acts as; undefined for a malformed, unknown or expired token. */
  async authenticate(presented: string): Promise<PortalUser | undefined> {
    if (!isWellFormedApiToken(presented)) return undefined;
    const token = await this.store.apiTokens.findByHash(this.hasher.hash(presented));
    if (!token) return undefined;
    const now = Date.now();
    if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now) return undefined;
    if (token.lastUsedAt === null || now - Date.parse(token.lastUsedAt) > MARK_USED_AFTER_MS) {
      await this.store.apiTokens.markUsed(token.id, new Date(now).toISOString());
    }
    return this.store.users.get(token.userId);
  }
}
