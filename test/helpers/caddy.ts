import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testkit/free-port.js';
import { startProcess } from '../../testkit/process.js';

export const CADDY = '/usr/bin/caddy';
/** Why a test that needs Caddy cannot run here, or undefined when it can. */
export const caddyMissing = existsSync(CADDY)
  ? undefined
  : 'Caddy is not installed (Debian package caddy; .ci/run installs it)';

export interface RunningCaddy {
  url: string;
  port: number;
  /** The root certificate of Caddy's own CA, which signs the sites it serves with `tls internal`. */
  rootCertificate: string;
  stop(): Promise<void>;
}

/**
 * Runs Debian's Caddy in the foreground with the Caddyfile `caddyfile(port)`, on `port` or one found
 * free, with its data and configuration folders in a temporary folder of its own.
 */
export async function startCaddy(
  caddyfile: (port: number) => string,
  { port = 0, https = false }: { port?: number; https?: boolean } = {},
): Promise<RunningCaddy> {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-caddy-'));
  port ||= await freePort();
  writeFileSync(join(dir, 'Caddyfile'), caddyfile(port));
  const rootCertificate = join(dir, 'caddy/pki/authorities/local/root.crt');
  const caddy = await startProcess(
    CADDY,
    ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
    {
      env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      // Plain HTTP even to a TLS site: Caddy answers it (400), which is enough to know it listens.
      ready: {
        check: async () => {
          await fetch(`http://127.0.0.1:${port}`);
          return !https || existsSync(rootCertificate);
        },
      },
      timeoutMs: 10_000,
    },
  );
  return {
    url: `${https ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    rootCertificate,
    async stop() {
      await caddy.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
