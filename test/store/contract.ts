import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';

const SECRET = { hash: Buffer.alloc(32, 7), hint: 'kgs_abcd' };

/** The behaviour every store adapter must have; run once per adapter. */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    let accountId: string;
    const newCredential = (clientId: string) => ({
      accountId,
      name: 'C',
      scopes: ['stats'],
      ownerUserId: null,
      clientId,
      expiresAt: null,
      secret: SECRET,
    });

    beforeEach(async () => {
      store = await open();
      await store.migrate();
      accountId = (await store.accounts.create({ name: 'Acme', region: 'emea' })).id;
    });
    afterEach(() => store.close());

    it('migrates twice without harm and refuses a store migrated by newer code', async () => {
      expect((await store.migrate()).applied).toEqual([]);
      await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2099-01-01')`.execute(
        // biome-ignore lint/suspicious/noExplicitAny: reaching under the interface to fake a newer Keygate
        (store as any).db,
      );
      await expect(store.migrate()).rejects.toThrow(/store migration failed/);
    });

    it('creates, reads, updates and deletes credentials, logging each change', async () => {
      const start = await store.changes.latestSeq();
      const { credential, secret } = await store.credentials.create(newCredential('client-a'));
      expect(credential).toMatchObject({
        clientId: 'client-a',
        scopes: ['stats'],
        disabled: false,
        accountId,
      });
      expect(secret.hash.equals(SECRET.hash)).toBe(true);
      expect(await store.credentials.get(credential.id)).toEqual(credential);

      const updated = await store.credentials.update(credential.id, {
        name: 'D',
        scopes: ['stats', 'users:read'],
        disabled: true,
      });
      expect(updated).toMatchObject({ name: 'D', scopes: ['stats', 'users:read'], disabled: true });
      expect(await store.credentials.update('missing', { name: 'x' })).toBeUndefined();

      const found = await store.credentials.findForAuthentication('client-a');
      expect(found?.secrets.map((s) => s.id)).toEqual([secret.id]);
      expect(await store.credentials.findForAuthentication('nobody')).toBeUndefined();

      expect(await store.credentials.delete(credential.id)).toBe(true);
      expect(await store.credentials.delete(credential.id)).toBe(false);
      expect(await store.credentials.findByClientId('client-a')).toBeUndefined();
      expect((await store.changes.since(start)).map((c) => [c.topic, c.ref])).toEqual([
        ['credential.created', 'client-a'],
        ['credential.updated', 'client-a'],
        ['credential.deleted', 'client-a'],
      ]);
    });

    it('leaves the store as it was when a write fails', async () => {
      await store.credentials.create(newCredential('dup'));
      const seq = await store.changes.latestSeq();
      await expect(store.credentials.create(newCredential('dup'))).rejects.toThrow();
      expect(await store.credentials.count()).toBe(1);
      expect(await store.changes.latestSeq()).toBe(seq);
    });

    it('rotates one region’s keys in one step and refuses to rotate without a next key', async () => {
      const key = (kid: string) => ({ kid, alg: 'ES256', publicJwk: { kid }, privateJwkEncrypted: 'v1.x' });
      const retireAfter = '2099-01-01T00:00:00.000Z';
      await expect(
        store.signingKeys.rotate({ region: 'emea', newNext: key('n2'), retireAfter }),
      ).rejects.toThrow();
      expect(await store.signingKeys.list('emea')).toEqual([]);
      const activatedAt = '2020-01-01T00:00:00.000Z';
      for (const region of ['emea', 'nam']) {
        await store.signingKeys.insert({
          ...key(`${region}-a1`),
          region,
          status: 'active',
          activatedAt,
          retireAfter: null,
        });
        await store.signingKeys.insert({
          ...key(`${region}-n1`),
          region,
          status: 'next',
          activatedAt: null,
          retireAfter: null,
        });
      }
      await store.signingKeys.rotate({ region: 'emea', newNext: key('emea-n2'), retireAfter });
      const statuses = async (region: string) =>
        Object.fromEntries((await store.signingKeys.list(region)).map((k) => [k.kid, k.status]));
      expect(await statuses('emea')).toEqual({
        'emea-a1': 'retired',
        'emea-n1': 'active',
        'emea-n2': 'next',
      });
      expect(await statuses('nam')).toEqual({ 'nam-a1': 'active', 'nam-n1': 'next' }); // untouched
    });

    it('gives keys from before regions to the first region that claims them', async () => {
      const legacy = { kid: 'old', alg: 'ES256', publicJwk: { kid: 'old' }, privateJwkEncrypted: 'v1.x' };
      await store.signingKeys.insert({
        ...legacy,
        region: '',
        status: 'active',
        activatedAt: null,
        retireAfter: null,
      });
      expect(await store.signingKeys.claimUnassigned('emea')).toBe(1);
      expect(await store.signingKeys.claimUnassigned('nam')).toBe(0);
      expect((await store.signingKeys.list('emea')).map((k) => k.kid)).toEqual(['old']);
    });

    it('records revocations once and prunes them after expiry', async () => {
      const seq = await store.changes.latestSeq();
      await store.revokedTokens.add({ jti: 'j1', clientId: 'c', expiresAt: '2099-01-01T00:00:00.000Z' });
      await store.revokedTokens.add({ jti: 'j1', clientId: 'c', expiresAt: '2099-01-01T00:00:00.000Z' });
      await store.revokedTokens.add({ jti: 'old', clientId: 'c', expiresAt: '2000-01-01T00:00:00.000Z' });
      expect((await store.changes.since(seq)).filter((c) => c.ref === 'j1')).toHaveLength(1);
      expect(await store.revokedTokens.isRevoked('j1')).toBe(true);
      expect((await store.revokedTokens.listActive(new Date())).map((r) => r.jti)).toEqual(['j1']);
      expect(await store.revokedTokens.pruneExpired(new Date())).toBe(1);
      expect(await store.revokedTokens.isRevoked('old')).toBe(false);
    });

    it('adds usage batches up per credential, day and scope', async () => {
      const { credential, secret } = await store.credentials.create(newCredential('u'));
      const batch = {
        credentialLastUsed: new Map([[credential.id, '2026-01-02T03:04:05.000Z']]),
        secretLastUsed: new Map([[secret.id, '2026-01-02T03:04:05.000Z']]),
        daily: [
          { credentialId: credential.id, day: '2026-01-02', scope: 'stats', tokensIssued: 2, apiCalls: 1 },
        ],
      };
      await store.usage.record(batch);
      await store.usage.record(batch);
      expect(await store.usage.daily(credential.id)).toEqual([
        { day: '2026-01-02', scope: 'stats', tokensIssued: 4, apiCalls: 2 },
      ]);
      expect((await store.credentials.get(credential.id))?.lastUsedAt).toBe('2026-01-02T03:04:05.000Z');
    });
  });
}
