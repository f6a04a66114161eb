import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));
const ORDERS = fileURLToPath(new URL('../../examples/orders-api/orders.openapi.json', import.meta.url));

/** The example document at another version, with one more scope, as a rollout would bring it. */
function nextOrdersVersion(): string {
  const document = JSON.parse(readFileSync(ORDERS, 'utf8'));
  document.info.version = '1.1.0';
  document.components.securitySchemes.keygate.flows.clientCredentials.scopes['orders:refund'] =
    'Refund orders';
  const file = join(mkdtempSync(join(tmpdir(), 'keygate-doc-')), 'orders-1.1.json');
  writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
}

/** The same content as the example, laid out differently: the same document. */
function reformattedOrders(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'keygate-doc-')), 'orders-copy.json');
  writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(ORDERS, 'utf8'))));
  return file;
}

const documents = (file: string) => ({ apiDocuments: [{ file, upstream: 'http://127.0.0.1:9' }] });
/** `keygate start` as an operator runs it, for region `region`, on the shared store. */
async function startCommand(dataDir: string, region: string, config: object) {
  const file = join(mkdtempSync(join(tmpdir(), 'keygate-config-')), 'keygate.config.json');
  writeFileSync(file, JSON.stringify(config));
  const env = {
    PATH: process.env.PATH,
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_CONFIG: file,
    KEYGATE_REGION: region,
    KEYGATE_PORT: String(await freePort()),
    KEYGATE_GATEWAY_PORT: String(await freePort()),
    KEYGATE_METRICS_PORT: '0',
    KEYGATE_SAMPLES_PORT: '0',
  };
  return new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, 'start'],
      { env, timeout: 30_000 },
      (error, _out, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      // Started after all: stop it, so the test fails on the exit code rather than hanging.
      if (String(chunk).includes('Keygate is running')) child.kill('SIGTERM');
    });
  });
}

describe('every region serves one catalogue', () => {
  const shared = mkdtempSync(join(tmpdir(), 'keygate-catalogue-'));
  let emea: TestKeygate;
  const started: TestKeygate[] = [];
  const region = async (name: string, config: object) => {
    const keygate = await startTestKeygate({ region: name, ...config }, shared);
    started.push(keygate);
    return keygate;
  };

  beforeAll(async () => {
    emea = await region('emea', documents(ORDERS));
  });
  afterAll(async () => {
    for (const keygate of started.reverse()) await keygate.stop().catch(() => {});
    rmSync(shared, { recursive: true, force: true });
  });

  it('starts a region that serves the same document, however its file is laid out', async () => {
    const nam = await region('nam', documents(reformattedOrders()));
    const scopes = async (k: TestKeygate) =>
      (
        (await (await fetch(`${k.url}/.well-known/oauth-authorization-server/Auth`)).json()) as {
          scopes_supported: string[];
        }
      ).scopes_supported;
    expect(await scopes(nam)).toEqual(await scopes(emea));
    await nam.stop();
    started.splice(started.indexOf(nam), 1);
  });

  it('refuses `keygate start` for a region whose document differs, naming both versions', async () => {
    const next = nextOrdersVersion();
    const refused = await startCommand(shared, 'nam', documents(next));
    expect(refused.code).toBe(1);
    const { version } = JSON.parse(readFileSync(ORDERS, 'utf8')).info;
    expect(refused.stderr).toContain('every region must serve the same API documents, and these differ:');
    const named = refused.stderr.match(
      /API document orders: this process \(region nam\) serves (.+) \(version 1\.1\.0, sha256 ([0-9a-f]{12})\), region emea \(.+ pid \d+, seen \d+ s ago\) serves (.+) \(version (.+), sha256 ([0-9a-f]{12})\)/,
    );
    expect(named?.slice(1)).toEqual([next, expect.any(String), ORDERS, version, expect.any(String)]);
    expect(named?.[2]).not.toBe(named?.[5]);
    expect(refused.stderr).toContain('KEYGATE_API_DOCUMENT_ROLLOUT=true');
  });

  it('refuses a region that serves no document where another serves one', async () => {
    await expect(region('nam', {})).rejects.toThrow(
      /API document orders: region emea \(.* seen \d+ s ago\) serves .*orders\.openapi\.json \(version .*\), this process \(region nam\) serves none/,
    );
  });

  it('with apiDocumentRollout, starts and warns; the region that stopped holds no one back', async () => {
    const next = nextOrdersVersion();
    const nam = await region('nam', { ...documents(next), apiDocumentRollout: true });
    expect(nam.logs()).toContain('every region must serve the same API documents: finish the rollout');
    expect(nam.logs()).toContain(
      `API document orders: this process (region nam) serves ${next} (version 1.1.0`,
    );
    // emea stops (its rollout to 1.1.0 under way): nam's next start needs no override.
    await emea.stop();
    started.splice(started.indexOf(emea), 1);
    await nam.stop();
    started.splice(started.indexOf(nam), 1);
    const again = await region('nam', documents(next));
    expect(again.logs()).not.toContain('API document orders');
  });

  it('counts a region silent for longer than 90 s as stopped', async () => {
    // A process that ended without removing its report (killed) stopped reporting 2 minutes ago.
    await started[0]!.store.instances.report({
      id: 'killed-instance',
      region: 'apac',
      host: 'gone pid 1',
      apiDocuments: [],
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      seenAt: new Date(Date.now() - 120_000).toISOString(),
    });
    const emeaAgain = await region('emea', documents(nextOrdersVersion()));
    expect(emeaAgain.logs()).not.toContain('region apac');
  });

  it('warns, and starts, where processes of one region differ: a rolling update', async () => {
    // Left running: nam and emea at 1.1.0. emea goes; a nam process with 1.0 differs from nam's only.
    const emeaAgain = started.pop()!;
    await emeaAgain.stop();
    const other = await region('nam', documents(ORDERS));
    expect(other.logs()).toContain(
      "expected while a rolling update replaces this region's processes, not after it",
    );
  });
});
