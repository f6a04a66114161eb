import { DomainError } from '../../core/domain-error.js';
import type { Account, PortalUser } from '../../core/model.js';
import { requireAdmin } from '../../core/portal-access.js';
import { hasControlCharacters, hasInvisibleFormatting } from '../../core/printable-text.js';
import type { Licence } from '../../core/scopes.js';
import { hashPassword } from '../../crypto/password-hash.js';
import type { Store } from '../../store/store.js';
import { type Actor, auditBy, CLI_ACTOR } from './actor.js';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{1,63}$|^[^\s@]{1,64}@[^\s@.]{1,189}$/;
export const MIN_PASSWORD_LENGTH = 12;

/** Portal users: an admin (or the CLI) adds them to an account with a licence. */
/** A portal user with the account it belongs to, as its resource shows them. */
export interface UserWithAccount {
  readonly user: PortalUser;
  readonly account: Account | undefined;
}

export class PortalUserService {
  constructor(private readonly store: Store) {}

  /** Users with their accounts, reading each account once (a list shares one). */
  async withAccounts(users: readonly PortalUser[]): Promise<UserWithAccount[]> {
    const accounts = new Map<string, Account | undefined>();
    for (const id of new Set(users.map((u) => u.accountId)))
      accounts.set(id, await this.store.accounts.get(id));
    return users.map((user) => ({ user, account: accounts.get(user.accountId) }));
  }

  async withAccount(user: PortalUser): Promise<UserWithAccount> {
    const [found] = await this.withAccounts([user]);
    return found!;
  }

  async create(
    input: { accountId?: string; email: unknown; password: unknown; licence: unknown },
    actor: Actor = CLI_ACTOR,
  ): Promise<PortalUser> {
    if (actor.kind === 'user') requireAdmin(actor.user);
    const accountId = actor.kind === 'user' ? actor.user.accountId : input.accountId;
    if (
      typeof input.email !== 'string' ||
      !EMAIL.test(input.email.trim()) ||
      hasControlCharacters(input.email) ||
      hasInvisibleFormatting(input.email)
    ) {
      throw new DomainError('validation_failed', 'email must be an email address', 'email');
    }
    if (
      typeof input.password !== 'string' ||
      input.password.length < MIN_PASSWORD_LENGTH ||
      input.password.length > 1024
    ) {
      throw new DomainError(
        'validation_failed',
        `password must be ${MIN_PASSWORD_LENGTH} to 1024 characters`,
        'password',
      );
    }
    const licence = parseLicence(input.licence);
    if (accountId === undefined || !(await this.store.accounts.get(accountId))) {
      throw new DomainError('not_found', `no account with id ${accountId}`, 'account');
    }
    const email = input.email.trim().toLowerCase();
    if (await this.store.users.findForLogin(email)) throw emailTaken(email, actor);
    try {
      return await this.store.users.create(
        { accountId, email, passwordHash: await hashPassword(input.password), licence },
        auditBy(actor, accountId, 'user.created', { type: 'user', id: null, name: email }, { licence }),
      );
    } catch (error) {
      // Two requests for one email at once: the unique index refuses the second.
      if (await this.store.users.findForLogin(email)) throw emailTaken(email, actor);
      throw error;
    }
  }

  /** Gives a user another licence, as the operator (`keygate apply`), audited. */
  async setLicence(user: PortalUser, licence: unknown): Promise<PortalUser> {
    const next = parseLicence(licence);
    const updated = await this.store.users.setLicence(
      user.id,
      next,
      auditBy(
        CLI_ACTOR,
        user.accountId,
        'user.licence_changed',
        { type: 'user', id: user.id, name: user.email },
        { from: user.licence, to: next },
      ),
    );
    if (!updated) throw new DomainError('not_found', `no user ${user.email}`, 'user');
    return updated;
  }

  /** Deletes a user with their sessions and API tokens, as the operator (`keygate apply --prune`), audited. */
  async delete(user: PortalUser): Promise<void> {
    const deleted = await this.store.users.delete(
      user.id,
      auditBy(CLI_ACTOR, user.accountId, 'user.deleted', { type: 'user', id: user.id, name: user.email }),
    );
    if (!deleted) throw new DomainError('not_found', `no user ${user.email}`, 'user');
  }

  async list(actor: Extract<Actor, { kind: 'user' }>): Promise<PortalUser[]> {
    requireAdmin(actor.user);
    return this.store.users.list(actor.user.accountId);
  }
}

/**
 * An email logs in to one user, so it is unique across accounts and an admin's new user cannot have
 * one that another account's user has: refusing it is unavoidable, but an account admin gets the
 * same answer whether the email is taken in their account (which they can list) or in another, so
 * the answer names neither an account nor that a user exists. The CLI operator sees every account.
 */
function emailTaken(email: string, actor: Actor): DomainError {
  const message =
    actor.kind === 'cli'
      ? `a user with email ${email} exists`
      : 'this email address cannot be used for a new user; choose another';
  return new DomainError('conflict', message, 'email');
}

export function parseLicence(value: unknown): Licence | null {
  if (value === null || value === 'none') return null;
  if (value === 'admin' || value === 'supervisor') return value;
  throw new DomainError('validation_failed', 'licence must be admin, supervisor or null', 'licence');
}
