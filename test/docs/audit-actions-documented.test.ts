import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../src/core/audit-actions.js';

const docs = readFileSync(new URL('../../docs/admin-api.md', import.meta.url), 'utf8');

describe('docs/admin-api.md lists the audit actions as the registry has them', () => {
  it('one row per action, with its words', () => {
    const rows = Object.fromEntries(
      [...docs.matchAll(/^\| `([a-z_.]+)` \| (.+) \|$/gm)].map((match) => [match[1]!, match[2]!]),
    );
    expect(rows).toEqual(AUDIT_ACTIONS);
  });
});
