import type { UsageRow } from './types';

export interface DayTotal {
  day: string;
  tokensIssued: number;
  apiCalls: number;
}

export interface ScopeTotal {
  scope: string;
  tokensIssued: number;
  apiCalls: number;
}

const DAY_MS = 86_400_000;
const utcDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * One entry per UTC day of the period ending today, zero-filled, so the chart's time axis is even;
 * a day the API reports outside that window (clock skew) is kept rather than silently dropped.
 */
export function dailyTotals(rows: UsageRow[], periodDays: number, now = Date.now()): DayTotal[] {
  const byDay = new Map<string, DayTotal>();
  for (let offset = periodDays - 1; offset >= 0; offset--) {
    const day = utcDay(now - offset * DAY_MS);
    byDay.set(day, { day, tokensIssued: 0, apiCalls: 0 });
  }
  for (const row of rows) {
    const day = row.day.slice(0, 10);
    const total = byDay.get(day) ?? { day, tokensIssued: 0, apiCalls: 0 };
    total.tokensIssued += row.tokensIssued;
    total.apiCalls += row.apiCalls;
    byDay.set(day, total);
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

export function scopeTotals(rows: UsageRow[]): ScopeTotal[] {
  const byScope = new Map<string, ScopeTotal>();
  for (const row of rows) {
    const total = byScope.get(row.scope) ?? { scope: row.scope, tokensIssued: 0, apiCalls: 0 };
    total.tokensIssued += row.tokensIssued;
    total.apiCalls += row.apiCalls;
    byScope.set(row.scope, total);
  }
  return [...byScope.values()].sort((a, b) => a.scope.localeCompare(b.scope));
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value`: round axis maxima. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}
