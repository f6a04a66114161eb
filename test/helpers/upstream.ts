import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real upstream API on a free port that records what reached it; `/orders/slow` answers after 2 s (or `?ms=`). */
export async function startEchoUpstream(): Promise<{
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const send = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echoed: req.url, body }));
      };
      if (req.url?.startsWith('/orders/slow')) {
        const wait = new URL(req.url, 'http://upstream').searchParams.get('ms');
        setTimeout(send, wait === null ? 2000 : Number(wait));
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes an OpenAPI document for a user's own "orders" API to a temp file and returns its path. */
export function writeOrdersDocument(overrides: { withoutSecurity?: boolean } = {}): string {
  const security = overrides.withoutSecurity ? {} : { security: [{ oauth: ['admin:write'] }] };
  const document = {
    openapi: '3.1.0',
    info: { title: 'Orders', version: '1' },
    'x-keygate-api': 'orders',
    paths: {
      '/orders': {
        get: {
          security: [{ oauth: ['admin:read', 'admin:write'] }],
          responses: { 200: { description: 'ok' } },
        },
        post: { ...security, responses: { 200: { description: 'ok' } } },
      },
      '/orders/slow': {
        get: { security: [{ oauth: ['admin:read'] }], responses: { 200: { description: 'ok' } } },
      },
    },
  };
  const path = join(mkdtempSync(join(tmpdir(), 'keygate-doc-')), 'orders.json');
  writeFileSync(path, JSON.stringify(document));
  return path;
}
