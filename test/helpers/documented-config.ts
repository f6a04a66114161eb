import { readFileSync } from 'node:fs';
import { readEnvironment } from '../../src/config/environment.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { SETTINGS } from '../../src/config/settings.js';

/** The first `language` block of a guide in docs/, as the tests and benches run it. */
export function documentedBlock(guide: string, language: string): string {
  const text = readFileSync(new URL(`../../docs/${guide}`, import.meta.url), 'utf8');
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1];
  if (!block) throw new Error(`docs/${guide} has no ${language} block`);
  return block;
}

/** `block` with each placeholder replaced, failing when the guide no longer uses one. */
export function withPlaceholders(block: string, replacements: Record<string, string>): string {
  let result = block;
  for (const [placeholder, value] of Object.entries(replacements)) {
    if (!block.includes(placeholder)) throw new Error(`the documented block no longer uses ${placeholder}`);
    result = result.replaceAll(placeholder, value);
  }
  return result;
}

/**
 * The first `language` block of docs/forward-auth.md, with its addresses replaced: the proxy's port
 * `:8000`, Keygate's forward-auth listener `127.0.0.1:8083` and the API `127.0.0.1:9000`.
 */
export function documentedConfiguration(
  language: string,
  at: { listen: number; judge: string; api: string },
): string {
  return withPlaceholders(documentedBlock('forward-auth.md', language), {
    ':8000': `:${at.listen}`,
    '127.0.0.1:8083': at.judge,
    '127.0.0.1:9000': at.api,
  });
}

/**
 * The settings a guide's first `sh` block starts Keygate with (`KEYGATE_PORT=8080 … npm start`), as
 * configuration keys, so a test starts Keygate as the guide says.
 */
export function documentedSettings(guide: string): ConfigInput {
  return startSettings(documentedBlock(guide, 'sh'), `docs/${guide}'s first sh block`);
}

/** The first `language` block under the heading `heading` (any level) of a guide in docs/. */
export function documentedSectionBlock(guide: string, heading: string, language: string): string {
  const text = readFileSync(new URL(`../../docs/${guide}`, import.meta.url), 'utf8');
  const start = text
    .split('\n')
    .findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`docs/${guide} has no heading "${heading}"`);
  const section = text.split('\n').slice(start + 1);
  // A `# comment` inside a fenced block (YAML, shell) is not a heading.
  let fenced = false;
  const end = section.findIndex((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && /^#+ /.test(line);
  });
  const body = (end < 0 ? section : section.slice(0, end)).join('\n');
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(body)?.[1];
  if (!block) throw new Error(`docs/${guide}: "${heading}" has no ${language} block`);
  return block;
}

/** The settings a block's `KEYGATE_PORT=8080 … npm start` line starts Keygate with, as configuration keys. */
export function startSettings(block: string, where: string): ConfigInput {
  const start = block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .find((line) => line.replace(/#.*$/, '').trim().endsWith('npm start'));
  if (!start) throw new Error(`${where} has no npm start`);
  const env: Record<string, string> = {};
  // A value in single quotes (JSON) may hold spaces; the shell takes the quotes away.
  for (const [, variable, quoted, bare] of start.matchAll(/(KEYGATE_[A-Z0-9_]+)=(?:'([^']*)'|(\S+))/g)) {
    const setting = SETTINGS.find((s) => s.variable === variable || s.formerVariables.includes(variable!));
    if (!setting) throw new Error(`${where} sets ${variable}, which Keygate does not read`);
    if (setting.variable !== variable)
      throw new Error(`${where} sets ${variable}: it is ${setting.variable} now`);
    env[variable!] = quoted ?? bare!;
  }
  const { values, problems } = readEnvironment(env, (message) => {
    throw new Error(`${where}: ${message}`);
  });
  if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
  return values as ConfigInput;
}
