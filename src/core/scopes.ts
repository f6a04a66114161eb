/**
 * The VCC scope catalogue (seed document + DESIGN.md). A scope is granted to API credentials by
 * a portal user; `grantableBy` lists the licences allowed to grant it (supervisors may only pick
 * interaction-content:read and users:read).
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

export const SCOPE_CATALOGUE: readonly ScopeDefinition[] = [
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

const BY_VALUE = new Map(SCOPE_CATALOGUE.map((s) => [s.value, s]));

export function findScope(value: string): ScopeDefinition | undefined {
  return BY_VALUE.get(value);
}

export function isKnownScope(value: string): boolean {
  return BY_VALUE.has(value);
}

export function scopeValues(): string[] {
  return SCOPE_CATALOGUE.map((s) => s.value);
}
