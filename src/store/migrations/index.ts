import type { Migration, MigrationProvider } from 'kysely/migration';
import type { SqlDialectName } from '../store.js';
import { initialSchema } from './0001-initial.js';
import { accountPlan } from './0002-account-plan.js';
import { changeNotifications } from './0003-change-notifications.js';
import { signingKeyRegion } from './0004-signing-key-region.js';
import { portalSchema } from './0005-portal.js';
import { oneActiveKey } from './0006-one-active-key.js';
import { credentialTokensRevoked } from './0007-credential-tokens-revoked.js';
import { credentialKeys } from './0008-credential-keys.js';
import { credentialPolicies } from './0009-credential-policies.js';
import { sharedKeys } from './0010-shared-keys.js';
import { keyLastUse } from './0011-key-last-use.js';
import { revokedTokensByClient } from './0012-revoked-tokens-by-client.js';
import { changesByAge } from './0013-changes-by-age.js';
import { runningInstances } from './0014-running-instances.js';
import { managedObjects } from './0015-managed-objects.js';

/** Versioned migrations, in order. Never edit one that has shipped; add the next. */
export function migrationProvider(dialect: SqlDialectName): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001-initial': initialSchema(dialect),
    '0002-account-plan': accountPlan,
    '0003-change-notifications': changeNotifications(dialect),
    '0004-signing-key-region': signingKeyRegion,
    '0005-portal': portalSchema,
    '0006-one-active-key': oneActiveKey,
    '0007-credential-tokens-revoked': credentialTokensRevoked,
    '0008-credential-keys': credentialKeys,
    '0009-credential-policies': credentialPolicies,
    '0010-shared-keys': sharedKeys,
    '0011-key-last-use': keyLastUse,
    '0012-revoked-tokens-by-client': revokedTokensByClient,
    '0013-changes-by-age': changesByAge,
    '0014-running-instances': runningInstances,
    '0015-managed-objects': managedObjects,
  };
  return { getMigrations: async () => migrations };
}
