import { describe, expect, it } from 'vitest';
import { InvalidScope } from '../../src/core/errors.js';
import { checkScopesGranted, parseRequestedScopes } from '../../src/core/scope-request.js';
import { VCC_SCOPES } from '../../src/core/scopes.js';

describe('scope requests', () => {
  it('parse one or several space-separated scopes, dropping repeats and extra spaces', () => {
    expect(parseRequestedScopes('stats')).toEqual(['stats']);
    expect(parseRequestedScopes(' users:read  stats users:read ')).toEqual(['users:read', 'stats']);
  });

  it('refuse a missing scope with the VCC text', () => {
    for (const raw of [undefined, '', '   ']) {
      expect(() => parseRequestedScopes(raw)).toThrow(new InvalidScope('You must specify a scope'));
    }
  });

  it('refuse characters outside RFC 6749 scope-token', () => {
    for (const raw of ['a"b', 'a\\b', 'tab\there', 'é'])
      expect(() => parseRequestedScopes(raw)).toThrow(InvalidScope);
  });

  it('must all be granted, and the error names the missing ones', () => {
    expect(() => checkScopesGranted(['stats'], ['stats', 'users:read'])).not.toThrow();
    expect(() => checkScopesGranted(['stats', 'globalpci', 'admin:read'], ['stats'])).toThrow(
      'The client is not allowed the requested scope: globalpci admin:read',
    );
  });

  it('the catalogue lets supervisors grant only interaction-content:read and users:read', () => {
    const supervisor = VCC_SCOPES.filter((s) => s.grantableBy.includes('supervisor')).map((s) => s.value);
    expect(supervisor.sort()).toEqual(['interaction-content:read', 'users:read']);
    expect(VCC_SCOPES.every((s) => s.grantableBy.includes('admin'))).toBe(true);
  });
});
