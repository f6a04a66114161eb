import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const unionMembers = (source: string, typeName: string) => {
  const body = new RegExp(`export type ${typeName} =([^;]+);`).exec(source)?.[1] ?? '';
  return [...body.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
};

describe('docs/errors.md', () => {
  const docs = read('docs/errors.md');

  it('lists every OAuth error code the token service can send', () => {
    const codes = unionMembers(read('src/core/errors.ts'), 'OAuthErrorCode');
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) expect(docs).toContain(`| \`${code}\` |`);
  });

  it('lists every gateway error code', () => {
    const codes = unionMembers(read('src/gateway/gateway-error.ts'), 'GatewayErrorCode');
    expect(codes.length).toBeGreaterThan(5);
    const gatewaySection = docs.slice(docs.indexOf('## API gateway'));
    for (const code of codes) expect(gatewaySection).toContain(`| \`${code}\` |`);
  });

  it('lists every domain error code', () => {
    const codes = unionMembers(read('src/core/domain-error.ts'), 'DomainErrorCode');
    expect(codes.length).toBeGreaterThan(8);
    const adminDocs = read('docs/admin-api.md');
    for (const code of codes) {
      expect(docs).toContain(`| \`${code}\` |`);
      expect(adminDocs).toContain(`\`${code}\``);
    }
  });
});
