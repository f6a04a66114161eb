import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_ERRORS,
  GATEWAY_ERRORS,
  HEALTH_ERRORS,
  TOKEN_SERVICE_ERRORS,
  type WireError,
} from '../../src/core/error-registry.js';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** The table rows of one section of docs/errors.md: code → the statuses its rows name. */
function documented(heading: string): Map<string, string[]> {
  const start = docs.indexOf(`## ${heading}`);
  expect(start, `docs/errors.md has a "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = docs.indexOf('\n## ', start + 3);
  const rows = new Map<string, string[]>();
  for (const line of docs.slice(start, end < 0 ? undefined : end).split('\n')) {
    const match = /^\| `([a-z_]+)` \| ([^|]+) \|/.exec(line);
    if (match) rows.set(match[1]!, [...(rows.get(match[1]!) ?? []), match[2]!]);
  }
  return rows;
}

function expectDocumented(heading: string, registry: Record<string, WireError>): void {
  const rows = documented(heading);
  for (const [code, { statuses }] of Object.entries(registry)) {
    expect(rows.has(code), `${code} is listed under "${heading}"`).toBe(true);
    const named = rows.get(code)!.join(' ');
    for (const status of statuses)
      expect(named, `${code} ${status} under "${heading}"`).toContain(String(status));
  }
  for (const code of rows.keys()) expect(registry, `${code} under "${heading}" is sent`).toHaveProperty(code);
}

describe('docs/errors.md lists every code of the error registry, with its statuses', () => {
  it('the token service', () => expectDocumented('Token service', TOKEN_SERVICE_ERRORS));
  it('the API gateway', () => expectDocumented('API gateway', GATEWAY_ERRORS));
  it('the admin API and the CLI', () => expectDocumented('Admin API and CLI', ADMIN_ERRORS));
  it('the health routes', () => expectDocumented('Health', HEALTH_ERRORS));
});
