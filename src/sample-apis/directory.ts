import { PerAccount } from './sample-api.js';
import {
  DAY_MS,
  generateInteractionsOfDay,
  generateUsers,
  type SampleInteraction,
  type SampleUser,
} from './sample-data.js';

/** How far back an account's sample interactions go: a quarter, enough for any month's range. */
const HISTORY_DAYS = 92;

/**
 * One account's sample world: its users, and its interactions over the last HISTORY_DAYS days up
 * to now, generated a day at a time (the same for the same account and day) and changed by the
 * samples: deleted content and interactions stay deleted while the process runs.
 */
export class AccountDirectory {
  readonly users: SampleUser[];
  readonly #days = new Map<number, SampleInteraction[]>();
  readonly #removed = new Set<string>();

  constructor(private readonly account: string) {
    this.users = generateUsers(account);
  }

  /** Interactions that started in [start, end) and before now, oldest first. */
  between(start: number, end: number): SampleInteraction[] {
    const now = Date.now();
    const from = Math.max(start, this.#oldestDay(now));
    const to = Math.min(end, now);
    const found: SampleInteraction[] = [];
    for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
      for (const interaction of this.#day(day)) {
        const at = Date.parse(interaction.start);
        if (at >= from && at < to && !this.#removed.has(interaction.guid)) found.push(interaction);
      }
    }
    return found;
  }

  find(guid: string): SampleInteraction | undefined {
    return this.between(0, Number.POSITIVE_INFINITY).find((i) => i.guid === guid);
  }

  /** Deletes an interaction with its content; false when there is none by that GUID. */
  remove(guid: string): boolean {
    if (!this.find(guid)) return false;
    this.#removed.add(guid);
    return true;
  }

  #oldestDay(now: number): number {
    return (Math.floor(now / DAY_MS) - HISTORY_DAYS) * DAY_MS;
  }

  #day(dayStart: number): SampleInteraction[] {
    let interactions = this.#days.get(dayStart);
    if (!interactions) {
      interactions = generateInteractionsOfDay(this.account, this.users, dayStart);
      this.#days.set(dayStart, interactions);
      // Days that have left the history are dropped, so a long-running process stays bounded.
      const oldest = this.#oldestDay(Date.now());
      for (const day of this.#days.keys()) if (day < oldest) this.#days.delete(day);
    }
    return interactions;
  }
}

export const directories = new PerAccount<AccountDirectory>((account) => new AccountDirectory(account));
