// `npm run generate:config-docs`: writes docs/configuration.md's settings table from the schema,
// between its markers, so the table cannot say other than the code; the prose around it stays.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultOf, SETTINGS, type Setting } from '../src/config/settings.js';

export const CONFIG_DOCS = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
export const GENERATE_COMMAND = 'npm run generate:config-docs';

const BEGIN = `<!-- settings table: written by ${GENERATE_COMMAND} from src/config/schema.ts; edit the schema, not this table -->`;
const END = '<!-- end of the settings table -->';

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

/** The table, one row per setting. */
export function settingsTable(): string {
  const rows = SETTINGS.map((setting) => {
    if (!setting.description) throw new Error(`${setting.key} has no description in src/config/schema.ts`);
    const cells = [`\`${setting.key}\``, variableOf(setting), shownDefault(setting), setting.description];
    return `| ${cells.map(cell).join(' | ')} |`;
  });
  return ['| key | variable | default | what |', '|---|---|---|---|', ...rows].join('\n');
}

/** `markdown` (docs/configuration.md's text) with the table between its markers made anew. */
export function withSettingsTable(markdown: string): string {
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (begin < 0 || end < begin) {
    throw new Error(`docs/configuration.md lacks the settings table's markers:\n${BEGIN}\n${END}`);
  }
  return `${markdown.slice(0, begin + BEGIN.length)}\n\n${settingsTable()}\n\n${markdown.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const before = readFileSync(CONFIG_DOCS, 'utf8');
  const after = withSettingsTable(before);
  writeFileSync(CONFIG_DOCS, after);
  process.stdout.write(`docs/configuration.md: ${after === before ? 'already current' : 'table written'}\n`);
}
