import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess } from '../../testkit/process.js';

/**
 * nginx (Debian package) as one process pinned to CPU 0 (no master, one worker), so its CPU use
 * is that process's; `httpBody` goes inside `http {}`, and `dir` holds its files.
 */
export async function startNginxProcess(
  dir: string,
  httpBody: string,
  readyUrl: string,
): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${httpBody}
}
`,
  );
  const nginx = await startProcess('nginx', ['-c', conf, '-p', dir], {
    cpu: 0,
    echoStderr: true,
    ready: { url: readyUrl },
  });
  return nginx.child;
}
