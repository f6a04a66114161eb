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
/** The account's presences (VCC: GUIDs, each in one category). */
export const PRESENCES = [
  { presenceId: '5d1f3c2a-8b1e-4c1a-9d43-000000000001', categoryType: 'Ready', description: 'Ready' },
  { presenceId: '5d1f3c2a-8b1e-4c1a-9d43-000000000002', categoryType: 'Away', description: 'Away' },
  {
    presenceId: '5d1f3c2a-8b1e-4c1a-9d43-000000000003',
    categoryType: 'ExtendedAway',
    description: 'Extended Away',
  },
  {
    presenceId: '5d1f3c2a-8b1e-4c1a-9d43-000000000004',
    categoryType: 'LoggedOut',
    description: 'Logged Out',
  },
] as const;

export interface SampleUser {
  userId: string;
  username: string;
  name: string;
  email: string;
  active: boolean;
  role: 'Agent' | 'Supervisor';
  skills: string[];
  presenceId: string;
  presenceUpdated: string;
}

export interface SampleContent {
  contentKey: string;
  type: 'callRecording' | 'transcript';
  contentType: string;
  contentLength: number;
  lastModified: string;
}

/** Shaped as VCC's Interaction Content API returns an interaction. */
export interface SampleInteraction {
  guid: string;
  start: string;
  connectFrom: string;
  connectTo: string;
  direction: 'inbound' | 'outbound';
  handlingAgents: Array<{ id: string }>;
  content: SampleContent[];
  /** Not part of the API's shape: duration in ms, for the stats samples. */
  durationMs: number;
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
    const first = pick(FIRST);
    const last = pick(LAST);
    const username = `${first}.${last}${i}`.toLowerCase();
    return {
      userId: guid(random),
      username,
      name: `${first} ${last}`,
      email: `${username}@example.com`,
      active: random() < 0.9,
      role: i === 0 ? 'Supervisor' : 'Agent',
      skills: ['Sales', 'Support', 'Billing'].filter(() => random() < 0.5),
      presenceId: pick(PRESENCES).presenceId,
      presenceUpdated: new Date(Date.now() - Math.floor(random() * DAY_MS)).toISOString(),
    };
  });
}

export const DAY_MS = 86_400_000;

/**
 * The interactions of one account on one UTC day (`dayStart`, epoch ms at midnight), ordered by
 * start: the same account and day always give the same calls, so code can ask for "yesterday" or
 * "last week" whenever it runs, as it would of the real API.
 */
export function generateInteractionsOfDay(
  account: string,
  users: SampleUser[],
  dayStart: number,
  count = 4,
): SampleInteraction[] {
  const random = seededRandom(`interactions:${account}:${new Date(dayStart).toISOString().slice(0, 10)}`);
  const list = Array.from({ length: count }, (): SampleInteraction => {
    const start = dayStart + Math.floor(random() * DAY_MS);
    const durationMs = 30_000 + Math.floor(random() * 900_000);
    const lastModified = new Date(start + durationMs + 60_000).toISOString();
    const inbound = random() < 0.8;
    const phone = `+4420${Math.floor(10_000_000 + random() * 89_999_999)}`;
    return {
      guid: guid(random),
      start: new Date(start).toISOString(),
      connectFrom: inbound ? phone : String(1000 + Math.floor(random() * 100)),
      connectTo: inbound ? String(1000 + Math.floor(random() * 100)) : phone,
      direction: inbound ? 'inbound' : 'outbound',
      handlingAgents: [{ id: users[Math.floor(random() * users.length)]!.userId }],
      content: [
        {
          contentKey: 'callRecording',
          type: 'callRecording',
          contentType: 'audio/wav',
          contentLength: 8044,
          lastModified,
        },
        {
          contentKey: 'transcript',
          type: 'transcript',
          contentType: 'application/json',
          contentLength: 180,
          lastModified,
        },
      ],
      durationMs,
    };
  });
  return list.sort((a, b) => a.start.localeCompare(b.start));
}

/** The API's view of an interaction (without the samples' own bookkeeping). */
export function interactionView({ durationMs: _omitted, ...interaction }: SampleInteraction) {
  return interaction;
}
