import { DomainError } from '../core/domain-error.js';
import type { Account } from '../core/model.js';
import { hasControlCharacters } from '../core/printable-text.js';
import type { Store } from '../store/store.js';

export async function createAccount(store: Store, input: { name: string; region: string }): Promise<Account> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100 || hasControlCharacters(name))
    throw new DomainError('validation_failed', 'name must be 1–100 printable characters', 'name');
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(input.region)) {
    throw new DomainError(
      'validation_failed',
      'region must be a lower-case region name such as emea',
      'region',
    );
  }
  if (await store.accounts.findByName(name))
    throw new DomainError('conflict', `an account named ${name} exists`, 'name');
  return store.accounts.create({ name, region: input.region });
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
