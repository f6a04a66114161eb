import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config/load.js';
import { freePort } from '../../testkit/free-port.js';
import { startTestKeygate } from '../helpers/keygate.js';

/** Which listener, and which setting to change, when a port cannot be had. */
describe('listener ports', () => {
  it('refuses two listeners of one process on one port, naming both settings', () => {
    let problems: string[] = [];
    try {
      loadConfig({ env: { KEYGATE_FORWARD_AUTH_PORT: '8082' }, cwd: '/nonexistent' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'samplesPort (KEYGATE_SAMPLES_PORT): is 8082, as forwardAuthPort is: give each listener a port of its own',
    ]);
    // A gateway-only process opens no token service port: 8080 is free for its gateway.
    expect(
      loadConfig({
        env: {
          KEYGATE_ROLES: 'gateway',
          KEYGATE_GATEWAY_PORT: '8080',
          KEYGATE_PUBLIC_URL: 'http://auth.test',
        },
        cwd: '/nonexistent',
      }).gatewayPort,
    ).toBe(8080);
  });

  it('names the listener and its setting when another program holds its address', async () => {
    const port = await freePort();
    const squatter = createServer().listen(port, '127.0.0.1');
    try {
      await expect(startTestKeygate({ gatewayPort: port })).rejects.toThrow(
        `127.0.0.1:${port}, the gatewayPort (KEYGATE_GATEWAY_PORT) listener's address, is in use by another program: stop it, or set gatewayPort (KEYGATE_GATEWAY_PORT) to a free port`,
      );
    } finally {
      squatter.close();
    }
  });
});
