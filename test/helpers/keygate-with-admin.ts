import { afterAll, beforeAll } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { StartOptions } from '../../src/server/keygate.js';
import { type AdminClient, logIn } from './admin.js';
import { startTestKeygate, type TestKeygate } from './keygate.js';

/** A running Keygate and its bootstrap admin, logged in over HTTP as the portal does. */
export interface KeygateWithAdmin {
  readonly keygate: TestKeygate;
  readonly admin: AdminClient;
}

/**
 * Starts a Keygate and logs its admin in before the tests of the enclosing `describe` (or file),
 * and stops it after them. `config` may be a function, called then: for what an earlier hook
 * started, such as an upstream's URL. `options.clock`: the clock it runs on, for a test to move.
 */
export function keygateWithAdmin(
  config: ConfigInput | (() => ConfigInput) = {},
  options: Pick<StartOptions, 'clock'> = {},
): KeygateWithAdmin {
  let started: KeygateWithAdmin | undefined;
  beforeAll(async () => {
    const keygate = await startTestKeygate(
      typeof config === 'function' ? config() : config,
      undefined,
      options,
    );
    try {
      started = { keygate, admin: await logIn(keygate) };
    } catch (error) {
      await keygate.stop();
      throw error;
    }
  });
  afterAll(() => started?.keygate.stop());
  const get = (): KeygateWithAdmin => {
    if (!started) throw new Error('keygateWithAdmin: read in a test or a later hook, once it has started');
    return started;
  };
  return {
    get keygate() {
      return get().keygate;
    },
    get admin() {
      return get().admin;
    },
  };
}
