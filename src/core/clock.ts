/**
 * Where time comes from, for what decides by it across requests (login waits, session ends, token
 * expiry, rate-limit and quota windows): the system's by default, a clock of the caller's in tests,
 * so that a loaded machine's pauses do not move a wait that the test is checking.
 */
export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
