import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTINGS, variableFor } from '../../src/config/settings.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** KEYGATE_ names that are no setting's, and what reads them. */
const OTHER_NAMES = new Set([
  'KEYGATE_CONFIG', // the configuration file (src/config/load.ts)
  'KEYGATE_CLIENT_ID', // keygate token and call's credentials (src/cli/commands/caller.ts)
  'KEYGATE_CLIENT_SECRET',
  'KEYGATE_CLUSTER_WORKER', // set by keygate start --workers for its workers
  'KEYGATE_TEST_DATABASE_URL', // the tests' and benches' own
  'KEYGATE_TEST_REDIS_URL',
  'KEYGATE_BENCH_DATABASE_URL',
  'KEYGATE_SOAK_SECONDS',
  'KEYGATE_SCREENSHOTS',
  'KEYGATE_BIN', // a constant of test/helpers, not a variable
]);

/** Where a former variable name may still appear: where it is read, documented and tested. */
const FORMER_NAMES_ALLOWED = [
  'src/config/settings.ts',
  'docs/configuration.md',
  'test/config/config.test.ts',
];

function filesUnder(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((name) => join(path, name))
    .filter((file) => !file.includes('node_modules') && statSync(file).isFile());
}

const scanned = ['README.md', 'docs', 'examples', 'src', 'test', 'bench', 'scripts', '.ci', 'portal/src']
  .flatMap((path) => filesUnder(join(root, path)))
  .filter((file) => /\.(md|ts|tsx|mjs|js|json|sh|conf|yml|yaml)$|\/run$/.test(file));

function namesIn(file: string): string[] {
  return [...new Set(readFileSync(file, 'utf8').match(/\bKEYGATE_[A-Z0-9_]*[A-Z0-9]\b/g) ?? [])];
}

describe('the KEYGATE_ variables', () => {
  it('give every setting one, named after its key', () => {
    const variables = SETTINGS.map((setting) => setting.variable);
    expect(new Set(variables).size, 'no two settings share a variable').toBe(variables.length);
    for (const setting of SETTINGS) {
      expect(setting.variable).toBe(variableFor(setting.path));
      expect(OTHER_NAMES.has(setting.variable), `${setting.variable} means something else`).toBe(false);
    }
    expect(variableFor(['tokenLifetimeSeconds'])).toBe('KEYGATE_TOKEN_LIFETIME_SECONDS');
    expect(variableFor(['sampleExportS3Endpoint'])).toBe('KEYGATE_SAMPLE_EXPORT_S3_ENDPOINT');
    expect(variableFor(['loginLimits', 'perAddressPerMinute'])).toBe(
      'KEYGATE_LOGIN_LIMITS_PER_ADDRESS_PER_MINUTE',
    );
  });

  it('are the only ones the docs, examples, code and tests use, former names only where documented', () => {
    const current = new Set(SETTINGS.map((setting) => setting.variable));
    const former = new Set(SETTINGS.flatMap((setting) => setting.formerVariables));
    expect(scanned.length).toBeGreaterThan(100);
    const unknown: string[] = [];
    const formerUsed: string[] = [];
    for (const file of scanned) {
      const path = relative(root, file);
      for (const name of namesIn(file)) {
        if (former.has(name)) {
          if (!FORMER_NAMES_ALLOWED.includes(path)) formerUsed.push(`${path}: ${name}`);
        } else if (!current.has(name) && !OTHER_NAMES.has(name)) unknown.push(`${path}: ${name}`);
      }
    }
    expect(formerUsed, 'former names, whose variables are renamed (src/config/settings.ts)').toEqual([]);
    expect(unknown, 'names Keygate does not read').toEqual([]);
  });
});
