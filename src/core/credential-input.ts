import { DomainError } from './domain-error.js';
import type { CallLimit, TokenQuota } from './model.js';
import { hasControlCharacters, hasInvisibleFormatting } from './printable-text.js';
import type { ScopeCatalogue } from './scopes.js';

const MAX_NAME_LENGTH = 100;

/** Validates a credential name as a person typed it: trimmed, 1–100 characters, no control characters. */
export function validateCredentialName(raw: unknown): string {
  if (typeof raw !== 'string') throw new DomainError('validation_failed', 'name must be a string', 'name');
  const name = raw.trim();
  if (name.length === 0) throw new DomainError('validation_failed', 'name must not be empty', 'name');
  if (name.length > MAX_NAME_LENGTH) {
    throw new DomainError('validation_failed', `name must be at most ${MAX_NAME_LENGTH} characters`, 'name');
  }
  if (hasControlCharacters(name) || hasInvisibleFormatting(name)) {
    throw new DomainError(
      'validation_failed',
      'name must not contain control, direction-override or zero-width characters',
      'name',
    );
  }
  return name;
}

/**
 * Validates a credential's scope list: at least one, duplicates dropped, each from the catalogue or
 * already held (a scope whose API document was removed stays on the credentials that hold it).
 */
export function validateCredentialScopes(
  raw: unknown,
  catalogue: ScopeCatalogue,
  already: readonly string[] = [],
): string[] {
  if (!Array.isArray(raw)) throw new DomainError('validation_failed', 'scopes must be a list', 'scopes');
  const scopes: string[] = [];
  for (const value of raw) {
    if (typeof value !== 'string' || !(catalogue.has(value) || already.includes(value))) {
      throw new DomainError('scope_unknown', `unknown scope: ${String(value)}`, 'scopes');
    }
    if (!scopes.includes(value)) scopes.push(value);
  }
  if (scopes.length === 0)
    throw new DomainError('validation_failed', 'at least one scope is required', 'scopes');
  return scopes;
}

/**
 * An optional time as a person or a script sends it (`expiresAt`): null, or an ISO 8601 date-time,
 * returned normalised to UTC; with `future`, it must not have passed.
 */
export function validateDateTime(
  value: unknown,
  field: string,
  options: { future?: boolean } = {},
): string | null {
  if (value === null) return null;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new DomainError('validation_failed', `${field} must be an ISO 8601 date-time or null`, field);
  }
  if (options.future && time <= Date.now()) {
    throw new DomainError('validation_failed', `${field} must be in the future`, field);
  }
  return new Date(time).toISOString();
}

/** A token quota: `{limit: 1 to 1000000, period: hour or day}`, or null for none. */
export function validateTokenQuota(value: unknown): TokenQuota | null {
  if (value === null) return null;
  const quota = value as { limit?: unknown; period?: unknown };
  if (
    typeof value !== 'object' ||
    !Number.isInteger(quota.limit) ||
    (quota.limit as number) < 1 ||
    (quota.limit as number) > 1_000_000 ||
    (quota.period !== 'hour' && quota.period !== 'day')
  ) {
    throw new DomainError(
      'validation_failed',
      'tokenQuota must be {limit: 1 to 1000000, period: "hour" or "day"}, or null for none',
      'tokenQuota',
    );
  }
  return { limit: quota.limit as number, period: quota.period };
}

export function validateFlag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean')
    throw new DomainError('validation_failed', `${field} must be true or false`, field);
  return value;
}

/** A credential's own API call limit: `{limit: 1 to 1e9, windowSeconds: 1 to 86400}`, or null for the plan's alone. */
export function validateCallLimit(value: unknown): CallLimit | null {
  if (value === null) return null;
  const rule = value as { limit?: unknown; windowSeconds?: unknown };
  const within = (n: unknown, most: number) =>
    Number.isInteger(n) && (n as number) >= 1 && (n as number) <= most;
  if (
    typeof value !== 'object' ||
    !within(rule.limit, 1_000_000_000) ||
    !within(rule.windowSeconds, 86_400)
  ) {
    throw new DomainError(
      'validation_failed',
      'callLimit must be {limit: 1 to 1000000000, windowSeconds: 1 to 86400}, or null for the plan’s',
      'callLimit',
    );
  }
  return { limit: rule.limit as number, windowSeconds: rule.windowSeconds as number };
}
