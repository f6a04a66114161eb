/** A value now, or a promise of it: what a check returns when it waits only if it must. */
export type MaybeAsync<T> = T | Promise<T>;

/**
 * `next(value)`, called at once when `value` is already at hand and after it settles otherwise:
 * the gateway's hot path stays synchronous (no promise, no microtask) while everything it needs is
 * in memory, and the same code serves the rare case that waits on Redis or the store.
 */
export function andThen<T, R>(value: MaybeAsync<T>, next: (value: T) => MaybeAsync<R>): MaybeAsync<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
