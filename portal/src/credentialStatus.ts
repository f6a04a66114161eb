import type { Credential } from './types';

export type CredentialStatus = 'Active' | 'Disabled' | 'Expired';

/** Disabled wins over expired: it is the state a person chose and can undo. */
export function credentialStatus(credential: Credential, now = Date.now()): CredentialStatus {
  if (credential.disabled) return 'Disabled';
  if (credential.expiresAt !== null && Date.parse(credential.expiresAt) <= now) return 'Expired';
  return 'Active';
}
