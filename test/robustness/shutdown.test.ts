import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { requestToken, startTestKeygate } from '../helpers/keygate.js';
import { createCredentialWithCli, startKeygateProcess } from '../helpers/keygate-process.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

describe('shutdown', () => {
  it('finishes a call in flight and then closes, although its client keeps the connection alive', async () => {
    const upstream = await startEchoUpstream();
    const keygate = await startTestKeygate({
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
    // A client that would hold its idle connection for a minute, past this test's time limit.
    const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
    try {
      const client = await keygate.createCredential(['admin:read']);
      const token = await issueToken(keygate, client, 'admin:read');
      const call = undiciFetch(`${keygate.gatewayUrl}/orders/slow?ms=600`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: agent,
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closing = keygate.stop();
      const answer = await call;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ echoed: '/orders/slow?ms=600', body: '' });
      await closing;
    } finally {
      await agent.close();
      await upstream.close();
    }
  }, 10_000);

  it('stops at once on a second signal, without waiting for a call in flight', async () => {
    const upstream = await startEchoUpstream();
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-shutdown-'));
    onTestFinished(async () => {
      await upstream.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const config = join(dataDir, 'keygate.config.json');
    writeFileSync(
      config,
      JSON.stringify({ apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }] }),
    );
    const [port, gatewayPort, samplesPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH,
      KEYGATE_CONFIG: config,
      KEYGATE_DATA_DIR: dataDir,
      KEYGATE_PORT: String(port),
      KEYGATE_GATEWAY_PORT: String(gatewayPort),
      KEYGATE_SAMPLES_PORT: String(samplesPort),
      KEYGATE_LOG_LEVEL: 'info',
    };
    const { child: keygate, output } = await startKeygateProcess([], env, `http://127.0.0.1:${port}/healthz`);
    try {
      const client = createCredentialWithCli(env, 'S', 'admin:read');
      const token = await requestToken({ url: `http://127.0.0.1:${port}` }, client, 'admin:read');
      // An upstream call of 20 s: only the second signal can end Keygate before it.
      const call = fetch(`http://127.0.0.1:${gatewayPort}/orders/slow?ms=20000`, {
        headers: { authorization: `Bearer ${token.body?.access_token}` },
      }).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 300));
      keygate.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(keygate.exitCode).toBeNull(); // the first signal waits for the call
      keygate.kill('SIGTERM');
      const [code] = await once(keygate, 'exit');
      expect(code).toBe(1);
      expect(output()).toContain('SIGTERM again: stopping without waiting for calls in flight');
      expect(await call).toBeInstanceOf(Error); // the call was cut, not answered
    } finally {
      if (keygate.exitCode === null) keygate.kill('SIGKILL');
    }
  }, 15_000);
});
