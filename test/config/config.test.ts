import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { defaultOf, SETTINGS } from '../../src/config/settings.js';
import { documentedBlock, startSettings } from '../helpers/documented-config.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'keygate-config-'));

const keygateBin = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has safe defaults for a laptop start', () => {
    const cwd = emptyDir();
    const config = loadConfig({ env: {}, cwd });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      gatewayPort: 8081,
      region: 'emea',
      tokenLifetimeSeconds: 7200,
      publicUrl: 'http://127.0.0.1:8080/Auth', // VCC's layout, ADR 0007
      audience: 'http://127.0.0.1:8081',
      dataDir: join(cwd, 'data'),
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets KEYGATE_* variables win over the file', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'keygate.config.json'), JSON.stringify({ port: 9000, region: 'nam' }));
    const config = loadConfig({
      env: { KEYGATE_PORT: '9100', KEYGATE_PUBLIC_URL: 'https://nam.example.com/' },
      cwd,
    });
    expect(config).toMatchObject({ port: 9100, region: 'nam', publicUrl: 'https://nam.example.com' });
  });

  it('reads true or false from a switch variable, and says so for anything else', () => {
    expect(loadConfig({ env: { KEYGATE_DPOP_NONCES: 'true' }, cwd: emptyDir() }).dpopNonces).toBe(true);
    expect(loadConfig({ env: { KEYGATE_DPOP_NONCES: 'FALSE' }, cwd: emptyDir() }).dpopNonces).toBe(false);
    expect(loadConfig({ env: {}, cwd: emptyDir() }).dpopNonces).toBe(false);
    expect(problemsOf(() => loadConfig({ env: { KEYGATE_DPOP_NONCES: 'yes' }, cwd: emptyDir() }))).toEqual([
      'dpopNonces (KEYGATE_DPOP_NONCES): expected true or false, got "yes"',
    ]);
  });

  it('signs with ES256 unless told RS256, and refuses any other algorithm by name', () => {
    const load = (env: Record<string, string>) => loadConfig({ env, cwd: emptyDir() });
    expect(load({}).tokenSigningAlgorithm).toBe('ES256');
    expect(load({ KEYGATE_TOKEN_SIGNING_ALGORITHM: 'RS256' }).tokenSigningAlgorithm).toBe('RS256');
    for (const alg of ['HS256', 'none', 'PS256', 'rs256']) {
      expect(problemsOf(() => load({ KEYGATE_TOKEN_SIGNING_ALGORITHM: alg }))).toEqual([
        expect.stringMatching(
          /^tokenSigningAlgorithm \(KEYGATE_TOKEN_SIGNING_ALGORITHM\): .*"ES256".*"RS256"/,
        ),
      ]);
    }
  });

  it('names the key and its variable in every error', () => {
    expect(problemsOf(() => loadConfig({ env: { KEYGATE_PORT: 'eighty' }, cwd: emptyDir() }))).toEqual([
      'port (KEYGATE_PORT): expected an integer, got "eighty"',
    ]);
    const problems = problemsOf(() =>
      loadConfig({
        env: { KEYGATE_PORT: '70000', KEYGATE_REGION: 'EMEA!', KEYGATE_TOKEN_LIFETIME_SECONDS: '5' },
        cwd: emptyDir(),
      }),
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^port \(KEYGATE_PORT\): /);
    expect(problems.find((p) => p.startsWith('region (KEYGATE_REGION)'))).toContain(
      'a lower-case region name',
    );
    expect(
      problems.find((p) => p.startsWith('tokenLifetimeSeconds (KEYGATE_TOKEN_LIFETIME_SECONDS)')),
    ).toBeDefined();
  });

  it('serves every role unless KEYGATE_ROLES or the file names some', () => {
    expect(loadConfig({ env: {}, cwd: emptyDir() }).roles).toEqual(['token-service', 'admin', 'gateway']);
    expect(
      loadConfig({
        env: { KEYGATE_ROLES: 'gateway', KEYGATE_PUBLIC_URL: 'https://auth.example.com' },
        cwd: emptyDir(),
      }).roles,
    ).toEqual(['gateway']);
    expect(loadConfig({ env: { KEYGATE_ROLES: 'token-service, admin' }, cwd: emptyDir() }).roles).toEqual([
      'token-service',
      'admin',
    ]);
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'keygate.config.json'), JSON.stringify({ roles: ['admin'] }));
    expect(loadConfig({ env: {}, cwd }).roles).toEqual(['admin']);

    const [unknown] = problemsOf(() =>
      loadConfig({ env: { KEYGATE_ROLES: 'gateway,proxy' }, cwd: emptyDir() }),
    );
    expect(unknown).toMatch(/^roles\.1 \(KEYGATE_ROLES\): /);
    expect(unknown).toContain('token-service');
    const [twice] = problemsOf(() =>
      loadConfig({ env: { KEYGATE_ROLES: 'gateway,gateway' }, cwd: emptyDir() }),
    );
    expect(twice).toMatch(/each role once/);
    const none = emptyDir();
    writeFileSync(join(none, 'keygate.config.json'), JSON.stringify({ roles: [] }));
    expect(problemsOf(() => loadConfig({ env: {}, cwd: none }))).toEqual([
      expect.stringMatching(/^roles \(KEYGATE_ROLES\): /),
    ]);
  });

  it('wants the issuer named for a gateway without a token service beside it', () => {
    expect(problemsOf(() => loadConfig({ env: { KEYGATE_ROLES: 'gateway' }, cwd: emptyDir() }))).toEqual([
      expect.stringMatching(/^publicUrl \(KEYGATE_PUBLIC_URL\): a gateway without the token-service role/),
    ]);
    const env = { KEYGATE_ROLES: 'gateway', KEYGATE_PUBLIC_URL: 'https://emea.auth.example.com' };
    expect(loadConfig({ env, cwd: emptyDir() }).publicUrl).toBe('https://emea.auth.example.com');
  });

  it('trusts only named proxies or a number of them, and refuses trustProxy: true', () => {
    const cwd = emptyDir();
    const load = (env: Record<string, string>, overrides = {}) => loadConfig({ env, cwd, overrides });
    expect(load({}).trustProxy).toBe(false);
    expect(load({ KEYGATE_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
    ]);
    expect(load({ KEYGATE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(load({}, { trustProxy: ['loopback'] }).trustProxy).toEqual(['loopback']);
    const everyone = /trustProxy \(KEYGATE_TRUST_PROXY\): true would let every caller choose its own address/;
    expect(problemsOf(() => load({ KEYGATE_TRUST_PROXY: 'true' }))).toEqual([
      expect.stringMatching(everyone),
    ]);
    expect(problemsOf(() => load({}, { trustProxy: true }))).toEqual([expect.stringMatching(everyone)]);
    expect(problemsOf(() => load({ KEYGATE_TRUST_PROXY: '10.0.0.0/33' }))).toEqual([
      'trustProxy (KEYGATE_TRUST_PROXY): "10.0.0.0/33" is not an IP address, a CIDR, or loopback/linklocal/uniquelocal',
    ]);
    const hops = { KEYGATE_CLIENT_CERTIFICATE_HEADER: 'x-ssl-client-cert', KEYGATE_TRUST_PROXY: '1' };
    expect(problemsOf(() => load(hops))).toEqual([
      expect.stringMatching(/is read only from a trusted proxy named by its address/),
    ]);
    expect(problemsOf(() => load({ KEYGATE_CLIENT_CERTIFICATE_HEADER: 'x-ssl-client-cert' }))).toEqual([
      expect.stringMatching(
        /^clientCertificateHeader \(KEYGATE_CLIENT_CERTIFICATE_HEADER\): is read only from a trusted proxy named by its address: set trustProxy/,
      ),
    ]);
  });

  it('wants each API document’s resource to name one API, apart from the gateway’s audience', () => {
    const cwd = emptyDir();
    const document = (resource: string) => ({
      file: 'orders.json',
      upstream: 'http://127.0.0.1:9',
      resource,
    });
    const problems = (overrides: object) => problemsOf(() => loadConfig({ env: {}, cwd, overrides }));
    const shared = { apiDocuments: [document('https://api.test/a'), document('https://api.test/a')] };
    expect(problems(shared)).toEqual([
      'apiDocuments (KEYGATE_API_DOCUMENTS): each resource names one API: two documents share one, or one is the gateway’s own audience',
    ]);
    expect(
      problems({ audience: 'https://api.test', apiDocuments: [document('https://api.test')] }),
    ).toHaveLength(1);
    expect(problems({ apiDocuments: [document('https://api.test/a#b')] })[0]).toMatch(/without a fragment/);
  });

  it('keygate start refuses trustProxy: true, saying what to set instead', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [keygateBin, 'start'],
        { env: { PATH: process.env.PATH, KEYGATE_DATA_DIR: emptyDir(), KEYGATE_TRUST_PROXY: 'true' } },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/name the proxies instead: their addresses or CIDRs/);
  });

  it('reads every integer and switch setting from its variable', () => {
    const at = (config: object, path: readonly string[]) =>
      path.reduce<unknown>((value, part) => (value as Record<string, unknown>)[part], config);
    for (const setting of SETTINGS) {
      if (setting.kind !== 'integer' && setting.kind !== 'boolean') continue;
      const before = defaultOf(setting);
      // + 7 keeps each listener's port clear of the others' defaults (8080–8082).
      const value = setting.kind === 'boolean' ? !before : before === undefined ? 1 : Number(before) + 7;
      const config = loadConfig({ env: { [setting.variable]: String(value) }, cwd: emptyDir() });
      expect(at(config, setting.path), setting.variable).toBe(value);
    }
  });

  it('changes only the member of a group that a variable names', () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'keygate.config.json'),
      JSON.stringify({ loginLimits: { failuresBeforeLock: 3, lockSeconds: 600 } }),
    );
    const config = loadConfig({ env: { KEYGATE_LOGIN_LIMITS_LOCK_SECONDS: '60' }, cwd });
    expect(config.loginLimits).toEqual({ failuresBeforeLock: 3, lockSeconds: 60, perAddressPerMinute: 20 });
  });

  it('reads records and lists as JSON, checked as the file’s are, naming the variable', () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'keygate.config.json'),
      JSON.stringify({ upstreams: { orders: 'http://orders.internal' } }),
    );
    const load = (env: Record<string, string>) => loadConfig({ env, cwd });
    // The variable replaces the file's record: it is one setting, not one per entry.
    expect(load({ KEYGATE_UPSTREAMS: '{"stats": "https://stats.internal"}' }).upstreams).toEqual({
      stats: 'https://stats.internal',
    });
    const plans = load({
      KEYGATE_RATE_LIMIT_PLANS: '{"gold": {"perAccount": {"limit": 9, "windowSeconds": 1}}}',
      KEYGATE_DEFAULT_PLAN: 'gold',
    });
    expect(plans.rateLimitPlans).toEqual({
      gold: { perAccount: { limit: 9, windowSeconds: 1 }, concurrentCalls: 64 },
    });
    expect(problemsOf(() => load({ KEYGATE_UPSTREAMS: '{stats: x}' }))).toEqual([
      expect.stringMatching(
        /^upstreams \(KEYGATE_UPSTREAMS\): expected JSON, as in the configuration file: .*position 1/,
      ),
    ]);
    expect(problemsOf(() => load({ KEYGATE_UPSTREAMS: '{"stats": "stats.internal"}' }))).toEqual([
      expect.stringMatching(/^upstreams\.stats \(KEYGATE_UPSTREAMS\): /),
    ]);
    expect(problemsOf(() => load({ KEYGATE_API_DOCUMENTS: '[{"file": "orders.json"}]' }))).toEqual([
      expect.stringMatching(/^apiDocuments\.0\.upstream \(KEYGATE_API_DOCUMENTS\): /),
    ]);
    expect(problemsOf(() => load({ KEYGATE_API_DOCUMENTS: '{"file": "orders.json"}' }))).toEqual([
      expect.stringMatching(/^apiDocuments \(KEYGATE_API_DOCUMENTS\): .*array/),
    ]);
  });

  it('starts as docs/configuration.md’s example of variables says', () => {
    const settings = startSettings(documentedBlock('configuration.md', 'sh'), 'docs/configuration.md');
    const config = loadConfig({ env: {}, cwd: emptyDir(), overrides: settings });
    expect(config).toMatchObject({ upstreams: { stats: 'https://stats.internal' }, clockLeewaySeconds: 10 });
  });

  it('still reads a variable under its former name, warning with the new one', () => {
    const warnings: string[] = [];
    const load = (env: Record<string, string>) =>
      loadConfig({ env, cwd: emptyDir(), warn: (w) => warnings.push(w) });
    expect(load({ KEYGATE_TOKEN_LIFETIME: '600' }).tokenLifetimeSeconds).toBe(600);
    expect(load({ KEYGATE_SAMPLE_EXPORT_DIR: '/srv/exports' }).sampleExportDirectory).toBe('/srv/exports');
    expect(warnings).toEqual([
      'KEYGATE_TOKEN_LIFETIME is deprecated: rename it KEYGATE_TOKEN_LIFETIME_SECONDS (it sets tokenLifetimeSeconds, as before)',
      'KEYGATE_SAMPLE_EXPORT_DIR is deprecated: rename it KEYGATE_SAMPLE_EXPORT_DIRECTORY (it sets sampleExportDirectory, as before)',
    ]);
    warnings.length = 0;
    expect(
      load({ KEYGATE_TOKEN_LIFETIME: '600', KEYGATE_TOKEN_LIFETIME_SECONDS: '900' }).tokenLifetimeSeconds,
    ).toBe(900);
    expect(warnings).toEqual([
      'KEYGATE_TOKEN_LIFETIME is ignored: KEYGATE_TOKEN_LIFETIME_SECONDS is set too, and wins; remove KEYGATE_TOKEN_LIFETIME',
    ]);
    // An error names the variable the operator set.
    expect(problemsOf(() => load({ KEYGATE_TOKEN_LIFETIME: '5' }))).toEqual([
      expect.stringMatching(/^tokenLifetimeSeconds \(KEYGATE_TOKEN_LIFETIME\): /),
    ]);
  });

  it('keygate says on stderr which name a former variable has now', async () => {
    const result = await new Promise<{ stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [keygateBin, 'accounts', 'list'],
        { env: { PATH: process.env.PATH, KEYGATE_DATA_DIR: emptyDir(), KEYGATE_TOKEN_LIFETIME: '600' } },
        (_error, _stdout, stderr) => resolve({ stderr }),
      );
    });
    expect(result.stderr).toContain(
      'warning: KEYGATE_TOKEN_LIFETIME is deprecated: rename it KEYGATE_TOKEN_LIFETIME_SECONDS',
    );
  });

  it('rejects unknown keys and broken files, naming them', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'keygate.config.json'), JSON.stringify({ prot: 8080 }));
    expect(problemsOf(() => loadConfig({ env: {}, cwd })).join()).toContain('prot');
    writeFileSync(join(cwd, 'broken.json'), '{ nope');
    expect(problemsOf(() => loadConfig({ env: { KEYGATE_CONFIG: 'broken.json' }, cwd }))[0]).toContain(
      'broken.json',
    );
    expect(problemsOf(() => loadConfig({ env: { KEYGATE_CONFIG: 'absent.json' }, cwd }))[0]).toMatch(
      /^KEYGATE_CONFIG: no file/,
    );
  });
});
