// A tiny API behind Keygate's gateway: it answers every call with the identity the gateway
// forwards in X-Keygate-* headers, which no caller can set. Any HTTP server will do.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 9100);
createServer((request, response) => {
  const caller = {
    account: request.headers['x-keygate-account-id'],
    client: request.headers['x-keygate-client-id'],
    scopes: request.headers['x-keygate-scopes'],
  };
  console.log(`${request.method} ${request.url} from client ${caller.client} (${caller.scopes})`);
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ orders: [{ id: 'o-1', total: 42 }], caller }));
}).listen(port, '127.0.0.1', () => console.log(`orders API on http://127.0.0.1:${port}`));
