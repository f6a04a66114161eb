import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { toSigningKey } from '../rows.js';
import type { SigningKeyRepository } from '../store.js';
import { transact } from './transact.js';
import { appendChange, now } from './writes.js';

type NewNextKey = Parameters<SigningKeyRepository['rotate']>[0]['newNext'];

/** The row of a pre-published key: published, never signed with yet. */
function nextKeyRow(region: string, key: NewNextKey, createdAt: string) {
  return {
    kid: key.kid,
    region,
    alg: key.alg,
    status: 'next' as const,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk_encrypted: key.privateJwkEncrypted,
    created_at: createdAt,
    activated_at: null,
    retire_after: null,
  };
}

export function signingKeyRepository(db: Kysely<Database>): SigningKeyRepository {
  return {
    async list(region) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('region', '=', region)
        .orderBy('created_at')
        .execute();
      return rows.map(toSigningKey);
    },
    async claimUnassigned(region) {
      const result = await db
        .updateTable('signing_keys')
        .set({ region })
        .where('region', '=', '')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async insert(key) {
      await transact(db, async (trx) => {
        await trx
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            region: key.region,
            alg: key.alg,
            status: key.status,
            public_jwk: JSON.stringify(key.publicJwk),
            private_jwk_encrypted: key.privateJwkEncrypted,
            created_at: key.createdAt ?? now(),
            activated_at: key.activatedAt,
            retire_after: key.retireAfter,
          })
          .execute();
        await appendChange(trx, 'keys.rotated', key.kid);
      });
    },
    async rotate({ region, newNext, retireAfter }) {
      const at = now();
      await transact(db, async (trx) => {
        const next = await trx
          .selectFrom('signing_keys')
          .select('kid')
          .where('region', '=', region)
          .where('status', '=', 'next')
          .executeTakeFirst();
        if (!next) throw new Error('no pre-published next key to activate');
        await trx
          .deleteFrom('signing_keys')
          .where('region', '=', region)
          .where('status', '=', 'retired')
          .where('retire_after', '<=', at)
          .execute();
        await trx
          .updateTable('signing_keys')
          .set({ status: 'retired', retire_after: retireAfter })
          .where('region', '=', region)
          .where('status', '=', 'active')
          .execute();
        await trx
          .updateTable('signing_keys')
          .set({ status: 'active', activated_at: at })
          .where('kid', '=', next.kid)
          .execute();
        await trx
          .insertInto('signing_keys')
          .values(nextKeyRow(region, newNext, at))
          .execute();
        await appendChange(trx, 'keys.rotated', next.kid);
      });
    },
    async replaceNext({ region, replacing, newNext }) {
      return transact(db, async (trx) => {
        const removed = await trx
          .deleteFrom('signing_keys')
          .where('region', '=', region)
          .where('kid', '=', replacing)
          .where('status', '=', 'next')
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return false;
        await trx
          .insertInto('signing_keys')
          .values(nextKeyRow(region, newNext, now()))
          .execute();
        await appendChange(trx, 'keys.rotated', newNext.kid);
        return true;
      });
    },
  };
}
