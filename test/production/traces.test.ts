import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { postForm, requestToken, startTestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { createCredentialWithCli, runKeygate, startKeygateProcess } from '../helpers/keygate-process.js';

/** An OTLP/JSON attribute: `{ key, value: { stringValue | intValue | boolValue … } }`. */
interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

const SERVER = 2;
const CLIENT = 3;

/** A receiver speaking OTLP/HTTP on loopback, as a collector does at :4318: every export it was sent. */
async function otlpReceiver(): Promise<{
  url: string;
  server: Server;
  bodies: Array<{ type: string; body: Buffer }>;
}> {
  const bodies: Array<{ type: string; body: Buffer }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        bodies.push({ type: String(request.headers['content-type']), body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': request.headers['content-type'] });
        response.end(request.headers['content-type']?.includes('json') ? '{}' : '');
      } else {
        response.writeHead(404).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server, bodies };
}

/** An API behind the gateway that keeps the headers of each call it gets. */
async function recordingUpstream(): Promise<{ url: string; server: Server; calls: IncomingHttpHeaders[] }> {
  const calls: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    calls.push(request.headers);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"Ready":1}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server, calls };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;

function attributesOf(span: { attributes: OtlpAttribute[] }): Record<string, unknown> {
  return Object.fromEntries(span.attributes.map(({ key, value }) => [key, Object.values(value)[0]]));
}

async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('traces: OTLP/HTTP spans of a token request, a gateway call and forward-auth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-traces-'));
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
  let child: ChildProcess;
  let env: NodeJS.ProcessEnv;
  let tokenUrl: string;
  let gatewayUrl: string;
  let forwardAuthUrl: string;

  const spans = (): OtlpSpan[] =>
    receiver.bodies
      .filter(({ type }) => type.includes('json'))
      .flatMap(({ body }) => (JSON.parse(body.toString('utf8')) as OtlpExport).resourceSpans)
      .flatMap((resourceSpans) => resourceSpans.scopeSpans.flatMap((scope) => scope.spans));
  const spanNamed = (name: string, traceId: string) =>
    eventually(() => spans().find((s) => s.name === name && s.traceId === traceId), `span ${name}`);
  const childrenOf = (span: OtlpSpan) => spans().filter((s) => s.parentSpanId === span.spanId);

  beforeAll(async () => {
    receiver = await otlpReceiver();
    upstream = await recordingUpstream();
    const [port, gatewayPort, forwardAuthPort] = [await freePort(), await freePort(), await freePort()];
    tokenUrl = `http://127.0.0.1:${port}${TOKEN_PATH}`;
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    forwardAuthUrl = `http://127.0.0.1:${forwardAuthPort}`;
    env = {
      PATH: process.env.PATH,
      KEYGATE_DATA_DIR: dir,
      KEYGATE_PORT: String(port),
      KEYGATE_GATEWAY_PORT: String(gatewayPort),
      KEYGATE_FORWARD_AUTH_PORT: String(forwardAuthPort),
      KEYGATE_SAMPLES_PORT: '0',
      KEYGATE_UPSTREAMS: JSON.stringify({ 'agents-availability': upstream.url }),
      KEYGATE_BOOTSTRAP_ADMIN_PASSWORD: 'test-admin-password',
      KEYGATE_LOG_LEVEL: 'info',
    };
    const started = await startKeygateProcess(
      [],
      {
        ...env,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'keygate-emea',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
      `http://127.0.0.1:${port}/readyz`,
    );
    child = started.child;
    expect(started.output()).toContain('tracing on');
  });
  afterAll(async () => {
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await once(child, 'exit');
    receiver?.server.close();
    upstream?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('continues the caller’s trace through the token request, the gateway and the upstream, and never records a secret', async () => {
    const client = createCredentialWithCli(env, 'Traced', 'agents-availability:read');
    const tokenTrace = { traceId: hex(16), spanId: hex(8) };
    const issued = await postForm(
      tokenUrl,
      {
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
        scope: 'agents-availability:read',
      },
      { traceparent: traceparent(tokenTrace.traceId, tokenTrace.spanId) },
    );
    expect(issued.status).toBe(200);
    const token = String(issued.body?.access_token);

    const callTrace = { traceId: hex(16), spanId: hex(8) };
    const call = async () =>
      fetch(`${gatewayUrl}/agents-availability?skillNames=query-text`, {
        headers: {
          authorization: `Bearer ${token}`,
          traceparent: traceparent(callTrace.traceId, callTrace.spanId),
          tracestate: 'caller=1',
        },
      });
    expect((await call()).status).toBe(200);

    // The token request: a SERVER span under the caller's, with its steps as children.
    const tokenSpan = await spanNamed(`POST ${TOKEN_PATH}`, tokenTrace.traceId);
    expect(tokenSpan.kind).toBe(SERVER);
    expect(tokenSpan.parentSpanId).toBe(tokenTrace.spanId);
    expect(attributesOf(tokenSpan)).toMatchObject({
      'http.request.method': 'POST',
      'url.path': TOKEN_PATH,
      'http.route': TOKEN_PATH,
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'keygate.client_id': client.clientId,
      'keygate.scope': 'agents-availability:read',
      'keygate.decision': 'issued',
    });
    expect(attributesOf(tokenSpan)['keygate.account_id']).toEqual(expect.any(String));
    await eventually(() => (childrenOf(tokenSpan).length === 3 ? true : undefined), 'the token steps');
    expect(childrenOf(tokenSpan).map((s) => s.name)).toEqual(
      expect.arrayContaining(['keygate.client_authentication', 'keygate.scope_check', 'keygate.sign']),
    );

    // The gateway call: its decision under the caller's span, the upstream call under it.
    const decision = await spanNamed('GET /agents-availability', callTrace.traceId);
    expect(decision.kind).toBe(SERVER);
    expect(decision.parentSpanId).toBe(callTrace.spanId);
    expect(attributesOf(decision)).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/agents-availability',
      'http.route': '/agents-availability',
      'http.response.status_code': 200,
      'keygate.client_id': client.clientId,
      'keygate.scope': 'agents-availability:read',
      'keygate.decision': 'admitted',
    });
    const upstreamSpan = await eventually(
      () => childrenOf(decision).find((s) => s.kind === CLIENT),
      'the upstream span',
    );
    expect(attributesOf(upstreamSpan)).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.full': `${upstream.url}/agents-availability`,
      'server.address': '127.0.0.1',
    });
    const verification = childrenOf(decision).find((s) => s.name === 'keygate.verify_token');
    expect(attributesOf(verification!)['keygate.token.cache']).toBe('miss');
    expect(childrenOf(decision).map((s) => s.name)).toContain('keygate.fair_usage');

    // The upstream got the gateway's own span as its parent, in the caller's trace.
    expect(upstream.calls[0]!.traceparent).toBe(traceparent(callTrace.traceId, upstreamSpan.spanId));
    expect(upstream.calls[0]!.tracestate).toBe('caller=1');

    // The same token again is verified from the cache.
    expect((await call()).status).toBe(200);
    await eventually(
      () =>
        spans().find(
          (s) =>
            s.name === 'keygate.verify_token' &&
            s.traceId === callTrace.traceId &&
            attributesOf(s)['keygate.token.cache'] === 'hit',
        ),
      'a cache hit',
    );

    // Forward-auth (asked with the call's own request line, as Envoy asks): the proxy's question
    // continues the caller's trace too.
    const judged = await fetch(`${forwardAuthUrl}/agents-availability?skillNames=query-text`, {
      headers: {
        authorization: `Bearer ${token}`,
        traceparent: traceparent(callTrace.traceId, callTrace.spanId),
      },
    });
    expect(judged.status).toBe(200);
    const forwardAuth = await spanNamed('forward-auth GET /agents-availability', callTrace.traceId);
    expect(forwardAuth.parentSpanId).toBe(callTrace.spanId);
    expect(attributesOf(forwardAuth)).toMatchObject({
      'keygate.decision': 'admitted',
      'keygate.scope': 'agents-availability:read',
      'keygate.client_id': client.clientId,
    });

    // A refusal is a decision too, with its code.
    const refused = await fetch(`${gatewayUrl}/agents-availability`, {
      headers: { authorization: 'Bearer not-a-token', traceparent: traceparent(callTrace.traceId, hex(8)) },
    });
    expect(refused.status).toBe(401);
    await eventually(
      () =>
        spans().find(
          (s) =>
            s.name === 'GET /agents-availability' &&
            attributesOf(s)['keygate.decision'] === 'refused' &&
            attributesOf(s)['keygate.refusal'] === 'invalid_token' &&
            attributesOf(s)['http.response.status_code'] === 401,
        ),
      'the refusal',
    );

    // The resource names the service as OTEL_SERVICE_NAME says.
    const resource = (JSON.parse(receiver.bodies[0]!.body.toString('utf8')) as OtlpExport).resourceSpans[0]!
      .resource;
    expect(attributesOf(resource)['service.name']).toBe('keygate-emea');

    // Nothing exported holds the token, the secret or the query string.
    const exported = receiver.bodies.map(({ body }) => body.toString('utf8')).join('\n');
    expect(exported).not.toContain(token);
    expect(exported).not.toContain(token.split('.')[2]);
    expect(exported).not.toContain(client.clientSecret);
    expect(exported).not.toContain('query-text');
  });

  it('records no client assertion of a private_key_jwt client', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const keyFile = join(dir, 'client.jwk.json');
    writeFileSync(keyFile, JSON.stringify(await exportJWK(publicKey)));
    const created = await runKeygate(
      ['credentials', 'create', '--name', 'Signed', '--scope', 'stats', '--public-key', keyFile, '--json'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const clientId = (JSON.parse(created.stdout) as { client_id: string }).client_id;
    const assertion = await new SignJWT({ jti: randomUUID(), iss: clientId, sub: clientId, aud: tokenUrl })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(privateKey);
    const assertedTrace = { traceId: hex(16), spanId: hex(8) };
    const issued = await postForm(
      tokenUrl,
      {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: 'stats',
      },
      { traceparent: traceparent(assertedTrace.traceId, assertedTrace.spanId) },
    );
    expect(issued.status).toBe(200);
    const span = await spanNamed(`POST ${TOKEN_PATH}`, assertedTrace.traceId);
    expect(attributesOf(span)['keygate.client_id']).toBe(clientId);
    const exported = receiver.bodies.map(({ body }) => body.toString('utf8')).join('\n');
    expect(exported).not.toContain(assertion);
    expect(exported).not.toContain(assertion.split('.')[2]);
    expect(exported).not.toContain(String(issued.body?.access_token).split('.')[2]);
  });
});

describe('traces off (no OTLP endpoint)', () => {
  it('forwards the caller’s traceparent and tracestate to the upstream untouched', async () => {
    const upstream = await recordingUpstream();
    const keygate = await startTestKeygate({ upstreams: { 'agents-availability': upstream.url } });
    try {
      const client = await keygate.createCredential(['agents-availability:read']);
      const token = String(
        (await requestToken(keygate, client, 'agents-availability:read')).body?.access_token,
      );
      const sent = traceparent(hex(16), hex(8));
      const answer = await fetch(`${keygate.gatewayUrl}/agents-availability`, {
        headers: { authorization: `Bearer ${token}`, traceparent: sent, tracestate: 'caller=1' },
      });
      expect(answer.status).toBe(200);
      expect(upstream.calls[0]!.traceparent).toBe(sent);
      expect(upstream.calls[0]!.tracestate).toBe('caller=1');
    } finally {
      await keygate.stop();
      upstream.server.close();
    }
  });
});
