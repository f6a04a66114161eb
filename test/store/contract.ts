import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditAction } from '../../src/core/audit-actions.js';
import { generateSigningKey } from '../../src/crypto/signing-key-material.js';
import {
  ensureSigningKeys,
  prePublishSigningAlgorithm,
} from '../../src/services/verification/signing-keys.js';
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
      const created = await store.credentials.create(newCredential('client-a'));
      const { credential } = created;
      const secret = created.secret!;
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

    it('commits a transaction’s writes together, or rolls all of them back with their audit and changes', async () => {
      const audit = (targetName: string) => ({
        accountId,
        actorUserId: null,
        actorEmail: 'cli',
        action: 'credential.created' as AuditAction,
        targetType: 'credential',
        targetId: null,
        targetName,
        ip: null,
        details: {},
      });
      const seq = await store.changes.latestSeq();
      await expect(
        store.transaction(async (trx) => {
          await trx.credentials.create(newCredential('tx-a'), audit('tx-a'));
          await trx.accounts.create({ name: 'Globex', region: 'emea' });
          // A write that fails inside keeps its own step: only it is undone, and the work goes on.
          await expect(trx.credentials.create(newCredential('tx-a'))).rejects.toThrow();
          expect(await trx.credentials.findByClientId('tx-a')).toBeDefined();
          throw new Error('fails after its writes');
        }),
      ).rejects.toThrow('fails after its writes');
      expect(await store.credentials.findByClientId('tx-a')).toBeUndefined();
      expect(await store.accounts.findByName('Globex')).toBeUndefined();
      expect(await store.changes.latestSeq()).toBe(seq);
      expect(await store.audit.list(accountId, { limit: 10 })).toEqual([]);

      const made = await store.transaction(async (trx) => {
        await trx.accounts.create({ name: 'Globex', region: 'emea' });
        return (await trx.credentials.create(newCredential('tx-b'), audit('tx-b'))).credential;
      });
      expect(await store.credentials.get(made.id)).toEqual(made);
      expect(await store.accounts.findByName('Globex')).toBeDefined();
      expect((await store.changes.since(seq)).map((c) => c.ref)).toEqual(['tx-b']);
      expect((await store.audit.list(accountId, { limit: 10 })).map((e) => e.targetName)).toEqual(['tx-b']);
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

    it('replaces a pre-published key in one step, only while it is still the next key', async () => {
      const key = (kid: string, alg = 'ES256') => ({
        kid,
        alg,
        publicJwk: { kid },
        privateJwkEncrypted: 'v1.x',
      });
      const none = { activatedAt: null, retireAfter: null };
      await store.signingKeys.insert({ ...key('a1'), region: 'emea', status: 'active', ...none });
      await store.signingKeys.insert({ ...key('n1'), region: 'emea', status: 'next', ...none });
      await store.signingKeys.insert({ ...key('nam-n1'), region: 'nam', status: 'next', ...none });
      const seq = await store.changes.latestSeq();
      expect(
        await store.signingKeys.replaceNext({ region: 'emea', replacing: 'n1', newNext: key('r1', 'RS256') }),
      ).toBe(true);
      const keys = await store.signingKeys.list('emea');
      expect(keys.map((k) => [k.kid, k.alg, k.status]).sort()).toEqual([
        ['a1', 'ES256', 'active'],
        ['r1', 'RS256', 'next'],
      ]);
      expect((await store.changes.since(seq)).map((c) => [c.topic, c.ref])).toEqual([['keys.rotated', 'r1']]);
      // Another process got there first, or the key is not this region's next key: nothing is written.
      for (const replacing of ['n1', 'a1', 'nam-n1']) {
        expect(
          await store.signingKeys.replaceNext({ region: 'emea', replacing, newNext: key(`x-${replacing}`) }),
        ).toBe(false);
      }
      expect((await store.signingKeys.list('emea')).map((k) => k.kid).sort()).toEqual(['a1', 'r1']);
      expect((await store.signingKeys.list('nam')).map((k) => k.kid)).toEqual(['nam-n1']);
      expect(await store.changes.since(seq)).toHaveLength(1);
    });

    it('holds one active and one next key per region, even when two processes create them at once', async () => {
      const kek = Buffer.alloc(32, 5);
      await Promise.all([
        ensureSigningKeys(store, kek, 'emea', 'ES256'),
        ensureSigningKeys(store, kek, 'emea', 'ES256'),
      ]);
      const keys = await store.signingKeys.list('emea');
      expect(keys.map((k) => k.status).sort()).toEqual(['active', 'next']);
      const extra = await generateSigningKey(kek, 'ES256');
      await expect(
        store.signingKeys.insert({
          ...extra,
          region: 'emea',
          status: 'active',
          activatedAt: null,
          retireAfter: null,
        }),
      ).rejects.toThrow();
      // Other regions and retired keys are not limited.
      await ensureSigningKeys(store, kek, 'apac', 'ES256');
      expect(await store.signingKeys.list('apac')).toHaveLength(2);
    });

    it('pre-publishes a key of a new algorithm once, even when two processes start with it at once', async () => {
      const kek = Buffer.alloc(32, 6);
      await ensureSigningKeys(store, kek, 'emea', 'ES256');
      const before = await store.signingKeys.list('emea');
      const results = await Promise.all([
        prePublishSigningAlgorithm(store, kek, 'emea', 'RS256'),
        prePublishSigningAlgorithm(store, kek, 'emea', 'RS256'),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const keys = await store.signingKeys.list('emea');
      expect(keys.map((k) => `${k.status}:${k.alg}`).sort()).toEqual(['active:ES256', 'next:RS256']);
      // The active key, which signs, is untouched; a start with the same setting changes nothing more.
      expect(keys.find((k) => k.status === 'active')).toEqual(before.find((k) => k.status === 'active'));
      expect(await prePublishSigningAlgorithm(store, kek, 'emea', 'RS256')).toBe(false);
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
      expect(await store.revokedTokens.pruneExpired(new Date(), 100)).toBe(1);
      expect(await store.revokedTokens.isRevoked('old')).toBe(false);
    });

    it('prunes expired revocations at most `limit` at a time', async () => {
      for (let i = 0; i < 5; i++) {
        await store.revokedTokens.add({ jti: `x${i}`, clientId: 'c', expiresAt: '2000-01-01T00:00:00.000Z' });
      }
      await store.revokedTokens.add({ jti: 'live', clientId: 'c', expiresAt: '2099-01-01T00:00:00.000Z' });
      expect(await store.revokedTokens.pruneExpired(new Date(), 3)).toBe(3);
      expect(await store.revokedTokens.pruneExpired(new Date(), 3)).toBe(2);
      expect(await store.revokedTokens.pruneExpired(new Date(), 3)).toBe(0);
      expect(await store.revokedTokens.isRevoked('live')).toBe(true);
    });

    it('past a client’s bound of live revocations, revokes all its tokens instead and drops them', async () => {
      const { credential } = await store.credentials.create(newCredential('bounded'));
      const live = '2099-01-01T00:00:00.000Z';
      const audit = {
        accountId,
        actorUserId: null,
        actorEmail: 'client bounded',
        action: 'credential.tokens_revoked' as const,
        targetType: 'credential' as const,
        targetId: credential.id,
        targetName: credential.name,
        ip: '127.0.0.1',
        details: { reason: 'revocation_limit' },
      };
      const bound = { maxLivePerClient: 2, audit };
      const add = (jti: string, expiresAt = live) =>
        store.revokedTokens.add({ jti, clientId: 'bounded', expiresAt }, bound);
      // An expired revocation does not count against the bound.
      expect(await add('expired', '2000-01-01T00:00:00.000Z')).toBe('revoked');
      expect(await add('r1')).toBe('revoked');
      expect(await add('r2')).toBe('revoked');
      // Revoking one already revoked changes nothing.
      expect(await add('r2')).toBe('revoked');
      const seq = await store.changes.latestSeq();
      expect(await add('r3')).toBe('all_revoked');
      expect(await store.revokedTokens.isRevoked('r1')).toBe(false);
      expect(await store.revokedTokens.isRevoked('r3')).toBe(false);
      const updated = await store.credentials.findByClientId('bounded');
      expect(updated?.tokensRevokedAt).not.toBeNull();
      expect(await store.changes.since(seq)).toEqual([
        expect.objectContaining({ topic: 'credential.updated', ref: 'bounded' }),
      ]);
      expect((await store.audit.list(accountId, { limit: 10 }))[0]).toMatchObject({
        action: 'credential.tokens_revoked',
        targetId: credential.id,
      });
      // The client starts again from none; another client was never counted with it.
      expect(await add('r4')).toBe('revoked');
      expect(await store.revokedTokens.add({ jti: 'o1', clientId: 'other', expiresAt: live }, bound)).toBe(
        'revoked',
      );
    });

    it('keeps two racing revocations of one client within its bound', async () => {
      await store.credentials.create(newCredential('racing'));
      const bound = { maxLivePerClient: 1, audit: undefined };
      const live = '2099-01-01T00:00:00.000Z';
      const outcomes = await Promise.all(
        ['a', 'b'].map((jti) => store.revokedTokens.add({ jti, clientId: 'racing', expiresAt: live }, bound)),
      );
      expect(outcomes.sort()).toEqual(['all_revoked', 'revoked']);
      expect(
        (await store.revokedTokens.listActive(new Date())).filter((r) => r.clientId === 'racing'),
      ).toHaveLength(0);
    });

    it('prunes change-log entries older than a moment, oldest first, never the newest', async () => {
      const first = await store.changes.latestSeq();
      for (let i = 0; i < 4; i++)
        await store.revokedTokens.add({ jti: `c${i}`, clientId: 'c', expiresAt: '2099-01-01T00:00:00.000Z' });
      const newest = await store.changes.latestSeq();
      const future = new Date(Date.now() + 60_000);
      expect(await store.changes.pruneBefore(new Date(0), 100)).toBe(0);
      const held = (await store.changes.since(0)).length;
      expect(await store.changes.pruneBefore(future, 2)).toBe(2);
      expect(await store.changes.pruneBefore(future, 100)).toBe(held - 3);
      expect((await store.changes.since(0)).map((c) => c.seq)).toEqual([newest]);
      // Numbering goes on after the newest: a feed at `newest` sees the next change.
      await store.revokedTokens.add({ jti: 'after', clientId: 'c', expiresAt: '2099-01-01T00:00:00.000Z' });
      expect((await store.changes.since(newest)).map((c) => c.ref)).toEqual(['after']);
      expect(first).toBeLessThan(newest);
    });

    it('adds usage batches up per credential, day and scope', async () => {
      const created = await store.credentials.create(newCredential('u'));
      const { credential } = created;
      const secret = created.secret!;
      const batch = {
        credentialLastUsed: new Map([[credential.id, '2026-01-02T03:04:05.000Z']]),
        keyLastUsed: new Map(),
        secretLastUsed: new Map([[secret.id, '2026-01-02T03:04:05.000Z']]),
        daily: [
          { credentialId: credential.id, day: '2026-01-02', scope: 'stats', tokensIssued: 2, apiCalls: 1 },
        ],
        refusals: [{ credentialId: credential.id, day: '2026-01-02', reason: 'address' as const, count: 3 }],
      };
      await store.usage.record(batch);
      await store.usage.record(batch);
      expect(await store.usage.daily(credential.id)).toEqual([
        { day: '2026-01-02', scope: 'stats', tokensIssued: 4, apiCalls: 2 },
      ]);
      expect(await store.usage.refusals(credential.id)).toEqual([
        { day: '2026-01-02', reason: 'address', count: 6 },
      ]);
      expect((await store.credentials.get(credential.id))?.lastUsedAt).toBe('2026-01-02T03:04:05.000Z');
    });

    const audit = (action: AuditAction) => ({
      accountId,
      actorUserId: null,
      actorEmail: 'cli',
      action,
      targetType: 'credential',
      targetId: null,
      targetName: 'C',
      ip: null,
      details: { scopes: ['stats'] },
    });

    it('writes an audit entry in the same transaction as the change, or neither', async () => {
      const { credential } = await store.credentials.create(newCredential('a1'), audit('credential.created'));
      await store.credentials.update(credential.id, { name: 'E' }, audit('credential.updated'));
      await expect(
        store.credentials.create(newCredential('a1'), audit('credential.created')),
      ).rejects.toThrow();
      await store.credentials.delete(credential.id, audit('credential.deleted'));
      const entries = await store.audit.list(accountId, { limit: 10 });
      expect(entries.map((e) => e.action)).toEqual([
        'credential.deleted',
        'credential.updated',
        'credential.created',
      ]);
      expect(entries[2]).toMatchObject({ targetId: credential.id, details: { scopes: ['stats'] } });
      const page = await store.audit.list(accountId, { limit: 2, before: entries[1]!.id });
      expect(page.map((e) => e.action)).toEqual(['credential.created']);
      expect(await store.audit.list('another-account', { limit: 10 })).toEqual([]);
    });

    it('adds, expires and revokes secrets, each change logged for the caches', async () => {
      const created = await store.credentials.create(newCredential('rot'));
      const { credential } = created;
      const first = created.secret!;
      const start = await store.changes.latestSeq();
      const later = '2099-01-01T00:00:00.000Z';
      const second = await store.credentials.addSecret(
        credential.id,
        { hash: Buffer.alloc(32, 9), hint: 'kgs_2222' },
        later,
      );
      expect(second).toMatchObject({ hint: 'kgs_2222', expiresAt: null });
      expect(await store.credentials.addSecret('missing', SECRET, null)).toBeUndefined();
      let secrets = await store.credentials.listSecrets([credential.id]);
      expect(secrets.map((s) => [s.id, s.expiresAt])).toEqual([
        [first.id, later],
        [second!.id, null],
      ]);
      await store.credentials.setSecretExpiry(credential.id, second!.id, later);
      expect(await store.credentials.revokeSecret(credential.id, first.id)).toMatchObject({ id: first.id });
      expect(await store.credentials.revokeSecret(credential.id, first.id)).toBeUndefined();
      expect(await store.credentials.revokeSecret('missing', second!.id)).toBeUndefined();
      secrets = await store.credentials.listSecrets([credential.id]);
      expect(secrets[0]!.revokedAt).not.toBeNull();
      expect(secrets[1]!.expiresAt).toBe(later);
      const auth = await store.credentials.findForAuthentication('rot');
      expect(auth?.secrets.map((s) => s.id)).toEqual([second!.id]);
      expect((await store.changes.since(start)).map((c) => c.topic)).toEqual([
        'credential.secrets_changed',
        'credential.secrets_changed',
        'credential.secrets_changed',
      ]);
    });

    it('never lets concurrent revocations leave a credential without a usable secret', async () => {
      const created = await store.credentials.create(newCredential('race'));
      const { credential } = created;
      const first = created.secret!;
      const second = (await store.credentials.addSecret(
        credential.id,
        { hash: Buffer.alloc(32, 1), hint: 'h' },
        null,
      ))!;
      const seq = await store.changes.latestSeq();
      const outcomes = await Promise.all([
        store.credentials.revokeSecret(credential.id, first.id),
        store.credentials.revokeSecret(credential.id, second.id),
      ]);
      expect(outcomes.filter((o) => o === 'last_usable')).toHaveLength(1);
      expect((await store.credentials.findForAuthentication('race'))?.secrets).toHaveLength(1);
      // The refused one changed nothing: one change-log entry, from the revocation that happened.
      expect(await store.changes.since(seq)).toHaveLength(1);
      const past = await store.credentials.addSecret(
        credential.id,
        { hash: Buffer.alloc(32, 2), hint: 'p' },
        null,
      );
      await store.credentials.setSecretExpiry(credential.id, past!.id, '2000-01-01T00:00:00.000Z');
      // An expired secret is not usable: it can be neither revived nor changed.
      expect(await store.credentials.setSecretExpiry(credential.id, past!.id, null)).toBeUndefined();
    });

    it('keeps a credential’s public keys, without a secret, and each client assertion ID once', async () => {
      const key = {
        thumbprint: 'tp-1',
        jwk: { kty: 'OKP', crv: 'Ed25519', x: 'abc' },
        algorithms: ['EdDSA'],
      };
      const { credential, secret } = await store.credentials.create({
        ...newCredential('keyed'),
        secret: undefined,
        keys: [key],
      });
      expect(secret).toBeUndefined();
      const found = await store.credentials.findForAuthentication('keyed');
      expect(found?.secrets).toEqual([]);
      expect(found?.keys.map((k) => [k.thumbprint, k.jwk, k.algorithms])).toEqual([
        ['tp-1', key.jwk, ['EdDSA']],
      ]);
      expect(await store.credentials.addKey(credential.id, key)).toBe('duplicate');
      expect(await store.credentials.addKey('missing', { ...key, thumbprint: 'tp-2' })).toBeUndefined();
      const second = await store.credentials.addKey(credential.id, { ...key, thumbprint: 'tp-2' });
      expect(second).toMatchObject({ thumbprint: 'tp-2' });
      expect(await store.credentials.removeKey(credential.id, 'tp-1')).toBe(true);
      expect(await store.credentials.removeKey(credential.id, 'tp-1')).toBe(false);
      expect((await store.credentials.listKeys([credential.id])).map((k) => k.thumbprint)).toEqual(['tp-2']);
      // The last way in stays: the only key of a credential without a secret…
      expect(await store.credentials.removeKey(credential.id, 'tp-2')).toBe('last_usable');
      // …but a credential's only secret may go once a key is another way in.
      const both = await store.credentials.create({ ...newCredential('both'), keys: [key] });
      expect(await store.credentials.revokeSecret(both.credential.id, both.secret!.id)).toMatchObject({
        id: both.secret!.id,
      });
      expect(await store.credentials.removeKey(both.credential.id, 'tp-1')).toBe('last_usable');

      const later = new Date(Date.now() + 60_000).toISOString();
      expect(await store.usedProofs.use('keyed', 'jti-1', later)).toBe(true);
      expect(await store.usedProofs.use('keyed', 'jti-1', later)).toBe(false);
      expect(await store.usedProofs.use('other', 'jti-1', later)).toBe(true);
      const [a, b] = await Promise.all([
        store.usedProofs.use('keyed', 'jti-2', later),
        store.usedProofs.use('keyed', 'jti-2', later),
      ]);
      expect([a, b].sort()).toEqual([false, true]);
      expect(await store.usedProofs.isUsed('keyed', 'jti-2')).toBe(true);
      expect(await store.usedProofs.isUsed('keyed', 'jti-3')).toBe(false);
      expect(await store.usedProofs.isUsed('other', 'jti-2')).toBe(false);
      // Bounded work per call: at most `limit` rows go each time.
      expect(await store.usedProofs.pruneExpired(new Date(Date.now() + 120_000), 2)).toBe(2);
      expect(await store.usedProofs.pruneExpired(new Date(Date.now() + 120_000), 2)).toBe(1);
      expect(await store.usedProofs.isUsed('keyed', 'jti-2')).toBe(false);
      expect(await store.usedProofs.use('keyed', 'jti-1', later)).toBe(true);
    });

    it('keeps one shared key per name: the first maker’s, even when two ask at once', async () => {
      const [first, second] = await Promise.all([
        store.sharedKeys.getOrCreate('contract-key', () => 'made-by-one'),
        store.sharedKeys.getOrCreate('contract-key', () => 'made-by-two'),
      ]);
      expect(first).toBe(second);
      expect(['made-by-one', 'made-by-two']).toContain(first);
      expect(await store.sharedKeys.getOrCreate('contract-key', () => 'made-later')).toBe(first);
      expect(await store.sharedKeys.getOrCreate('another-key', () => 'another')).toBe('another');
    });

    it('keeps each running instance’s last report, by when it was seen', async () => {
      const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
      const orders = { name: 'orders', version: '1.0.0', fingerprint: 'f'.repeat(64), source: 'orders.json' };
      const instance = {
        id: 'instance-1',
        region: 'emea',
        host: 'host pid 1',
        apiDocuments: [orders],
        startedAt: at(0).toISOString(),
        seenAt: at(0).toISOString(),
      };
      await store.instances.report(instance);
      await store.instances.report({ ...instance, id: 'instance-2', region: 'nam', apiDocuments: [] });
      // A later report replaces the earlier one; the start stays.
      const again = {
        ...instance,
        apiDocuments: [{ ...orders, version: '1.1.0' }],
        seenAt: at(30).toISOString(),
      };
      await store.instances.report(again);
      expect(await store.instances.seenSince(at(30))).toEqual([again]);
      expect((await store.instances.seenSince(at(0))).map((i) => i.id).sort()).toEqual([
        'instance-1',
        'instance-2',
      ]);
      expect(await store.instances.pruneSeenBefore(at(30))).toBe(1);
      await store.instances.remove('instance-1');
      expect(await store.instances.seenSince(at(0))).toEqual([]);
    });

    it('keeps sessions, personal tokens and login failures of users', async () => {
      const user = await store.users.create({
        accountId,
        email: 'Person@Example.com',
        passwordHash: 'scrypt$x',
        licence: 'supervisor',
      });
      const login = await store.users.findForLogin('person@example.com');
      expect(login).toMatchObject({ user: { email: 'person@example.com' }, passwordHash: 'scrypt$x' });

      const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();
      const charge = (key: string, seconds: number) =>
        store.loginThrottle.charge(key, { freeAttempts: 2, maxDelaySeconds: 5, now: at(seconds) });
      // Concurrent attempts queue on the row: exactly freeAttempts get through, the last of them
      // makes the next wait 1 s, and the attempts refused meanwhile are not counted.
      const attempts = await Promise.all([1, 2, 3, 4].map(() => charge('k', 0)));
      expect(attempts.flatMap((a) => (a.allowed ? [a.attempts] : [])).sort()).toEqual([1, 2]);
      expect(attempts.filter((a) => !a.allowed)).toEqual([
        { allowed: false, retryAt: at(1) },
        { allowed: false, retryAt: at(1) },
      ]);
      // Each attempt let through after that doubles the wait, up to maxDelaySeconds.
      expect(await charge('k', 1)).toEqual({ allowed: true, attempts: 3 });
      expect(await charge('k', 2.999)).toEqual({ allowed: false, retryAt: at(3) });
      expect(await charge('k', 3)).toEqual({ allowed: true, attempts: 4 });
      expect(await charge('k', 7)).toEqual({ allowed: true, attempts: 5 });
      expect(await charge('k', 11)).toEqual({ allowed: false, retryAt: at(12) });
      // Keys are apart: another key (another email, or another address) is not slowed.
      expect(await charge('other', 11)).toEqual({ allowed: true, attempts: 1 });
      await store.loginThrottle.clear('k');
      expect(await charge('k', 11)).toEqual({ allowed: true, attempts: 1 });
      expect(await store.loginThrottle.prune(at(86_400))).toBe(2);

      const now = new Date();
      const session = {
        userId: user.id,
        csrfToken: 'csrf',
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 60_000).toISOString(),
        lastSeenAt: now.toISOString(),
      };
      await store.sessions.create('h1', session, { ...audit('login.succeeded'), targetType: 'user' });
      expect((await store.audit.list(accountId, { limit: 1 }))[0]?.action).toBe('login.succeeded');
      await store.sessions.create('h2', { ...session, expiresAt: now.toISOString() });
      expect(await store.sessions.get('h1')).toEqual(session);
      expect(await store.sessions.deleteExpired(now, new Date(now.getTime() - 1000))).toBe(1);
      expect(await store.sessions.get('h2')).toBeUndefined();
      await store.sessions.delete('h1');
      expect(await store.sessions.get('h1')).toBeUndefined();

      const token = {
        id: 't1',
        userId: user.id,
        name: 'CI',
        hint: 'kgp_abcd',
        createdAt: now.toISOString(),
        expiresAt: null,
        lastUsedAt: null,
      };
      await store.apiTokens.create({ ...token, hash: Buffer.alloc(32, 3) });
      expect(await store.apiTokens.findByHash(Buffer.alloc(32, 3))).toEqual(token);
      expect(await store.apiTokens.findByHash(Buffer.alloc(32, 4))).toBeUndefined();
      await store.apiTokens.markUsed('t1', now.toISOString());
      expect((await store.apiTokens.list(user.id))[0]?.lastUsedAt).toBe(now.toISOString());
      expect(await store.apiTokens.delete('someone-else', 't1')).toBe(false);
      expect(await store.apiTokens.delete(user.id, 't1')).toBe(true);
      expect(await store.apiTokens.list(user.id)).toEqual([]);
    });
  });
}
