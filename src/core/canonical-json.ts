/**
 * JSON with every object's keys in one order (by UTF-16 code unit, whatever the locale): equal
 * values give equal text, however their keys were ordered. What compares or fingerprints values.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
