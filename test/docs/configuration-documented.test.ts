import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS, GENERATE_COMMAND, withSettingsTables } from '../../scripts/config-docs.js';
import { SETTING_GROUPS } from '../../src/config/schema.js';
import { SETTINGS } from '../../src/config/settings.js';

describe('docs/configuration.md', () => {
  it('describes every setting as the schema does', () => {
    for (const setting of SETTINGS) {
      expect(setting.description, `${setting.key} has a description in src/config/schema.ts`).toBeTruthy();
    }
    const docs = readFileSync(CONFIG_DOCS, 'utf8');
    expect(
      docs,
      `docs/configuration.md's settings tables differ from src/config/schema.ts: run ${GENERATE_COMMAND}`,
    ).toBe(withSettingsTables(docs));
  });

  it('shows every setting in the section of its group, each group once, in their order', () => {
    const ungrouped = SETTINGS.filter((setting) => setting.group === undefined).map((setting) => setting.key);
    expect(ungrouped, 'settings with no .meta({ group }) in src/config/schema.ts').toEqual([]);
    const docs = readFileSync(CONFIG_DOCS, 'utf8');
    const sections = [...docs.matchAll(/^### (.+)$/gm)].map((match) => match[1]);
    expect(sections).toEqual([...SETTING_GROUPS]);
    for (const setting of SETTINGS) {
      const section = docs.slice(docs.indexOf(`### ${setting.group}\n`)).split(/^### /m)[1];
      expect(section, `${setting.key} in ### ${setting.group}`).toContain(`| \`${setting.key}\` |`);
    }
  });
});
