import type { Credential, CredentialKey, CredentialSecret } from '../../core/model.js';
import type { ScopeCatalogue } from '../../core/scopes.js';
import { CLI_ACTOR } from './actor.js';
import type {
  CreateCredentialInput,
  CreatedCredential,
  CreatedKeyCredential,
  CredentialChanges,
  CredentialService,
} from './credentials.js';

/**
 * The credential use cases as the operator: the command line, and a program that embeds Keygate.
 * The operator may act in every account, so this is its own type, handed only to those two; the
 * admin API gives CredentialService the caller's own actor on every call.
 */
export class OperatorCredentials {
  constructor(private readonly service: CredentialService) {}

  get catalogue(): ScopeCatalogue {
    return this.service.catalogue;
  }

  create(input: CreateCredentialInput): Promise<CreatedCredential> {
    return this.service.create(input, CLI_ACTOR);
  }

  createWithKeys(input: CreateCredentialInput & { publicKeys: unknown }): Promise<CreatedKeyCredential> {
    return this.service.createWithKeys(input, CLI_ACTOR);
  }

  find(idOrClientId: string): Promise<Credential> {
    return this.service.find(idOrClientId, CLI_ACTOR);
  }

  update(idOrClientId: string, changes: CredentialChanges): Promise<Credential> {
    return this.service.update(idOrClientId, changes, CLI_ACTOR);
  }

  revokeTokens(idOrClientId: string): Promise<Credential> {
    return this.service.revokeTokens(idOrClientId, CLI_ACTOR);
  }

  delete(idOrClientId: string): Promise<Credential> {
    return this.service.delete(idOrClientId, CLI_ACTOR);
  }

  listKeys(idOrClientId: string): Promise<CredentialKey[]> {
    return this.service.listKeys(idOrClientId, CLI_ACTOR);
  }

  addKey(idOrClientId: string, publicKey: unknown): Promise<CredentialKey> {
    return this.service.addKey(idOrClientId, publicKey, CLI_ACTOR);
  }

  removeKey(idOrClientId: string, keyId: string): Promise<void> {
    return this.service.removeKey(idOrClientId, keyId, CLI_ACTOR);
  }

  secrets(idOrClientId: string): Promise<CredentialSecret[]> {
    return this.service.secrets(idOrClientId, CLI_ACTOR);
  }

  addSecret(
    idOrClientId: string,
    options: { expireOtherSecretsAt?: unknown },
  ): Promise<{ secret: CredentialSecret; clientSecret: string }> {
    return this.service.addSecret(idOrClientId, options, CLI_ACTOR);
  }

  setSecretExpiry(
    idOrClientId: string,
    secretId: string,
    expiresAt: unknown,
  ): ReturnType<CredentialService['setSecretExpiry']> {
    return this.service.setSecretExpiry(idOrClientId, secretId, expiresAt, CLI_ACTOR);
  }

  revokeSecret(idOrClientId: string, secretId: string): Promise<void> {
    return this.service.revokeSecret(idOrClientId, secretId, CLI_ACTOR);
  }
}
