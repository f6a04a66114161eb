// `npm run generate:config-docs`: writes docs/configuration.md's settings tables from the schema,
// one section per group in SETTING_GROUPS' order, between its markers, so the tables cannot say other
// than the code; the prose around them stays.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SETTING_GROUPS } from '../src/config/schema.js';
import { defaultOf, SETTINGS, type Setting } from '../src/config/settings.js';

export const CONFIG_DOCS = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
export const GENERATE_COMMAND = 'npm run generate:config-docs';

const BEGIN = `<!-- settings tables: written by ${GENERATE_COMMAND} from src/config/schema.ts; edit the schema, not these tables -->`;
const END = '<!-- end of the settings tables -->';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function shownDefault(setting: Setting): string {
  const value = defaultOf(setting);
  if (value === undefined) return setting.whenUnset ?? 'unset';
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) {
    return `\`${value.join(',')}\``;
  }
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function variableOf(setting: Setting): string {
  const former = setting.formerVariables.map((name) => `\`${name}\``).join(', ');
  const formerly = former ? `; formerly ${former}, still read, with a deprecation warning` : '';
  return `\`${setting.variable}\`${setting.kind === 'json' ? ' (JSON)' : ''}${formerly}`;
}

/** A table of `settings`, one row each, in the schema's order. */
function table(settings: readonly Setting[]): string {
  const rows = settings.map((setting) => {
    if (!setting.description) throw new Error(`${setting.key} has no description in src/config/schema.ts`);
    const cells = [`\`${setting.key}\``, variableOf(setting), shownDefault(setting), setting.description];
    return `| ${cells.map(cell).join(' | ')} |`;
  });
  return ['| key | variable | default | what |', '|---|---|---|---|', ...rows].join('\n');
}

/** A section (`### <group>`) with its table per group, in SETTING_GROUPS' order. */
export function settingsTables(): string {
  const ungrouped = SETTINGS.filter((setting) => setting.group === undefined).map((setting) => setting.key);
  if (ungrouped.length > 0) {
    throw new Error(`no group in src/config/schema.ts (.meta({ group })) for: ${ungrouped.join(', ')}`);
  }
  return SETTING_GROUPS.map((group) => {
    const settings = SETTINGS.filter((setting) => setting.group === group);
    if (settings.length === 0)
      throw new Error(`the group ${group} has no settings: remove it from SETTING_GROUPS`);
    return `### ${group}\n\n${table(settings)}`;
  }).join('\n\n');
}

/** `markdown` (docs/configuration.md's text) with the tables between its markers made anew. */
export function withSettingsTables(markdown: string): string {
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (begin < 0 || end < begin) {
    throw new Error(`docs/configuration.md lacks the settings tables' markers:\n${BEGIN}\n${END}`);
  }
  return `${markdown.slice(0, begin + BEGIN.length)}\n\n${settingsTables()}\n\n${markdown.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const before = readFileSync(CONFIG_DOCS, 'utf8');
  const after = withSettingsTables(before);
  writeFileSync(CONFIG_DOCS, after);
  process.stdout.write(`docs/configuration.md: ${after === before ? 'already current' : 'tables written'}\n`);
}
