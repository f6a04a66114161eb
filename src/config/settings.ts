import { z } from 'zod';
import { configSchema, type SettingGroup } from './schema.js';

/**
 * How a variable's text becomes a setting's value. `string` is handed to the schema as it is, which
 * also reads the comma-separated lists of `roles` and `trustProxy`; records and lists are `json`,
 * since their entries have no names a variable could carry.
 */
export type VariableKind = 'string' | 'integer' | 'number' | 'boolean' | 'json';

/**
 * One setting: a key of the schema, or a member of a group such as `loginLimits` (whose members are
 * set one by one, so a variable for one keeps the file's others). Records and lists (`upstreams`,
 * `apiDocuments`, `rateLimitPlans`) are one setting each.
 */
export interface Setting {
  /** The setting as the file names it: `port`, or `loginLimits.lockSeconds` inside a group. */
  readonly key: string;
  readonly path: readonly string[];
  readonly schema: z.ZodType;
  /** Its top-level key's group (`.meta({ group })` in schema.ts); undefined only while one is missing. */
  readonly group: SettingGroup | undefined;
  /** For operators, in Markdown relative to docs/. */
  readonly description: string | undefined;
  /** What leaving an optional setting unset means (its schema has no default to show). */
  readonly whenUnset: string | undefined;
  /** KEYGATE_ and the key in SCREAMING_SNAKE_CASE, never chosen by hand: `tokenLifetimeSeconds` → KEYGATE_TOKEN_LIFETIME_SECONDS. */
  readonly variable: string;
  readonly kind: VariableKind;
  /** Older names of `variable`, still read (with a warning) so that no deployment breaks unseen. */
  readonly formerVariables: readonly string[];
}

/**
 * Names the variables had before they were derived from the keys. Remove one only in a release whose
 * notes say so: a deployment that still sets it would silently lose the setting.
 */
const FORMER_VARIABLES: Readonly<Record<string, string>> = {
  KEYGATE_TOKEN_LIFETIME: 'tokenLifetimeSeconds',
  KEYGATE_SAMPLE_EXPORT_DIR: 'sampleExportDirectory',
};

/** `loginLimits.lockSeconds` → KEYGATE_LOGIN_LIMITS_LOCK_SECONDS. */
export function variableFor(path: readonly string[]): string {
  const words = path.map((part) =>
    part
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
      .toUpperCase(),
  );
  return `KEYGATE_${words.join('_')}`;
}

function unwrapped(schema: z.ZodType): z.ZodType {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) {
    inner = inner.unwrap() as z.ZodType;
  }
  return inner;
}

function kindOf(key: string, inner: z.ZodType): VariableKind {
  switch (inner.def.type) {
    case 'number':
      return (inner as z.ZodNumber).isInt ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'record':
    case 'array':
      return 'json';
    // Strings (URLs and emails among them), enums, and the settings whose schema reads a string
    // itself (roles, trustProxy).
    case 'string':
    case 'enum':
    case 'pipe':
      return 'string';
    default:
      throw new Error(`${key}: no way to read a ${inner.def.type} setting from a variable is known`);
  }
}

function settingsOf(
  shape: Record<string, z.ZodType>,
  parent: readonly string[],
  parentGroup: SettingGroup | undefined,
): Setting[] {
  return Object.entries(shape).flatMap(([name, schema]) => {
    const path = [...parent, name];
    const key = path.join('.');
    const inner = unwrapped(schema);
    const meta = schema.meta();
    // A top-level key names its group; the members of an object such as `loginLimits` are in its.
    if (parent.length > 0 && meta?.group) {
      throw new Error(
        `${key}: a group is named on the top-level key (${parent[0]}) only, for all its members`,
      );
    }
    const group = parent.length === 0 ? meta?.group : parentGroup;
    if (inner instanceof z.ZodObject)
      return settingsOf(inner.shape as Record<string, z.ZodType>, path, group);
    return [
      {
        key,
        path,
        schema,
        group,
        description: meta?.description,
        whenUnset: meta?.whenUnset,
        variable: variableFor(path),
        kind: kindOf(key, inner),
        formerVariables: Object.keys(FORMER_VARIABLES).filter((former) => FORMER_VARIABLES[former] === key),
      },
    ];
  });
}

/** Every setting, in the schema's order. */
export const SETTINGS: readonly Setting[] = settingsOf(configSchema.shape, [], undefined);

const byKey = new Map(SETTINGS.map((setting) => [setting.key, setting]));

/** The setting of a key (`port`, `loginLimits.lockSeconds`); undefined for an unknown one. */
export function settingOf(key: string): Setting | undefined {
  return byKey.get(key);
}

/** The setting a problem at `path` belongs to: a member of a group, or a whole top-level key. */
export function settingAt(path: readonly PropertyKey[]): Setting | undefined {
  return settingOf(path.slice(0, 2).join('.')) ?? settingOf(String(path[0]));
}

/** The value a setting takes when nothing sets it; undefined for an optional one. */
export function defaultOf(setting: Setting): unknown {
  const result = setting.schema.safeParse(undefined);
  return result.success ? result.data : undefined;
}
