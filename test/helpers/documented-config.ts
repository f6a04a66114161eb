import { readFileSync } from 'node:fs';

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
 * `:8000`, Keygate's forward-auth listener `127.0.0.1:8082` and the API `127.0.0.1:9000`.
 */
export function documentedConfiguration(
  language: string,
  at: { listen: number; judge: string; api: string },
): string {
  return withPlaceholders(documentedBlock('forward-auth.md', language), {
    ':8000': `:${at.listen}`,
    '127.0.0.1:8082': at.judge,
    '127.0.0.1:9000': at.api,
  });
}
