import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * One setting: a key of the schema, or a member of a group such as `loginLimits` (whose members are
 * set one by one). Records and lists (`upstreams`, `apiDocuments`, `rateLimitPlans`) are one
 * setting each: their entries have no fixed names.
 */
export interface Setting {
  /** The setting as the file names it: `port`, or `loginLimits.lockSeconds` inside a group. */
  readonly key: string;
  readonly path: readonly string[];
  readonly schema: z.ZodType;
  /** For operators, in Markdown relative to docs/. */
  readonly description: string | undefined;
  /** What leaving an optional setting unset means (its schema has no default to show). */
  readonly whenUnset: string | undefined;
}

function unwrapped(schema: z.ZodType): z.ZodType {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) {
    inner = inner.unwrap() as z.ZodType;
  }
  return inner;
}

function settingsOf(shape: Record<string, z.ZodType>, parent: readonly string[]): Setting[] {
  return Object.entries(shape).flatMap(([name, schema]) => {
    const path = [...parent, name];
    const inner = unwrapped(schema);
    if (inner instanceof z.ZodObject) return settingsOf(inner.shape as Record<string, z.ZodType>, path);
    const meta = schema.meta();
    return [
      { key: path.join('.'), path, schema, description: meta?.description, whenUnset: meta?.whenUnset },
    ];
  });
}

/** Every setting, in the schema's order. */
export const SETTINGS: readonly Setting[] = settingsOf(configSchema.shape, []);

/** The value a setting takes when nothing sets it; undefined for an optional one. */
export function defaultOf(setting: Setting): unknown {
  const result = setting.schema.safeParse(undefined);
  return result.success ? result.data : undefined;
}
