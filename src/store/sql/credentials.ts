import type { Kysely } from 'kysely';
import { newId, newTimeOrderedId } from '../../core/identifiers.js';
import type { CredentialSecret } from '../../core/model.js';
import type { Database } from '../database.js';
import { toCredential, toCredentialKey, toSecret } from '../rows.js';
import type { Audit, CredentialRepository, NewCredentialKey } from '../store.js';
import { transact } from './transact.js';
import { appendAudit, appendChange, now } from './writes.js';

export function credentialRepository(db: Kysely<Database>): CredentialRepository {
  return {
    async create(input, audit) {
      const at = now();
      const row = {
        id: newId(),
        account_id: input.accountId,
        client_id: input.clientId,
        name: input.name,
        scopes: JSON.stringify(input.scopes),
        owner_user_id: input.ownerUserId,
        disabled: 0,
        expires_at: input.expiresAt,
        created_at: at,
        updated_at: at,
        last_used_at: null,
        tokens_revoked_at: null,
        require_dpop: input.requireDpop ? 1 : 0,
        allowed_cidrs: JSON.stringify(input.allowedCidrs ?? []),
        token_quota: input.tokenQuota ? JSON.stringify(input.tokenQuota) : null,
        call_limit: input.callLimit ? JSON.stringify(input.callLimit) : null,
        metadata: JSON.stringify(input.metadata ?? {}),
      };
      const secretRow = input.secret && {
        // Time-ordered, so a credential's secrets list oldest first even within one millisecond.
        id: newTimeOrderedId(),
        credential_id: row.id,
        hash: input.secret.hash.toString('hex'),
        hint: input.secret.hint,
        created_at: at,
        expires_at: null,
        revoked_at: null,
        last_used_at: null,
      };
      const keyRows = (input.keys ?? []).map((key) => keyRow(row.id, key, at));
      await transact(db, async (trx) => {
        await trx.insertInto('credentials').values(row).execute();
        if (secretRow) await trx.insertInto('credential_secrets').values(secretRow).execute();
        if (keyRows.length > 0) await trx.insertInto('credential_keys').values(keyRows).execute();
        await appendChange(trx, 'credential.created', row.client_id);
        await appendAudit(trx, audit && { ...audit, targetId: row.id });
      });
      return { credential: toCredential(row), secret: secretRow && toSecret(secretRow) };
    },
    async get(id) {
      const row = await db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toCredential(row);
    },
    async findByClientId(clientId) {
      const row = await db
        .selectFrom('credentials')
        .selectAll()
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && toCredential(row);
    },
    async findForAuthentication(clientId) {
      // One query whether or not the client exists, so timing says little about which it was.
      const rows = await db
        .selectFrom('credentials as c')
        .leftJoin('credential_secrets as s', (join) =>
          join.onRef('s.credential_id', '=', 'c.id').on('s.revoked_at', 'is', null),
        )
        .selectAll('c')
        .select([
          's.id as secret_id',
          's.hash as secret_hash',
          's.hint as secret_hint',
          's.created_at as secret_created_at',
          's.expires_at as secret_expires_at',
          's.last_used_at as secret_last_used_at',
        ])
        .where('c.client_id', '=', clientId)
        .execute();
      const first = rows[0];
      if (!first) return undefined;
      const secrets = rows
        .filter((r) => r.secret_id !== null)
        .map((r) =>
          toSecret({
            id: r.secret_id!,
            credential_id: r.id,
            hash: r.secret_hash!,
            hint: r.secret_hint!,
            created_at: r.secret_created_at!,
            expires_at: r.secret_expires_at,
            revoked_at: null,
            last_used_at: r.secret_last_used_at,
          }),
        );
      const keys = await db
        .selectFrom('credential_keys')
        .selectAll()
        .where('credential_id', '=', first.id)
        .execute();
      return { credential: toCredential(first), secrets, keys: keys.map(toCredentialKey) };
    },
    async list(accountId) {
      return (
        await db
          .selectFrom('credentials')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toCredential);
    },
    async count() {
      const { n } = await db
        .selectFrom('credentials')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
    async update(id, patch, audit) {
      return transact(db, async (trx) => {
        const values: Partial<Database['credentials']> = { updated_at: now() };
        if (patch.name !== undefined) values.name = patch.name;
        if (patch.scopes !== undefined) values.scopes = JSON.stringify(patch.scopes);
        if (patch.disabled !== undefined) values.disabled = patch.disabled ? 1 : 0;
        if (patch.expiresAt !== undefined) values.expires_at = patch.expiresAt;
        if (patch.tokensRevokedAt !== undefined) values.tokens_revoked_at = patch.tokensRevokedAt;
        if (patch.requireDpop !== undefined) values.require_dpop = patch.requireDpop ? 1 : 0;
        if (patch.allowedCidrs !== undefined) values.allowed_cidrs = JSON.stringify(patch.allowedCidrs);
        if (patch.metadata !== undefined) values.metadata = JSON.stringify(patch.metadata);
        if (patch.callLimit !== undefined) {
          values.call_limit = patch.callLimit === null ? null : JSON.stringify(patch.callLimit);
        }
        if (patch.tokenQuota !== undefined) {
          values.token_quota = patch.tokenQuota === null ? null : JSON.stringify(patch.tokenQuota);
        }
        const row = await trx
          .updateTable('credentials')
          .set(values)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        await appendChange(trx, 'credential.updated', row.client_id);
        await appendAudit(trx, audit);
        return toCredential(row);
      });
    },
    async delete(id, audit) {
      return transact(db, async (trx) => {
        const row = await trx
          .deleteFrom('credentials')
          .where('id', '=', id)
          .returning('client_id')
          .executeTakeFirst();
        if (!row) return false;
        await trx.deleteFrom('usage_daily').where('credential_id', '=', id).execute();
        await trx
          .deleteFrom('managed_objects')
          .where('object_type', '=', 'credential')
          .where('object_id', '=', id)
          .execute();
        await appendChange(trx, 'credential.deleted', row.client_id);
        await appendAudit(trx, audit);
        return true;
      });
    },
    async listSecrets(credentialIds) {
      if (credentialIds.length === 0) return [];
      return (
        await db
          .selectFrom('credential_secrets')
          .selectAll()
          .where('credential_id', 'in', credentialIds)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toSecret);
    },
    async addSecret(credentialId, secret, expireOthersAt, audit) {
      return transact(db, async (trx) => {
        const credential = await trx
          .selectFrom('credentials')
          .select('client_id')
          .where('id', '=', credentialId)
          .executeTakeFirst();
        if (!credential) return undefined;
        const at = now();
        if (expireOthersAt !== null) {
          await trx
            .updateTable('credential_secrets')
            .set({ expires_at: expireOthersAt })
            .where('credential_id', '=', credentialId)
            .where('revoked_at', 'is', null)
            .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', expireOthersAt)]))
            .execute();
        }
        const row = {
          id: newTimeOrderedId(),
          credential_id: credentialId,
          hash: secret.hash.toString('hex'),
          hint: secret.hint,
          created_at: at,
          expires_at: null,
          revoked_at: null,
          last_used_at: null,
        };
        await trx.insertInto('credential_secrets').values(row).execute();
        await trx.updateTable('credentials').set({ updated_at: at }).where('id', '=', credentialId).execute();
        await appendChange(trx, 'credential.secrets_changed', credential.client_id);
        await appendAudit(trx, audit && { ...audit, details: { ...audit.details, secretId: row.id } });
        return toSecret(row);
      });
    },
    async setSecretExpiry(credentialId, secretId, expiresAt, audit) {
      const changed = await changeSecret(db, credentialId, secretId, { expires_at: expiresAt }, audit);
      return changed === 'last_usable' ? undefined : changed;
    },
    async revokeSecret(credentialId, secretId, audit) {
      return changeSecret(db, credentialId, secretId, { revoked_at: now(), keepOneUsable: true }, audit);
    },
    async listKeys(credentialIds) {
      if (credentialIds.length === 0) return [];
      const rows = await db
        .selectFrom('credential_keys')
        .selectAll()
        .where('credential_id', 'in', credentialIds)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toCredentialKey);
    },
    async addKey(credentialId, key, audit) {
      const row = keyRow(credentialId, key, now());
      try {
        return await transact(db, async (trx) => {
          const credential = await trx
            .updateTable('credentials')
            .set({ updated_at: row.created_at })
            .where('id', '=', credentialId)
            .returning('client_id')
            .executeTakeFirst();
          if (!credential) throw new Refused(undefined);
          const inserted = await trx
            .insertInto('credential_keys')
            .values(row)
            .onConflict((oc) => oc.columns(['credential_id', 'thumbprint']).doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new Refused('duplicate' as const);
          await appendChange(trx, 'credential.updated', credential.client_id);
          await appendAudit(trx, audit && { ...audit, targetId: credentialId });
          return toCredentialKey(row);
        });
      } catch (error) {
        if (error instanceof Refused) return error.outcome as 'duplicate' | undefined;
        throw error;
      }
    },
    async removeKey(credentialId, keyId, audit) {
      try {
        return await removeKeyKeepingOneWayIn(db, credentialId, keyId, audit);
      } catch (error) {
        if (error instanceof Refused) return error.outcome as 'last_usable';
        throw error;
      }
    },
  };
}

/** Removes a key in one transaction, unless it is the credential's last way to authenticate. */
async function removeKeyKeepingOneWayIn(
  db: Kysely<Database>,
  credentialId: string,
  keyId: string,
  audit?: Audit,
): Promise<boolean> {
  return transact(db, async (trx) => {
    // Locks the credential first, so two removals cannot each leave the other's key as the last.
    const credential = await trx
      .updateTable('credentials')
      .set({ updated_at: now() })
      .where('id', '=', credentialId)
      .returning('client_id')
      .executeTakeFirst();
    if (!credential) return false;
    const removed = await trx
      .deleteFrom('credential_keys')
      .where('credential_id', '=', credentialId)
      .where((eb) => eb.or([eb('id', '=', keyId), eb('thumbprint', '=', keyId)]))
      .returning('id')
      .executeTakeFirst();
    if (!removed) return false;
    const secrets = await usableSecretIds(trx, credentialId, now());
    if (secrets.length === 0 && !(await hasKeys(trx, credentialId)))
      throw new Refused('last_usable' as const);
    await appendChange(trx, 'credential.updated', credential.client_id);
    await appendAudit(trx, audit && { ...audit, targetId: credentialId });
    return true;
  });
}

/** The credential's secrets that work at `at`: not revoked, not expired. */
async function usableSecretIds(trx: Kysely<Database>, credentialId: string, at: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('credential_secrets')
    .select('id')
    .where('credential_id', '=', credentialId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .execute();
  return rows.map((row) => row.id);
}

async function hasKeys(trx: Kysely<Database>, credentialId: string): Promise<boolean> {
  const key = await trx
    .selectFrom('credential_keys')
    .select('id')
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
  return key !== undefined;
}

function keyRow(credentialId: string, key: NewCredentialKey, at: string) {
  return {
    id: newTimeOrderedId(),
    credential_id: credentialId,
    thumbprint: key.thumbprint,
    jwk: JSON.stringify(key.jwk),
    algorithms: JSON.stringify(key.algorithms),
    created_at: at,
    last_used_at: null,
  };
}

/** Thrown inside a transaction to roll it back and answer `outcome`. */
class Refused<T> extends Error {
  constructor(readonly outcome: T) {
    super('refused');
  }
}

/**
 * Changes one unrevoked, unexpired secret of a credential, with its change-log and audit entries.
 * The credential's row is updated first, which locks it: concurrent changes to its secrets queue,
 * so two revocations cannot each see the other's secret as the one left usable.
 */
async function changeSecret(
  db: Kysely<Database>,
  credentialId: string,
  secretId: string,
  change: { expires_at: string | null } | { revoked_at: string; keepOneUsable: true },
  audit: Audit,
): Promise<CredentialSecret | 'last_usable' | undefined> {
  const at = now();
  try {
    return await transact(db, async (trx) => {
      const credential = await trx
        .updateTable('credentials')
        .set({ updated_at: at })
        .where('id', '=', credentialId)
        .returning('client_id')
        .executeTakeFirst();
      if (!credential) throw new Refused(undefined);
      const usable = await usableSecretIds(trx, credentialId, at);
      if (!usable.includes(secretId)) throw new Refused(undefined);
      if ('keepOneUsable' in change && usable.length === 1 && !(await hasKeys(trx, credentialId))) {
        // The last way in stays, unless a public key (private_key_jwt) is another.
        throw new Refused('last_usable' as const);
      }
      const values = 'revoked_at' in change ? { revoked_at: change.revoked_at } : change;
      const row = await trx
        .updateTable('credential_secrets')
        .set(values)
        .where('id', '=', secretId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendChange(trx, 'credential.secrets_changed', credential.client_id);
      await appendAudit(trx, audit);
      return toSecret(row);
    });
  } catch (error) {
    if (error instanceof Refused) return error.outcome as 'last_usable' | undefined;
    throw error;
  }
}
