import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { caddyMissing, type RunningCaddy, startCaddy } from '../helpers/caddy.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { readmeIssuer } from '../helpers/readme.js';

/**
 * Clients nobody here wrote, from Debian's packages, used as their own docs say: Python's authlib
 * and PyJWT, Go's golang.org/x/oauth2 and go-oidc. The issuer is behind TLS, as in production:
 * Caddy (`tls internal`) in front of the token service, its CA given to the clients. `.ci/run`
 * installs them all; elsewhere each suite skips and names the packages it needs.
 */
const run = promisify(execFile);
const clients = fileURLToPath(new URL('./clients/', import.meta.url));
const PYTHON = '/usr/bin/python3';
const PYTHON_PACKAGES = '/usr/lib/python3/dist-packages';
const GOPATH = '/usr/share/gocode';

const TLS_FRONT = caddyMissing ? [['/usr/bin/caddy', 'caddy']] : [];
const pythonMissing = [
  ...TLS_FRONT,
  [PYTHON, 'python3'],
  [join(PYTHON_PACKAGES, 'authlib'), 'python3-authlib'],
  [join(PYTHON_PACKAGES, 'jwt'), 'python3-jwt'],
  [join(PYTHON_PACKAGES, 'requests'), 'python3-requests'],
]
  .filter(([path]) => !existsSync(path!))
  .map(([, name]) => name);
const authlibMissing = [
  ...TLS_FRONT,
  [PYTHON, 'python3'],
  [join(PYTHON_PACKAGES, 'authlib'), 'python3-authlib'],
  [join(PYTHON_PACKAGES, 'requests'), 'python3-requests'],
]
  .filter(([path]) => !existsSync(path!))
  .map(([, name]) => name);
const GO_PACKAGES = [
  ['/usr/bin/go', 'golang-go'],
  [join(GOPATH, 'src/golang.org/x/oauth2'), 'golang-golang-x-oauth2-dev'],
  [join(GOPATH, 'src/github.com/coreos/go-oidc'), 'golang-github-coreos-go-oidc-dev'],
];
const goMissing = [...TLS_FRONT, ...GO_PACKAGES]
  .filter(([path]) => !existsSync(path!))
  .map(([, name]) => name);
const goPackagesMissing = GO_PACKAGES.filter(([path]) => !existsSync(path!)).map(([, name]) => name);

/** Builds one of ./clients/*.go in GOPATH mode on Debian's source packages: nothing is fetched. */
async function buildGoClient(source: string): Promise<string> {
  // The build cache outlives the run.
  const cache = join(tmpdir(), 'keygate-go-build-cache');
  mkdirSync(cache, { recursive: true });
  const program = join(tmpdir(), `keygate-go-${source.replace(/\.go$/, '')}-${process.pid}`);
  await run('/usr/bin/go', ['build', '-o', program, join(clients, source)], {
    env: { PATH: process.env.PATH, HOME: tmpdir(), GO111MODULE: 'off', GOPATH, GOCACHE: cache },
  });
  return program;
}

describe('outside clients from Debian', () => {
  let keygate: TestKeygate;
  let front: RunningCaddy;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if ([pythonMissing, authlibMissing, goMissing].every((missing) => missing.length > 0)) return;
    const port = await freePort();
    keygate = await startTestKeygate({ publicUrl: `https://127.0.0.1:${port}` });
    front = await startCaddy(
      () => `{
	admin off
	skip_install_trust
}
https://127.0.0.1:${port} {
	tls internal
	reverse_proxy ${new URL(keygate.url).host}
}
`,
      { port, https: true },
    );
    const client = await keygate.createCredential(['agents-availability:read']);
    env = {
      PATH: process.env.PATH,
      REQUESTS_CA_BUNDLE: front.rootCertificate,
      SSL_CERT_FILE: front.rootCertificate,
      ISSUER: keygate.config.publicUrl,
      AUDIENCE: keygate.config.audience,
      GATEWAY: keygate.gatewayUrl,
      CLIENT_ID: client.clientId,
      CLIENT_SECRET: client.clientSecret,
    };
  });
  afterAll(async () => {
    await front?.stop();
    await keygate?.stop();
  });

  describe.skipIf(pythonMissing.length > 0)(
    `Python: authlib and PyJWT${pythonMissing.length ? ` (install ${pythonMissing.join(', ')})` : ''}`,
    () => {
      it('validates the metadata, gets tokens both ways, verifies one, calls the gateway', async () => {
        const { stdout } = await run(PYTHON, [join(clients, 'authlib_pyjwt.py')], { env });
        const seen = JSON.parse(stdout);
        // The one complaint is by design (docs/compatibility.md): a server without an authorization
        // endpoint has no response type to list, and RFC 8414 §3.2 omits an empty claim.
        expect(seen.metadata_problems).toEqual(['response_types_supported']);
        expect(seen.same_token_endpoint).toBe(true);
        for (const method of ['client_secret_basic', 'client_secret_post']) {
          expect(seen[method].scope).toBe('agents-availability:read');
          expect(seen[method].expires_in).toBeGreaterThan(7000);
        }
        expect(seen.typ).toBe('at+jwt');
        expect(seen.client_id).toBe(env.CLIENT_ID);
        expect(seen.gateway_status).toBe(200);
      });
    },
  );

  describe.skipIf(authlibMissing.length > 0)(
    `Python: authlib's private_key_jwt${authlibMissing.length ? ` (install ${authlibMissing.join(', ')})` : ''}`,
    () => {
      it('PrivateKeyJWT with its defaults (RS256, an assertion of an hour) gets tokens', async () => {
        const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const { credential } = await keygate.credentials.createWithKeys({
          accountId: (await keygate.store.accounts.list())[0]!.id,
          name: 'authlib',
          scopes: ['agents-availability:read'],
          publicKeys: [pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()],
        });
        const { stdout } = await run(PYTHON, [join(clients, 'authlib_private_key_jwt.py')], {
          env: {
            ...env,
            CLIENT_ID: credential.clientId,
            CLIENT_SECRET: '',
            PRIVATE_KEY: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
          },
        });
        const granted = { token_type: 'Bearer', scope: 'agents-availability:read' };
        expect(JSON.parse(stdout)).toEqual({
          alg: 'RS256',
          assertion_lifetime: 3600,
          first: granted,
          second: granted,
          gateway_status: 200,
        });
      });
    },
  );

  describe.skipIf(goMissing.length > 0)(
    `Go: golang.org/x/oauth2 and go-oidc${goMissing.length ? ` (install ${goMissing.join(', ')})` : ''}`,
    () => {
      it('discovers the provider, gets a token, verifies its signature, calls the gateway', async () => {
        const program = await buildGoClient('oauth2_oidc.go');
        const { stdout } = await run(program, [], { env });
        expect(JSON.parse(stdout)).toEqual({
          token_url: `https://127.0.0.1:${front.port}/Auth/connect/token`,
          token_type: 'Bearer',
          expires: true,
          client_id: env.CLIENT_ID,
          gateway_status: 200,
        });
      }, 180_000);
    },
  );
});

/**
 * go-oidc's provider verifier with its defaults takes RS256 only: the tokens of a region configured
 * with `tokenSigningAlgorithm: RS256` pass it, ES256 ones are refused. Each region runs otherwise as
 * configured out of the box, and go-oidc is given the README's issuer, which it discovers
 * (OpenID Connect Discovery §4.3: the document must name the issuer it was asked about).
 */
describe.skipIf(goPackagesMissing.length > 0)(
  `go-oidc's default verifier${goPackagesMissing.length ? ` (install ${goPackagesMissing.join(', ')})` : ''}`,
  () => {
    let program: string;
    beforeAll(async () => {
      program = await buildGoClient('oidc_default_verifier.go');
    }, 180_000);

    const verifyAt = async (tokenSigningAlgorithm: 'ES256' | 'RS256') => {
      const keygate = await startTestKeygate({ tokenSigningAlgorithm });
      try {
        const client = await keygate.createCredential(['agents-availability:read']);
        const { stdout } = await run(program, [], {
          env: {
            PATH: process.env.PATH,
            ISSUER: readmeIssuer(keygate.url),
            AUDIENCE: keygate.config.audience,
            CLIENT_ID: client.clientId,
            CLIENT_SECRET: client.clientSecret,
          },
        });
        return { seen: JSON.parse(stdout) as Record<string, unknown>, keygate, client };
      } finally {
        await keygate.stop();
      }
    };

    it('verifies the tokens of an RS256 region', async () => {
      const { seen, keygate, client } = await verifyAt('RS256');
      expect(seen).toEqual({
        token_url: `${new URL(keygate.url).origin}/Auth/connect/token`,
        issuer: keygate.config.publicUrl,
        client_id: client.clientId,
      });
    }, 60_000);

    it('refuses those of an ES256 region, naming the algorithm', async () => {
      const { seen } = await verifyAt('ES256');
      expect(seen.verify_error).toBe(
        'oidc: id token signed with unsupported algorithm, expected ["RS256"] got "ES256"',
      );
    }, 60_000);
  },
);
