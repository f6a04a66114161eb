import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS, GENERATE_COMMAND, withSettingsTable } from '../../scripts/config-docs.js';
import { SETTINGS } from '../../src/config/settings.js';

describe('docs/configuration.md', () => {
  it('describes every setting as the schema does', () => {
    for (const setting of SETTINGS) {
      expect(setting.description, `${setting.key} has a description in src/config/schema.ts`).toBeTruthy();
    }
    const docs = readFileSync(CONFIG_DOCS, 'utf8');
    expect(
      docs,
      `docs/configuration.md's settings table differs from src/config/schema.ts: run ${GENERATE_COMMAND}`,
    ).toBe(withSettingsTable(docs));
  });
});
