import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StartedProcess, type StartOptions, startProcess } from './process.js';

/** Debian's nginx (package nginx-light), where .ci/run installs it. */
export const NGINX = '/usr/sbin/nginx';

/**
 * Writes `dir`/nginx.conf for nginx as one foreground process (no master, one worker: its CPU use is
 * that process's), with every file it writes in `dir` and `httpBody` inside `http {}`.
 */
export function writeNginxConfig(dir: string, httpBody: string): string {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `${kind}_temp_path ${join(dir, kind)};`)
    .join('\n  ');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${temp}
  ${httpBody}
}
`,
  );
  return conf;
}

/** Runs nginx on writeNginxConfig's configuration until it is `ready`; on `cpu` alone if given. */
export function startNginx(
  dir: string,
  httpBody: string,
  options: { ready: StartOptions['ready']; cpu?: number },
): Promise<StartedProcess> {
  const conf = writeNginxConfig(dir, httpBody);
  return startProcess(NGINX, ['-p', dir, '-c', conf], {
    ready: options.ready,
    timeoutMs: 10_000,
    ...(options.cpu !== undefined ? { cpu: options.cpu, echoStderr: true } : {}),
  });
}
