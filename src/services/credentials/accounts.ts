import { DomainError } from '../../core/domain-error.js';
import type { Account } from '../../core/model.js';
import { hasControlCharacters } from '../../core/printable-text.js';
import type { Store } from '../../store/store.js';
import { auditBy, CLI_ACTOR } from './actor.js';

/** An account name as the store keeps it, or why it cannot be one. */
export function validateAccountName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > 100 || hasControlCharacters(name))
    throw new DomainError('validation_failed', 'name must be 1–100 printable characters', 'name');
  return name;
}

export function validateRegion(region: string): string {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(region)) {
    throw new DomainError(
      'validation_failed',
      'region must be a lower-case region name such as emea',
      'region',
    );
  }
  return region;
}

/** A plan of `plans` (the configured rateLimitPlans), or null for the default plan. */
export function validatePlan(plan: string | null, plans: readonly string[]): string | null {
  if (plan !== null && !plans.includes(plan)) {
    throw new DomainError(
      'validation_failed',
      `plan must be one of the configured rateLimitPlans (${plans.join(', ')})`,
      'plan',
    );
  }
  return plan;
}

/** Creates an account as the operator (accounts are made by the command line only), audited. */
export async function createAccount(
  store: Store,
  input: { name: string; region: string; plan?: string | null },
): Promise<Account> {
  const name = validateAccountName(input.name);
  const region = validateRegion(input.region);
  if (await store.accounts.findByName(name))
    throw new DomainError('conflict', `an account named ${name} exists`, 'name');
  const plan = input.plan ?? null;
  return store.accounts.create(
    { name, region, plan },
    auditBy(CLI_ACTOR, '', 'account.created', { type: 'account', id: null, name }, { region, plan }),
  );
}

/** Moves an account to another rate-limit plan (null: the default), as the operator, audited. */
export async function setAccountPlan(store: Store, account: Account, plan: string | null): Promise<Account> {
  const updated = await store.accounts.setPlan(
    account.id,
    plan,
    auditBy(
      CLI_ACTOR,
      account.id,
      'account.plan_changed',
      { type: 'account', id: account.id, name: account.name },
      { from: account.plan, to: plan },
    ),
  );
  if (!updated) throw new DomainError('not_found', `no account with id ${account.id}`, 'account');
  return updated;
}

/**
 * Deletes an account that holds no user and no credential, as the operator (`keygate apply
 * --prune`), audited; its audit log stays in the store.
 */
export async function deleteAccount(store: Store, account: Account): Promise<void> {
  const deleted = await store.accounts.delete(
    account.id,
    auditBy(CLI_ACTOR, account.id, 'account.deleted', {
      type: 'account',
      id: account.id,
      name: account.name,
    }),
  );
  if (deleted === 'not_empty')
    throw new DomainError('conflict', `account ${account.name} still holds users or credentials`, 'account');
  if (!deleted) throw new DomainError('not_found', `no account with id ${account.id}`, 'account');
}

/**
 * The account a command acts on: the one named (by id or name), or the only one there is.
 * Several accounts and none named is an error that lists the choices.
 */
export async function resolveAccount(store: Store, idOrName: string | undefined): Promise<Account> {
  if (idOrName) {
    const account = (await store.accounts.get(idOrName)) ?? (await store.accounts.findByName(idOrName));
    if (!account) throw new DomainError('not_found', `no account with id or name ${idOrName}`, 'account');
    return account;
  }
  const accounts = await store.accounts.list();
  if (accounts.length === 1) return accounts[0]!;
  if (accounts.length === 0)
    throw new DomainError('not_found', 'there is no account yet: run `keygate accounts create`', 'account');
  throw new DomainError(
    'validation_failed',
    `there are ${accounts.length} accounts; name one with --account (${accounts.map((a) => a.name).join(', ')})`,
    'account',
  );
}
