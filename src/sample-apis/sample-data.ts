import { seededRandom } from './sample-api.js';

/** Generated, deterministic data of one account: the same account always sees the same people and calls. */

const FIRST = [
  'Ava',
  'Ben',
  'Chloe',
  'Dev',
  'Ema',
  'Finn',
  'Grace',
  'Hugo',
  'Isla',
  'Jay',
  'Kira',
  'Leo',
  'Maya',
];
const LAST = ['Patel', 'Smith', 'Nowak', 'Garcia', 'Okafor', 'Kim', 'Rossi', 'Dubois', 'Silva', 'Jones'];
export const PRESENCES = [
  { id: 1, name: 'Ready' },
  { id: 2, name: 'Away' },
  { id: 3, name: 'Extended Away' },
  { id: 4, name: 'Logged Out' },
] as const;

export interface SampleUser {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  username: string;
  skills: string[];
  presenceId: number;
}

export interface SampleInteraction {
  guid: string;
  start: string;
  end: string;
  channel: 'Voice' | 'Chat' | 'Email';
  direction: 'Inbound' | 'Outbound';
  agentId: string;
  content: Array<{ contentKey: string; contentType: string }>;
}

export function guid(random: () => number): string {
  const hex = () => Math.floor(random() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

export function generateUsers(account: string, count = 25): SampleUser[] {
  const random = seededRandom(`users:${account}`);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    const username = `${firstName}.${lastName}${i}`.toLowerCase();
    return {
      id: guid(random),
      firstName,
      lastName,
      email: `${username}@example.com`,
      username,
      skills: ['Sales', 'Support', 'Billing'].filter(() => random() < 0.5),
      presenceId: pick(PRESENCES).id,
    };
  });
}

/** Interactions over the last 30 days before a fixed day, newest last. */
export function generateInteractions(account: string, users: SampleUser[], count = 120): SampleInteraction[] {
  const random = seededRandom(`interactions:${account}`);
  const origin = Date.UTC(2026, 0, 31);
  const list = Array.from({ length: count }, () => {
    const start = origin - Math.floor(random() * 30 * 86_400_000);
    const channel = random() < 0.7 ? 'Voice' : random() < 0.5 ? 'Chat' : 'Email';
    const content =
      channel === 'Voice'
        ? [
            { contentKey: 'recording', contentType: 'audio/wav' },
            { contentKey: 'transcript', contentType: 'application/json' },
          ]
        : [{ contentKey: 'transcript', contentType: 'application/json' }];
    return {
      guid: guid(random),
      start: new Date(start).toISOString(),
      end: new Date(start + 30_000 + Math.floor(random() * 900_000)).toISOString(),
      channel,
      direction: random() < 0.8 ? 'Inbound' : 'Outbound',
      agentId: users[Math.floor(random() * users.length)]!.id,
      content,
    } satisfies SampleInteraction;
  });
  return list.sort((a, b) => a.start.localeCompare(b.start));
}
