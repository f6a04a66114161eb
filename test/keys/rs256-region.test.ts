import { execFileSync } from 'node:child_process';
import { constants, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys, loadMasterKey } from '../../src/crypto/master-key.js';
import { openPrivateKey } from '../../src/crypto/signing-key-material.js';
import { documentedSectionBlock, startSettings } from '../helpers/documented-config.js';
import {
  basic,
  postForm,
  type StartedKeygate,
  startKeygateWithRoles,
  startTestKeygate,
  type TestKeygate,
} from '../helpers/keygate.js';
import { KEYGATE_BIN } from '../helpers/keygate-process.js';
import { issueToken } from '../helpers/tokens.js';

const SCOPE = 'agents-availability:read';
const jwksOf = async (keygate: TestKeygate) =>
  (await (await fetch(`${keygate.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
const metadataOf = async (keygate: TestKeygate) =>
  (await (await fetch(`${keygate.url}/.well-known/oauth-authorization-server/Auth`)).json()) as Record<
    string,
    unknown
  >;
const verifyWith =
  (keygate: TestKeygate, keys: Parameters<typeof jwtVerify>[1], algorithms: string[]) => (token: string) =>
    jwtVerify(token, keys as never, {
      issuer: keygate.config.publicUrl,
      audience: keygate.config.audience,
      typ: 'at+jwt',
      algorithms,
    });
const callGateway = (gatewayUrl: string, token: string) =>
  fetch(`${gatewayUrl}/agents-availability`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.newvoicemedia.v1+json' },
  });
const introspect = async (
  keygate: TestKeygate,
  client: { clientId: string; clientSecret: string },
  token: string,
) =>
  (
    await postForm(
      `${keygate.url}/Auth/connect/introspect`,
      { token },
      { authorization: basic(client.clientId, client.clientSecret) },
    )
  ).body?.active;

describe('a region that signs with RS256 (tokenSigningAlgorithm)', () => {
  let keygate: TestKeygate;
  let client: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    keygate = await startTestKeygate({ tokenSigningAlgorithm: 'RS256' });
    client = await keygate.createCredential([SCOPE]);
  });
  afterAll(() => keygate?.stop());

  it('signs with a 2048-bit RSA key that the JWKS publishes, verified by jose taking RS256 only', async () => {
    const token = await issueToken(keygate, client, SCOPE);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const { keys } = await jwksOf(keygate);
    expect(keys).toHaveLength(2); // active and pre-published next, both RSA
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
      expect(Buffer.from(String(key.n), 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    }
    const metadata = await metadataOf(keygate);
    expect(metadata.access_token_signing_alg_values_supported).toEqual(['RS256']);
    const remote = createRemoteJWKSet(
      new URL(String(metadata.jwks_uri).replace(/^https?:\/\/[^/]+/, keygate.url)),
    );
    const { payload } = await verifyWith(keygate, remote, ['RS256'])(token);
    expect(payload).toMatchObject({ client_id: client.clientId, scope: SCOPE });
  });

  it('admits its tokens at the gateway and in introspection, and refuses one signed otherwise', async () => {
    const token = await issueToken(keygate, client, SCOPE);
    expect((await callGateway(keygate.gatewayUrl!, token)).status).toBe(200);
    expect(await introspect(keygate, client, token)).toBe(true);

    // The region's own RSA key, used with PSS: an algorithm no access token is taken in.
    const { keyEncryptionKey } = deriveKeys(loadMasterKey(keygate.config).key);
    const active = (await keygate.store.signingKeys.list(keygate.config.region)).find(
      (k) => k.status === 'active',
    )!;
    const [, payload] = token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'PS256', typ: 'at+jwt', kid: active.kid })).toString(
      'base64url',
    );
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: openPrivateKey(keyEncryptionKey, active.kid, active.privateJwkEncrypted),
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    }).toString('base64url');
    const pss = `${header}.${payload}.${signature}`;
    expect((await callGateway(keygate.gatewayUrl!, pss)).status).toBe(401);
    const [h, , s] = token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ scope: 'stats' })).toString('base64url')}.${s}`;
    expect((await callGateway(keygate.gatewayUrl!, tampered)).status).toBe(401);
  });
});

// Production's shape: the gateway in a process of its own that knows the keys only from the JWKS.
describe('a gateway-only process (roles: gateway) before an RS256 region', () => {
  const shared = mkdtempSync(join(tmpdir(), 'keygate-rs256-'));
  const audience = 'https://api.emea.example';
  let tokens: TestKeygate;
  let gateway: StartedKeygate;
  beforeAll(async () => {
    tokens = await startTestKeygate(
      { roles: ['token-service', 'admin'], audience, tokenSigningAlgorithm: 'RS256' },
      shared,
    );
    gateway = await startKeygateWithRoles(
      {
        roles: ['gateway'],
        publicUrl: tokens.config.publicUrl,
        audience,
        masterKeyFile: join(shared, 'no.key'),
      },
      shared,
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await tokens?.stop();
    rmSync(shared, { recursive: true, force: true });
  });

  it('admits RS256 tokens, verified with keys fetched from the issuer, and checks their scope', async () => {
    const client = await tokens.createCredential([SCOPE]);
    const token = await issueToken(tokens, client, SCOPE);
    expect(decodeProtectedHeader(token).alg).toBe('RS256');
    expect((await callGateway(gateway.gatewayUrl!, token)).status).toBe(200);
    const stats = await fetch(`${gateway.gatewayUrl}/stats/interactions`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.newvoicemedia.v3+json' },
    });
    expect(stats.status).toBe(403);
  });
});

/** docs/tokens.md's commands for moving a region to RS256: a start with the setting, then a rotation. */
const MOVE_TO_RS256 = documentedSectionBlock(
  'tokens.md',
  'RSA-signed tokens (RS256), for verifiers that take RSA only',
  'sh',
);

describe('moving a region from ES256 to RS256, as docs/tokens.md says', () => {
  const shared = mkdtempSync(join(tmpdir(), 'keygate-alg-change-'));
  let keygate: TestKeygate;
  afterAll(async () => {
    await keygate?.stop();
    rmSync(shared, { recursive: true, force: true });
  });

  it('pre-publishes an RS256 key at the next start, signs with it after a rotation, and keeps ES256 tokens verifying', async () => {
    keygate = await startTestKeygate({}, shared);
    const client = await keygate.createCredential([SCOPE]);
    const es256 = await issueToken(keygate, client, SCOPE);
    expect(decodeProtectedHeader(es256).alg).toBe('ES256');
    await keygate.stop();

    // The setting changes; the process starts again on the same store, the same issuer and audience.
    const settings = startSettings(MOVE_TO_RS256, 'docs/tokens.md');
    expect(settings).toEqual({ tokenSigningAlgorithm: 'RS256' });
    const { port, gatewayPort } = keygate.config;
    keygate = await startTestKeygate({ ...settings, port, gatewayPort }, shared);
    const statuses = async () =>
      (await keygate.store.signingKeys.list(keygate.config.region)).map((k) => `${k.status}:${k.alg}`).sort();
    expect(await statuses()).toEqual(['active:ES256', 'next:RS256']);
    expect(keygate.logs()).toMatch(/tokens are signed with ES256 until `keygate keys rotate`/);
    // Until the rotation, tokens are still ES256: nobody has been handed an RSA key yet.
    expect(decodeProtectedHeader(await issueToken(keygate, client, SCOPE)).alg).toBe('ES256');
    expect((await metadataOf(keygate)).access_token_signing_alg_values_supported).toEqual(['ES256', 'RS256']);
    // A verifier that cached the JWKS now holds the RSA key before it signs anything.
    const cached = createLocalJWKSet(await jwksOf(keygate));

    // The documented rotation, by the built CLI, without the setting: it follows the store.
    const rotate = MOVE_TO_RS256.split('\n').find((line) => line.startsWith('npx keygate '))!;
    const args = rotate.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
    expect(args).toEqual(['keys', 'rotate']);
    const rotatedAt = Date.now();
    const printed = execFileSync(process.execPath, [KEYGATE_BIN, ...args], {
      env: { PATH: process.env.PATH, KEYGATE_DATA_DIR: shared, KEYGATE_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(printed).toMatch(/tokens are now signed with key \S+ \(RS256\)/);
    let rs256 = await issueToken(keygate, client, SCOPE);
    while (decodeProtectedHeader(rs256).alg !== 'RS256' && Date.now() - rotatedAt < 2000) {
      await new Promise((r) => setTimeout(r, 50));
      rs256 = await issueToken(keygate, client, SCOPE);
    }
    expect(decodeProtectedHeader(rs256).alg).toBe('RS256');
    expect(await statuses()).toEqual(['active:RS256', 'next:RS256', 'retired:ES256']);

    await verifyWith(keygate, cached, ['RS256'])(rs256);
    const fresh = createLocalJWKSet(await jwksOf(keygate));
    await verifyWith(keygate, fresh, ['ES256', 'RS256'])(es256); // issued before the change, still live
    for (const token of [es256, rs256]) {
      expect((await callGateway(keygate.gatewayUrl!, token)).status).toBe(200);
      expect(await introspect(keygate, client, token)).toBe(true);
    }
    const retired = (await keygate.store.signingKeys.list(keygate.config.region)).find(
      (k) => k.status === 'retired',
    )!;
    expect(Date.parse(retired.retireAfter!)).toBeGreaterThanOrEqual(rotatedAt + 7200 * 1000);
  });
});
