import { readFileSync } from 'node:fs';
import { type ConfigInput, ENVIRONMENT } from '../../src/config/schema.js';

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
 * The settings a guide's first `sh` block starts Keygate with (`KEYGATE_X=value … npm start`), as
 * configuration keys, so a test starts Keygate as the guide says.
 */
export function documentedSettings(guide: string): ConfigInput {
  const start = documentedBlock(guide, 'sh')
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .find((line) => line.trim().endsWith('npm start'));
  if (!start) throw new Error(`docs/${guide}'s first sh block has no npm start`);
  const settings: Record<string, unknown> = {};
  for (const [, variable, value] of start.matchAll(/(KEYGATE_[A-Z_]+)=(\S+)/g)) {
    const known = ENVIRONMENT[variable!];
    if (!known) throw new Error(`docs/${guide} sets ${variable}, which Keygate does not read`);
    settings[known.key] = known.kind === 'integer' ? Number(value) : value;
  }
  return settings as ConfigInput;
}
