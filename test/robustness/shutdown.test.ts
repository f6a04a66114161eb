import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { startTestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

describe('shutdown', () => {
  it(
    'finishes a call in flight and then closes, although its client keeps the connection alive',
    async () => {
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
    },
    10_000,
  );
});
