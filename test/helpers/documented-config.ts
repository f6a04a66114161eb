import { readFileSync } from 'node:fs';

/** The guide whose configurations the forward-auth tests and bench run as written. */
const guide = readFileSync(new URL('../../docs/forward-auth.md', import.meta.url), 'utf8');

/**
 * The first `language` block of docs/forward-auth.md, with its addresses replaced: the proxy's port
 * `:8000`, Keygate's forward-auth listener `127.0.0.1:8082` and the API `127.0.0.1:9000`.
 */
export function documentedConfiguration(
  language: string,
  at: { listen: number; judge: string; api: string },
): string {
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(guide)?.[1];
  if (!block) throw new Error(`docs/forward-auth.md has no ${language} block`);
  for (const placeholder of [':8000', '127.0.0.1:8082', '127.0.0.1:9000']) {
    if (!block.includes(placeholder)) throw new Error(`the ${language} block no longer uses ${placeholder}`);
  }
  return block
    .replaceAll(':8000', `:${at.listen}`)
    .replaceAll('127.0.0.1:8082', at.judge)
    .replaceAll('127.0.0.1:9000', at.api);
}
