import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/settings.js';

/** How a number setting's key names what it counts: a unit of time or size, a port, or a rate. */
const UNIT = /(Ms|Seconds|Bytes|PerMinute|^port|Port)$/;

/** Number settings that count things (attempts, tokens), so have no unit to name. */
const COUNTS = new Set([
  'authFailureLimit.perClient',
  'authFailureLimit.perAddress',
  'maxRevokedTokensPerCredential',
  'loginLimits.failuresBeforeLock',
]);

describe('the number settings', () => {
  it('name their unit in the key, and so in the variable, unless they are counts', () => {
    const numbers = SETTINGS.filter((setting) => setting.kind === 'integer' || setting.kind === 'number');
    const unnamed = numbers.filter((setting) => !UNIT.test(setting.key) && !COUNTS.has(setting.key));
    expect(
      unnamed.map((setting) => setting.key),
      'a duration or size names its unit (…Ms, …Seconds, …Bytes); a count goes in COUNTS',
    ).toEqual([]);
    for (const key of COUNTS) {
      expect(
        numbers.map((setting) => setting.key),
        `${key} is still a number setting`,
      ).toContain(key);
    }
  });
});
