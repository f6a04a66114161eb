import { createServer, request as httpRequest } from 'node:http';

/**
 * A real HTTP server in front of a target that answers the first `failures` requests itself
 * (e.g. 503, or 429 with Retry-After) and forwards the rest: how a client meets a struggling server.
 */
export async function startFlakyFront(
  target: string,
  failures: Array<{ status: number; headers?: Record<string, string> }>,
): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let count = 0;
  const server = createServer((req, res) => {
    const failure = failures[count++];
    if (failure) {
      req.resume();
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      res.end(
        JSON.stringify({ error: failure.status === 429 ? 'too_many_requests' : 'temporarily_unavailable' }),
      );
      return;
    }
    const upstream = httpRequest(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
