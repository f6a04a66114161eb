/**
 * Every action the audit log records, and when: the one list that the services write from, the
 * portal shows and docs/admin-api.md documents (`test/docs/audit-actions-documented.test.ts`).
 */
export const AUDIT_ACTIONS = {
  'credential.created': 'a credential was created (its secret is shown once, never recorded)',
  'credential.updated':
    'a credential’s name, scopes, allowlist, quota, call limit, metadata, DPoP rule or expiry changed',
  'credential.enabled': 'a disabled credential was enabled',
  'credential.disabled': 'a credential was disabled: its tokens are refused',
  'credential.deleted': 'a credential was deleted',
  'credential.secret_added': 'a second secret was added (rotation)',
  'credential.secret_revoked': 'a secret was revoked',
  'credential.secret_expiry_set': 'a secret was given an expiry',
  'credential.key_added': 'a public key (private_key_jwt) or certificate was added',
  'credential.key_removed': 'a public key or certificate was removed',
  'credential.tokens_revoked':
    'every token of the credential issued so far was revoked, by an admin or past the revocation bound',
  'client_authentication.failed': 'a token request for an existing client ID failed to authenticate',
  'account.created': 'an account was created (by the command line or `keygate apply`)',
  'account.plan_changed': 'the account’s rate-limit plan changed',
  'account.deleted': 'an empty account was deleted (by `keygate apply --prune`)',
  'apply.took_over':
    '`keygate apply` took over an object made by hand or by another file: that file’s `apply --prune` may delete it',
  'user.created': 'a portal user was invited',
  'user.licence_changed': 'a portal user’s licence changed',
  'user.deleted':
    'a portal user was deleted, with their sessions and API tokens (by `keygate apply --prune`)',
  'login.succeeded': 'a portal user logged in',
  'login.failed': 'a login with a wrong password for an existing user',
  'login.locked': 'a login refused: too many failures for the email from the address',
  logout: 'a portal user logged out',
  'api_token.created': 'a personal API token was created',
  'api_token.revoked': 'a personal API token was revoked',
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
