import { describe, expect, it } from 'vitest';
import { requestToken } from '../helpers/keygate.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';
import { ManualClock } from '../helpers/manual-clock.js';

interface Secret {
  id: string;
  hint: string;
  status: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}
interface Credential {
  id: string;
  clientId: string;
  secrets: Secret[];
}

describe('admin API: secret rotation without downtime', () => {
  const clock = new ManualClock();
  const given = keygateWithAdmin({}, { clock });

  async function newCredential() {
    const created = await given.admin.call<{ credential: Credential; clientSecret: string }>(
      'POST',
      '/credentials',
      {
        name: 'Rotating app',
        scopes: ['stats'],
      },
    );
    return created.body;
  }

  it('adds a second secret, both work, then revoking the old one refuses it at once', async () => {
    const { credential, clientSecret: oldSecret } = await newCredential();
    const added = await given.admin.call<{ credential: Credential; secret: Secret; clientSecret: string }>(
      'POST',
      `/credentials/${credential.id}/secrets`,
    );
    expect(added.status).toBe(201);
    const newSecret = added.body.clientSecret;
    expect(newSecret).toMatch(/^kgs_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(added.body.credential.secrets.map((s) => s.status)).toEqual(['active', 'active']);

    const client = (secret: string) => ({ clientId: credential.clientId, clientSecret: secret });
    expect((await requestToken(given.keygate, client(oldSecret), 'stats')).status).toBe(200);
    expect((await requestToken(given.keygate, client(newSecret), 'stats')).status).toBe(200);

    // Last use is recorded per secret, so an admin can see the old one fall silent.
    await given.keygate.flushUsage();
    const detail = await given.admin.call<{ credential: Credential }>('GET', `/credentials/${credential.id}`);
    expect(detail.body.credential.secrets.every((s) => s.lastUsedAt !== null)).toBe(true);

    const oldId = credential.secrets[0]!.id;
    const revoked = await given.admin.call<{ credential: Credential }>(
      'DELETE',
      `/credentials/${credential.id}/secrets/${oldId}`,
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.credential.secrets.map((s) => s.status)).toEqual(['revoked', 'active']);
    expect((await requestToken(given.keygate, client(oldSecret), 'stats')).body).toMatchObject({
      error: 'invalid_client',
    });
    expect((await requestToken(given.keygate, client(newSecret), 'stats')).status).toBe(200);
    expect(JSON.stringify(revoked.body)).not.toContain(newSecret);

    // Revoking twice, or the last usable secret, is refused.
    expect((await given.admin.call('DELETE', `/credentials/${credential.id}/secrets/${oldId}`)).status).toBe(
      404,
    );
    const last = await given.admin.call(
      'DELETE',
      `/credentials/${credential.id}/secrets/${added.body.secret.id}`,
    );
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({ code: 'last_active_secret' });
    expect((await requestToken(given.keygate, client(newSecret), 'stats')).status).toBe(200);
  });

  it('lets old secrets run until a chosen expiry, then refuses them', async () => {
    const { credential, clientSecret: oldSecret } = await newCredential();
    const inThePast = await given.admin.call('POST', `/credentials/${credential.id}/secrets`, {
      expireOtherSecretsAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(inThePast.status).toBe(400);
    expect(inThePast.body).toMatchObject({ code: 'validation_failed', field: 'expireOtherSecretsAt' });

    // A minute ahead (the API takes only a future expiry); the server's clock is then moved past it.
    const soon = new Date(Date.now() + 60_000).toISOString();
    const added = await given.admin.call<{ credential: Credential; clientSecret: string }>(
      'POST',
      `/credentials/${credential.id}/secrets`,
      { expireOtherSecretsAt: soon },
    );
    expect(added.body.credential.secrets[0]!.expiresAt).toBe(soon);
    const client = (secret: string) => ({ clientId: credential.clientId, clientSecret: secret });
    expect((await requestToken(given.keygate, client(oldSecret), 'stats')).status).toBe(200);
    clock.advance(Date.parse(soon) - clock.now());
    expect((await requestToken(given.keygate, client(oldSecret), 'stats')).body).toMatchObject({
      error: 'invalid_client',
    });
    expect((await requestToken(given.keygate, client(added.body.clientSecret), 'stats')).status).toBe(200);
    const detail = await given.admin.call<{ credential: Credential }>('GET', `/credentials/${credential.id}`);
    expect(detail.body.credential.secrets.map((s) => s.status)).toEqual(['expired', 'active']);
  });

  it("sets and clears one secret's expiry", async () => {
    const { credential } = await newCredential();
    const secretId = credential.secrets[0]!.id;
    const at = '2099-06-01T00:00:00.000Z';
    const set = await given.admin.call<{ credential: Credential }>(
      'PATCH',
      `/credentials/${credential.id}/secrets/${secretId}`,
      { expiresAt: at },
    );
    expect(set.body.credential.secrets[0]!.expiresAt).toBe(at);
    const cleared = await given.admin.call<{ credential: Credential }>(
      'PATCH',
      `/credentials/${credential.id}/secrets/${secretId}`,
      { expiresAt: null },
    );
    expect(cleared.body.credential.secrets[0]!.expiresAt).toBeNull();
    const missing = await given.admin.call('PATCH', `/credentials/${credential.id}/secrets/nope`, {
      expiresAt: null,
    });
    expect(missing.status).toBe(404);
  });

  it('audits every rotation step without the secret values', async () => {
    const audit = await given.admin.call<{ entries: Array<{ action: string }> }>('GET', '/audit?limit=200');
    const actions = audit.body.entries.map((e) => e.action);
    for (const action of [
      'credential.secret_added',
      'credential.secret_revoked',
      'credential.secret_expiry_set',
    ]) {
      expect(actions).toContain(action);
    }
    expect(JSON.stringify(audit.body)).not.toMatch(/kgs_[0-9A-Za-z]{20,}/);
  });
});
