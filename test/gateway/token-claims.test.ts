import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFromJwk } from '../../src/crypto/compact-jws.js';
import {
  AccessTokenVerifier,
  type VerificationKeySource,
} from '../../src/services/verification/access-token-verifier.js';
import { RevocationList } from '../../src/services/verification/revocation-list.js';
import { StoreKeySource } from '../../src/services/verification/store-key-source.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { signWithServerKey } from '../helpers/tokens.js';

/**
 * Tokens signed with the server's own key but wrong in one claim or header field: each is refused
 * by the gateway (401) and for the reason `keygate explain` would give.
 */
describe('gateway: the claims and header of a correctly signed token', () => {
  let keygate: TestKeygate;
  let client: { id: string; clientId: string };
  let verifier: AccessTokenVerifier;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    keygate = await startTestKeygate({ clockLeewaySeconds: 30 });
    client = await keygate.createCredential(['agents-availability:read']);
    verifier = verifierWith(new StoreKeySource(keygate.store, keygate.config.region));
  });
  afterAll(() => keygate.stop());

  /** A verifier configured as the test server's gateway, over the given keys, on `clock` if given. */
  const verifierWith = (
    keys: VerificationKeySource,
    revocations = new RevocationList(keygate.store),
    clock?: ManualClock,
  ) =>
    new AccessTokenVerifier(
      { keys, revocations, credentials: { get: (id) => keygate.store.credentials.findByClientId(id) } },
      {
        issuer: keygate.config.publicUrl,
        audience: keygate.config.audience,
        region: keygate.config.region,
        leewaySeconds: 30,
        maxCachedTokens: 100,
        clock,
      },
    );

  const claimsOf = () => ({
    client_id: client.clientId,
    account_id: '',
    scope: 'agents-availability:read',
  });
  const sign = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const account = (await keygate.store.accounts.list())[0]!;
    return signWithServerKey(keygate, { ...claimsOf(), account_id: account.id, ...claims }, header);
  };
  const callGateway = async (token: string) =>
    (
      await fetch(`${keygate.gatewayUrl}/agents-availability?skillNames=Sales`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;
  const reasonFor = (token: string) => reasonForWith(verifier, token);
  const reasonForWith = async (someVerifier: AccessTokenVerifier, token: string) => {
    const verdict = await someVerifier.verify(token);
    return verdict.admitted ? 'admitted' : verdict.reason;
  };

  it.each([
    ['another issuer', { iss: 'https://evil.example' }, {}, 'issuer'],
    ['another audience', { aud: 'https://api.other.example' }, {}, 'audience'],
    ['expired beyond the leeway', { exp: now() - 31 }, {}, 'expired'],
    ['not valid for another minute', { nbf: now() + 60 }, {}, 'not_yet_valid'],
    ['typ JWT instead of at+jwt', {}, { typ: 'JWT' }, 'type'],
    ['no typ', {}, { typ: undefined }, 'type'],
    ['a critical extension', {}, { crit: ['exp'] }, 'malformed'],
    ['another region', { region: 'apac' }, {}, 'region'],
    ['no jti', { jti: undefined }, {}, 'malformed'],
    ['no iat', { iat: undefined }, {}, 'malformed'],
    ['exp as text', { exp: String(now() + 600) }, {}, 'malformed'],
    ['scope as a list', { scope: ['agents-availability:read'] }, {}, 'malformed'],
    ['an unknown key ID', {}, { kid: 'not-a-key' }, 'unknown_key'],
  ])('refuses %s', async (_name, claims, header, reason) => {
    const token = await sign(claims, header);
    expect(await reasonFor(token)).toBe(reason);
    expect(await callGateway(token)).toBe(401);
  });

  it.each([
    ['expired within the leeway', { exp: now() - 10 }, {}],
    ['typ application/at+jwt', {}, { typ: 'application/at+jwt' }],
    ['an audience list that names the gateway', { aud: ['https://other.example', 'AUDIENCE'] }, {}],
  ])('admits %s', async (_name, claims, header) => {
    const resolved = Object.fromEntries(
      Object.entries(claims).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map((a) => (a === 'AUDIENCE' ? keygate.config.audience : a)) : v,
      ]),
    );
    const token = await sign(resolved, header);
    expect(await reasonFor(token)).toBe('admitted');
    expect(await callGateway(token)).toBe(200);
  });

  it('lets go of remembered tokens once they expire, oldest first, without waiting for the cap', async () => {
    const clock = new ManualClock();
    const ownVerifier = verifierWith(
      new StoreKeySource(keygate.store, keygate.config.region),
      new RevocationList(keygate.store),
      clock,
    );
    // Within the 30 s leeway for 1 to 2 s more on the verifier's clock (whole seconds: how much of
    // the current one is left varies), which stands still until the test moves it past that.
    const expiring = await sign({ exp: Math.floor(clock.now() / 1000) - 28 });
    await ownVerifier.verify(expiring);
    await ownVerifier.verify(await sign({}));
    expect(ownVerifier.cachedTokens).toBe(2);
    clock.advance(3_000);
    await ownVerifier.verify(await sign({}));
    ownVerifier.forgetExpired(); // as the server's minute timer does
    expect(ownVerifier.cachedTokens).toBe(2);
    expect(await reasonForWith(ownVerifier, expiring)).toBe('expired');
  });

  it('forgets a verified token once its key has left the key set', async () => {
    const active = (await keygate.store.signingKeys.list(keygate.config.region)).find(
      (k) => k.status === 'active',
    )!;
    const held = new Map([[active.kid, publicKeyFromJwk(active.publicJwk)!]]);
    const ownVerifier = verifierWith({
      key: async (kid) => (kid === undefined ? undefined : held.get(kid)),
      holds: (kid) => kid !== undefined && held.has(kid),
    });
    const token = await sign({});
    await expect(ownVerifier.verify(token)).resolves.toMatchObject({
      admitted: true,
      token: { clientId: client.clientId },
    });
    expect(ownVerifier.cachedTokens).toBe(1);
    held.clear();
    await expect(ownVerifier.verify(token)).resolves.toEqual({ admitted: false, reason: 'unknown_key' });
    expect(ownVerifier.cachedTokens).toBe(0);
  });

  it('refuses a remembered token as soon as its ID joins the revocation list', async () => {
    const revocations = new RevocationList(keygate.store);
    const ownVerifier = verifierWith(new StoreKeySource(keygate.store, keygate.config.region), revocations);
    const token = await sign({});
    const first = await ownVerifier.verify(token); // checked and remembered
    expect(first.admitted).toBe(true);
    expect(ownVerifier.cachedTokens).toBe(1);
    revocations.add(first.admitted ? first.token.jti : '');
    await expect(ownVerifier.verify(token)).resolves.toEqual({ admitted: false, reason: 'revoked' });
  });

  /** Tokens made from `token`: its signature over other claims, cut short, or left out. */
  const alteredFrom = (token: string) => {
    const [h, p, sig] = token.split('.') as [string, string, string];
    const otherPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'stats' }),
    ).toString('base64url');
    return {
      borrowed: `${h}.${otherPayload}.${sig}`,
      cutShort: `${h}.${p}.${sig.slice(0, 40)}`,
      unsigned: `${h}.${p}.`,
      twoParts: `${h}.${p}`,
    };
  };

  it('refuses a token whose signature covers other bytes, or is cut short', async () => {
    const altered = alteredFrom(await sign({}));
    expect(await reasonFor(altered.borrowed)).toBe('signature');
    expect(await reasonFor(altered.cutShort)).toBe('signature');
    expect(await reasonFor(altered.unsigned)).toBe('malformed');
    expect(await reasonFor(altered.twoParts)).toBe('malformed');
  });

  describe('remembered on the connection it came over', () => {
    const connection = {};
    const reasonOn = async (someVerifier: AccessTokenVerifier, token: string, on = connection) => {
      const verdict = await someVerifier.verify(token, undefined, on);
      return verdict.admitted ? 'admitted' : verdict.reason;
    };

    it('refuses a token that borrows the signature of the one last checked on it', async () => {
      const token = await sign({});
      const altered = alteredFrom(token);
      expect(await reasonOn(verifier, token)).toBe('admitted');
      expect(await reasonOn(verifier, altered.borrowed)).toBe('signature');
      expect(await reasonOn(verifier, altered.cutShort)).toBe('signature');
      expect(await reasonOn(verifier, token)).toBe('admitted');
    });

    it('refuses it once revoked, expired, or its key has left the key set', async () => {
      const clock = new ManualClock();
      const active = (await keygate.store.signingKeys.list(keygate.config.region)).find(
        (k) => k.status === 'active',
      )!;
      const held = new Map([[active.kid, publicKeyFromJwk(active.publicJwk)!]]);
      const revocations = new RevocationList(keygate.store);
      const ownVerifier = verifierWith(
        {
          key: async (kid) => (kid === undefined ? undefined : held.get(kid)),
          holds: (kid) => held.has(kid!),
        },
        revocations,
        clock,
      );
      const revoked = await sign({});
      const first = await ownVerifier.verify(revoked, undefined, connection);
      revocations.add(first.admitted ? first.token.jti : '');
      expect(await reasonOn(ownVerifier, revoked)).toBe('revoked');

      // Within the 30 s leeway for 1 to 2 s more on the verifier's clock, then past it.
      const expiring = await sign({ exp: Math.floor(clock.now() / 1000) - 28 });
      expect(await reasonOn(ownVerifier, expiring)).toBe('admitted');
      clock.advance(3_000);
      expect(await reasonOn(ownVerifier, expiring)).toBe('expired');

      const token = await sign({});
      expect(await reasonOn(ownVerifier, token)).toBe('admitted');
      held.clear();
      expect(await reasonOn(ownVerifier, token)).toBe('unknown_key');
    });

    it('keeps one token per connection, and each connection its own', async () => {
      const [one, two] = [await sign({}), await sign({})];
      const other = {};
      expect(await reasonOn(verifier, one)).toBe('admitted');
      expect(await reasonOn(verifier, two, other)).toBe('admitted');
      expect(await reasonOn(verifier, two)).toBe('admitted');
      expect(await reasonOn(verifier, one, other)).toBe('admitted');
      expect(await reasonOn(verifier, `${one.slice(0, -2)}AA`)).toBe('signature');
    });
  });
});
