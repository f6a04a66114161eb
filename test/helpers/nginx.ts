import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testkit/free-port.js';
import { NGINX, startNginx as startNginxIn } from '../../testkit/nginx.js';

/** Why a test that needs nginx cannot run here, or undefined when it can. */
export const nginxMissing = existsSync(NGINX)
  ? undefined
  : 'nginx is not installed (Debian package nginx-light; .ci/run installs it)';

export interface RunningNginx {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * nginx in a folder of its own, with `httpBlock(port)` as the body of its `http {}` block, where
 * `port` is one found free on 127.0.0.1 for it to listen on; ready once it answers there at all.
 */
export async function startNginx(httpBlock: (port: number) => string): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-nginx-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nginx = await startNginxIn(dir, httpBlock(port), {
    ready: { check: async () => Boolean(await fetch(url)) },
  });
  return {
    url,
    port,
    async stop() {
      await nginx.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
