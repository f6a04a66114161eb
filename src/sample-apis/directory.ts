import { PerAccount } from './sample-api.js';
import {
  generateInteractions,
  generateUsers,
  type SampleInteraction,
  type SampleUser,
} from './sample-data.js';

/** One account's sample world: its users and interactions, which the samples read and change. */
export interface AccountDirectory {
  users: SampleUser[];
  interactions: SampleInteraction[];
}

export const directories = new PerAccount<AccountDirectory>((account) => {
  const users = generateUsers(account);
  return { users, interactions: generateInteractions(account, users) };
});
