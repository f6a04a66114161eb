import type { Clock } from '../../src/core/clock.js';

/** A clock that stands still until the test moves it: a wait is checked, not slept through. */
export class ManualClock implements Clock {
  #ms = Date.now();

  now(): number {
    return this.#ms;
  }

  advance(ms: number): void {
    this.#ms += ms;
  }
}
