/** Cumulative bucket counts (upper bound → count) of one histogram on a Prometheus text page, summed over its label sets. */
export function histogramBuckets(page: string, name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  const line = new RegExp(`^${name}_bucket\\{(?:[^}]*,)?le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm');
  for (const [, le, count] of page.matchAll(line)) {
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(count));
  }
  return buckets;
}

/**
 * The upper bound of the bucket that holds quantile `q` of the observations made between two
 * readings of one histogram: "q of the requests took at most this long".
 */
export function quantileBetween(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= q * total) return bound;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The value of one series on a Prometheus text page (`name{labels}` exactly as written there); NaN
 * when the page has no such series, so a renamed metric shows in the report instead of reading 0.
 */
export function seriesValue(page: string, series: string): number {
  const at = page.indexOf(`\n${series} `);
  if (at < 0) return Number.NaN;
  const start = at + series.length + 2;
  const end = page.indexOf('\n', start);
  const value = page.slice(start, end < 0 ? undefined : end);
  if (value === '+Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(value); // "Nan" too, as NaN
}

/** A counter's value on a Prometheus text page, summed over its label sets (0 when it has none yet). */
export function counterTotal(page: string, name: string): number {
  let total = 0;
  for (const [, value] of page.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
    total += Number(value);
  }
  return total;
}
