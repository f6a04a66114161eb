import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, revokeToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { explainWithCli } from '../helpers/keygate-process.js';
import { issueToken, rotateKeys, signWithServerKey } from '../helpers/tokens.js';

const INTROSPECT = '/Auth/connect/introspect';
const LEEWAY = 30;

/** A token and the client it was issued to, who alone may revoke it (RFC 7009 §2.1). */
interface Held {
  token: string;
  client: { id: string; clientId: string; clientSecret: string };
}

interface Cell {
  /** What the token is, in the words of the issue's matrix. */
  state: string;
  /** Makes the token, changing the store where the state needs it. */
  token: () => Promise<Held>;
  admitted: boolean;
  /**
   * What its holder's revocation request is answered when the client itself may not ask: 401
   * `invalid_client` for a client that no longer exists, 400 `unauthorized_client` for one disabled
   * or expired (docs/errors.md). Otherwise 200, whatever the token.
   */
  revocationRefused?: 400 | 401;
}

/**
 * Every part of Keygate gives one answer about a token: the gateway admits it (200), forward-auth
 * admits the same call, introspection calls it active, and `keygate explain` says admitted — or all
 * refuse. Each cell is a token state; each is asked of all four over their real interfaces (HTTP,
 * HTTP, HTTP, the CLI). Then the fifth, revocation, which judges with the same verifier
 * (`checkIssued`) on signature, claims and times alone, by design: its holder asks, the endpoint
 * answers 200 whatever the token (RFC 7009 §2.2) unless the client itself may not ask, and
 * afterwards no surface admits the token — what any of them admitted, revocation took out.
 */
describe('one answer about a token: gateway, forward-auth, introspection, explain and revocation agree', () => {
  let keygate: TestKeygate;
  let caller: { clientId: string; clientSecret: string };
  let accountId: string;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    keygate = await startTestKeygate({ clockLeewaySeconds: LEEWAY, forwardAuthPort: 0 });
    caller = await keygate.createCredential(['users:read'], 'Introspecting');
    accountId = (await keygate.store.accounts.list())[0]!.id;
  });
  afterAll(() => keygate.stop());

  const credential = () => keygate.createCredential(['agents-availability:read']);
  /** A token signed with the server's real key, for claims no token request would produce. */
  const signed = async (claims: Record<string, unknown>): Promise<Held> => {
    const client = await credential();
    const token = await signWithServerKey(keygate, {
      client_id: client.clientId,
      sub: client.clientId,
      account_id: accountId,
      scope: 'agents-availability:read',
      ...claims,
    });
    return { token, client };
  };
  const issued = async (): Promise<Held> => {
    const client = await credential();
    return { client, token: await issueToken(keygate, client, 'agents-availability:read') };
  };

  const cells: Cell[] = [
    { state: 'valid', admitted: true, token: issued },
    { state: 'expired past the leeway', admitted: false, token: () => signed({ exp: now() - LEEWAY - 10 }) },
    { state: 'expired within the leeway', admitted: true, token: () => signed({ exp: now() - 10 }) },
    { state: 'nbf in the future', admitted: false, token: () => signed({ nbf: now() + 3600 }) },
    { state: 'nbf within the leeway', admitted: true, token: () => signed({ nbf: now() + 10 }) },
    { state: 'iat far in the future', admitted: false, token: () => signed({ iat: now() + 3600 }) },
    {
      state: 'revoked',
      admitted: false,
      token: async () => {
        const held = await issued();
        await revokeToken(keygate, held.client, held.token);
        return held;
      },
    },
    {
      state: 'credential deleted',
      admitted: false,
      revocationRefused: 401,
      token: async () => {
        const held = await issued();
        await keygate.store.credentials.delete(held.client.id);
        return held;
      },
    },
    {
      state: 'credential disabled',
      admitted: false,
      revocationRefused: 400,
      token: async () => {
        const held = await issued();
        await keygate.store.credentials.update(held.client.id, { disabled: true });
        return held;
      },
    },
    {
      state: 'credential expired',
      admitted: false,
      revocationRefused: 400,
      token: async () => {
        const held = await issued();
        await keygate.store.credentials.update(held.client.id, {
          expiresAt: new Date(Date.now() - 1000).toISOString(),
        });
        return held;
      },
    },
    {
      state: 'scope removed from the credential',
      admitted: false,
      token: async () => {
        const held = await issued();
        await keygate.store.credentials.update(held.client.id, { scopes: ['users:read'] });
        return held;
      },
    },
    {
      state: 'all its credential’s tokens revoked',
      admitted: false,
      token: async () => {
        const held = await issued();
        await keygate.credentials.revokeTokens(held.client.id);
        return held;
      },
    },
    {
      state: 'another account',
      admitted: false,
      token: async () => {
        const other = await keygate.store.accounts.create({ name: 'Other', region: keygate.config.region });
        return signed({ account_id: other.id });
      },
    },
    { state: 'another region', admitted: false, token: () => signed({ region: 'apac' }) },
    { state: 'another audience', admitted: false, token: () => signed({ aud: 'https://api.other.example' }) },
    { state: 'another issuer', admitted: false, token: () => signed({ iss: 'https://evil.example' }) },
    {
      state: 'issued before a key rotation',
      admitted: true,
      token: async () => {
        const held = await issued();
        await rotateKeys(keygate);
        return held;
      },
    },
  ];

  const gateway = async (token: string) =>
    (
      await fetch(`${keygate.gatewayUrl}/agents-availability`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;
  /** A proxy's question to forward-auth about the same call. */
  const forwardAuth = async (token: string) =>
    (
      await fetch(`${keygate.forwardAuthUrl}/agents-availability`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;
  const introspection = async (token: string) =>
    (
      await postForm(
        keygate.url + INTROSPECT,
        { token },
        { authorization: basic(caller.clientId, caller.clientSecret) },
      )
    ).body?.active;
  const explain = async (token: string) =>
    (
      await explainWithCli(
        {
          PATH: process.env.PATH,
          KEYGATE_DATA_DIR: keygate.dataDir,
          KEYGATE_PUBLIC_URL: keygate.config.publicUrl,
          KEYGATE_AUDIENCE: keygate.config.audience,
        },
        token,
        '/agents-availability',
      )
    ).json.admitted;

  /** Its holder revokes it; then what the gateway and introspection say of it. */
  const revocation = async ({ token, client }: Held) => {
    const answer = await revokeToken(keygate, client, token);
    await keygate.syncChanges();
    return {
      status: answer.status,
      gatewayAfter: await gateway(token),
      activeAfter: await introspection(token),
    };
  };

  it.each(cells)(
    '$state: admitted everywhere is $admitted',
    async ({ token: make, admitted, revocationRefused }) => {
      const held = await make();
      const { token } = held;
      await keygate.syncChanges(); // what another process wrote to the store, as the next poll would
      expect({
        gateway: await gateway(token),
        forwardAuth: await forwardAuth(token),
        introspection: await introspection(token),
        explain: await explain(token),
        revocation: await revocation(held),
      }).toEqual({
        gateway: admitted ? 200 : 401,
        forwardAuth: admitted ? 200 : 401,
        introspection: admitted,
        explain: admitted,
        revocation: { status: revocationRefused ?? 200, gatewayAfter: 401, activeAfter: false },
      });
    },
  );
});
