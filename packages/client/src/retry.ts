export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First backoff, doubled each attempt, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 200, maxDelayMs: 10_000 };

/** How long to wait before attempt `attempt` (1-based): Retry-After when the server gave it, else backoff. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfter: string | null): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxDelayMs);
  if (retryAfter !== null) {
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.min(Math.max(0, date - Date.now()), policy.maxDelayMs);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.random() * ceiling;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
