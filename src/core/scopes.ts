/**
 * The scope catalogue: VCC's scopes (seed document + DESIGN.md) and those that the operator's own
 * API documents declare. A scope is granted to API credentials by a portal user; `grantableBy`
 * lists the licences allowed to grant it (supervisors may only pick interaction-content:read and
 * users:read of VCC's).
 */
export type Licence = 'admin' | 'supervisor';

export interface ScopeDefinition {
  readonly value: string;
  readonly description: string;
  readonly api: string;
  readonly grantableBy: readonly Licence[];
}

const BOTH: readonly Licence[] = ['admin', 'supervisor'];
const ADMIN: readonly Licence[] = ['admin'];

export const VCC_SCOPES: readonly ScopeDefinition[] = [
  {
    value: 'agents-availability:read',
    description: 'View agent availability',
    api: 'Agent Availability',
    grantableBy: ADMIN,
  },
  {
    value: 'users:read',
    description: 'Read VCC user details, settings, and presences',
    api: 'Agents, User Admin',
    grantableBy: BOTH,
  },
  {
    value: 'users:write',
    description: 'Update VCC user details, settings, and presences',
    api: 'Agents, User Admin',
    grantableBy: ADMIN,
  },
  {
    value: 'interaction-content:read',
    description:
      'Read or download interaction content, including scheduling an export of interaction content to an external storage provider',
    api: 'Interaction Content, Conversation Analyzer',
    grantableBy: BOTH,
  },
  {
    value: 'interaction-content:delete',
    description: 'Delete interaction content (e.g. call recordings, transcripts)',
    api: 'Interaction Content',
    grantableBy: ADMIN,
  },
  { value: 'stats', description: 'View Insights stats', api: 'Insights Stats', grantableBy: ADMIN },
  {
    value: 'interactions:write',
    description: 'Create and update active interactions',
    api: 'Interactions',
    grantableBy: ADMIN,
  },
  {
    value: 'globalpci',
    description: 'Create secure payment sessions',
    api: 'Global PCI',
    grantableBy: ADMIN,
  },
  {
    value: 'admin:read',
    description: 'Read VCC administration settings',
    api: 'Webhooks',
    grantableBy: ADMIN,
  },
  {
    value: 'admin:write',
    description: 'Update VCC administration settings',
    api: 'Webhooks',
    grantableBy: ADMIN,
  },
];

/** The scopes credentials may hold and tokens may carry, looked up by value. */
export class ScopeCatalogue {
  readonly #byValue: ReadonlyMap<string, ScopeDefinition>;

  constructor(readonly scopes: readonly ScopeDefinition[]) {
    this.#byValue = new Map(scopes.map((scope) => [scope.value, scope]));
  }

  find(value: string): ScopeDefinition | undefined {
    return this.#byValue.get(value);
  }

  has(value: string): boolean {
    return this.#byValue.has(value);
  }

  values(): string[] {
    return this.scopes.map((scope) => scope.value);
  }
}

/** VCC's scopes alone: the catalogue when no API document of the operator's declares more. */
export const VCC_CATALOGUE = new ScopeCatalogue(VCC_SCOPES);
