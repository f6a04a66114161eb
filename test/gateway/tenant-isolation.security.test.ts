import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

/** docs/reliability.md's bound for another tenant's calls while one tenant does this. */
const OTHER_TENANT_BOUND_MS = 2000;

async function tenant(keygate: TestKeygate, name: string, scopes: string[], scope: string) {
  const account = await keygate.store.accounts.create({ name, region: keygate.config.region });
  const { credential, clientSecret } = await keygate.credentials.create({
    accountId: account.id,
    name: `${name} integration`,
    scopes,
  });
  return issueToken(keygate, { clientId: credential.clientId, clientSecret }, scope);
}

/** Opens a POST announcing `length` bytes of body and sends one byte of it now and then. */
function slowUpload(origin: string, path: string, token: string, length: number): Socket {
  const { hostname, port } = new URL(origin);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: gateway.test\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n{`,
  );
  const drip = setInterval(() => {
    if (socket.destroyed) clearInterval(drip);
    else socket.write(' ');
  }, 500);
  socket.on('close', () => clearInterval(drip));
  return socket;
}

describe('gateway: one tenant cannot starve another', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    keygate = await startTestKeygate({
      // Far above what the test sends: only the body handling is under test here.
      rateLimitPlans: {
        standard: { perAccount: { limit: 1_000_000, windowSeconds: 60 }, concurrentCalls: 1000 },
      },
      upstreamTimeoutMs: 3000,
      requestTimeoutMs: 6000,
    });
  });
  afterAll(() => keygate.stop());

  it('slow uploads: 140 trickled bodies of tenant A hold no upstream connection; B’s calls stay fast', async () => {
    const a = await tenant(keygate, 'Tenant A', ['globalpci'], 'globalpci');
    const b = await tenant(keygate, 'Tenant B', ['globalpci'], 'globalpci');
    const uploads = Array.from({ length: 140 }, () =>
      slowUpload(keygate.gatewayUrl!, '/globalpci/v1/session', a, 100_000),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 500)); // every upload has begun
      const slowest: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const res = await fetch(`${keygate.gatewayUrl}/globalpci/v1/session`, {
          method: 'POST',
          headers: { authorization: `Bearer ${b}`, 'content-type': 'application/json' },
          body: JSON.stringify({ agentId: 'agent-1', paymentData: { amount: '1.00' } }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        slowest.push(performance.now() - started);
      }
      expect(Math.max(...slowest)).toBeLessThan(OTHER_TENANT_BOUND_MS);
      // The trickled bodies are cut once requestTimeoutMs has passed.
      await Promise.all(
        uploads.map((socket) =>
          socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)),
        ),
      );
    } finally {
      for (const socket of uploads) socket.destroy();
    }
  }, 20_000);
});

describe('gateway: calls in progress per account', () => {
  let keygate: TestKeygate;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    keygate = await startTestKeygate({
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
      rateLimitPlans: {
        standard: { perAccount: { limit: 1_000_000, windowSeconds: 60 }, concurrentCalls: 2 },
      },
    });
  });
  afterAll(async () => {
    await keygate.stop();
    await upstream.close();
  });

  it('refuses a third call of one account with 429 and Retry-After while two are in progress; another account is served', async () => {
    const a = await tenant(keygate, 'Busy', ['admin:read'], 'admin:read');
    const b = await tenant(keygate, 'Quiet', ['admin:read'], 'admin:read');
    const slow = (token: string) =>
      fetch(`${keygate.gatewayUrl}/orders/slow?ms=1500`, { headers: { authorization: `Bearer ${token}` } });
    const first = [slow(a), slow(a)];
    await new Promise((resolve) => setTimeout(resolve, 300)); // both are at the upstream
    const third = await slow(a);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toMatchObject({ error: 'too_many_requests' });
    const other = await slow(b);
    expect(other.status).toBe(200);
    for (const res of await Promise.all(first)) expect(res.status).toBe(200);
    // Once they have ended, the account's calls are admitted again.
    expect((await slow(a)).status).toBe(200);
  });
});
