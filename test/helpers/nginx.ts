import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testkit/free-port.js';
import { startProcess } from '../../testkit/process.js';

export const NGINX = '/usr/sbin/nginx';
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
 * Runs Debian's nginx in the foreground with `httpBlock` as the body of its `http {}` block; the
 * text `$PORT` in it is replaced by the port nginx listens on (127.0.0.1, found free).
 */
export async function startNginx(httpBlock: (port: number) => string): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-nginx-'));
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `${kind}_temp_path ${join(dir, kind)};`)
    .join('\n  ');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  ${temp}
  ${httpBlock(port)}
}
`,
  );
  const url = `http://127.0.0.1:${port}`;
  const nginx = await startProcess(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    ready: { check: async () => Boolean(await fetch(url)) },
    timeoutMs: 10_000,
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
