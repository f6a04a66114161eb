import type { Account, Credential, PortalUser, SigningKey } from '../core/model.js';

/** JSON shapes of the CLI (snake_case, stable) and the table printer for people. */

export function credentialJson(c: Credential) {
  return {
    id: c.id,
    client_id: c.clientId,
    name: c.name,
    scopes: c.scopes,
    account_id: c.accountId,
    owner_user_id: c.ownerUserId,
    disabled: c.disabled,
    expires_at: c.expiresAt,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    last_used_at: c.lastUsedAt,
    tokens_revoked_at: c.tokensRevokedAt,
    require_dpop: c.requireDpop,
    allowed_cidrs: c.allowedCidrs,
    token_quota: c.tokenQuota,
    call_limit: c.callLimit,
    metadata: c.metadata,
  };
}

export function accountJson(a: Account) {
  return { id: a.id, name: a.name, region: a.region, plan: a.plan, created_at: a.createdAt };
}

export function userJson(u: PortalUser) {
  return { id: u.id, account_id: u.accountId, email: u.email, licence: u.licence, created_at: u.createdAt };
}

export function signingKeyJson(k: SigningKey) {
  return {
    kid: k.kid,
    alg: k.alg,
    status: k.status,
    created_at: k.createdAt,
    activated_at: k.activatedAt,
    retire_after: k.retireAfter,
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain aligned table; empty lists say so instead of printing a bare header. */
export function printTable(rows: Array<Record<string, unknown>>, empty: string): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const columns = Object.keys(rows[0]!);
  const text = (v: unknown) =>
    v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(' ') : String(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => text(row[c])))}\n`);
}
