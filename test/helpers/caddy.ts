import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testkit/free-port.js';
import { startPeer } from './peer-process.js';

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
  const peer = startPeer(
    'Caddy',
    CADDY,
    ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
    dir,
    { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
  );
  const rootCertificate = join(dir, 'caddy/pki/authorities/local/root.crt');
  // Plain HTTP even to a TLS site: Caddy answers it (400), which is enough to know it listens.
  await peer.waitUntil(async () => {
    await fetch(`http://127.0.0.1:${port}`);
    return !https || existsSync(rootCertificate);
  });
  return { url: `${https ? 'https' : 'http'}://127.0.0.1:${port}`, port, rootCertificate, stop: peer.stop };
}
