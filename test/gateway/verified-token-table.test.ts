import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_JTI_BYTES, NO_VERSION, VerifiedTokenTable } from '../../src/gateway/verified-token-table.js';

interface Grant {
  name: string;
}

/** A digest whose first four bytes (where its probe starts) are `home`: collisions on demand. */
function digestAt(home: number): string {
  const digest = randomBytes(32);
  digest.writeUInt32LE(home, 0);
  return digest.toString('latin1');
}

/** A digest as the verifier makes it: 32 bytes as a latin1 string. */
const randomDigest = () => randomBytes(32).toString('latin1');

describe('VerifiedTokenTable', () => {
  it('finds what it holds by digest, with its token ID, expiry and grant', () => {
    const table = new VerifiedTokenTable<Grant>(4);
    const grant = { name: 'g' };
    const digest = randomDigest();
    const slot = table.add(digest, 'é-0f3c', 1_800_000_000, grant);
    const found = table.find(digest);
    expect(found).toBe(slot);
    expect(table.grant(found)).toBe(grant);
    expect(table.jti(found)).toBe('é-0f3c');
    expect(table.expiry(found)).toBe(1_800_000_000);
    expect(table.revocationsSeen(found)).toBe(NO_VERSION);
    expect(table.find(randomDigest())).toBe(-1);
    expect(table.size).toBe(1);
  });

  it('replaces the entry of a digest added twice, in the same slot', () => {
    const table = new VerifiedTokenTable<Grant>(4);
    const digest = randomDigest();
    const first = table.add(digest, 'a', 1, { name: 'first' });
    table.setRevocationsSeen(first, 7);
    const second = table.add(digest, 'b', 2, { name: 'second' });
    expect(second).toBe(first);
    expect(table.size).toBe(1);
    expect(table.jti(second)).toBe('b');
    expect(table.grant(second).name).toBe('second');
    expect(table.revocationsSeen(second)).toBe(NO_VERSION);
  });

  it('lets the oldest go when full', () => {
    const table = new VerifiedTokenTable<Grant>(3);
    const digests = [0, 1, 2, 3].map(() => randomDigest());
    for (const [i, d] of digests.entries()) table.add(d, `jti-${i}`, 100 + i, { name: `${i}` });
    expect(table.size).toBe(3);
    expect(table.find(digests[0]!)).toBe(-1);
    expect(digests.slice(1).map((d) => table.jti(table.find(d)))).toEqual(['jti-1', 'jti-2', 'jti-3']);
  });

  it('forgets expired entries from the oldest on, up to the first one still valid', () => {
    const table = new VerifiedTokenTable<Grant>(8);
    const expiries = [10, 20, 50, 30];
    const digests = expiries.map((exp, i) => {
      const d = randomDigest();
      table.add(d, `${i}`, exp, { name: `${i}` });
      return d;
    });
    table.forgetExpired(40);
    // 10 and 20 go; 50 stops the walk, so 30, out of order, stays until it is presented or pushed out.
    expect(digests.map((d) => table.find(d) >= 0)).toEqual([false, false, true, true]);
    expect(table.size).toBe(2);
  });

  it('does not hold a token ID longer than it can store, and says so', () => {
    const table = new VerifiedTokenTable<Grant>(2);
    expect(table.add(randomDigest(), 'x'.repeat(MAX_JTI_BYTES + 1), 1, { name: 'g' })).toBe(-1);
    expect(table.size).toBe(0);
    // A lone surrogate would come back from UTF-8 as another string, and miss its revocation.
    expect(table.add(randomDigest(), 'a\uD800b', 1, { name: 'g' })).toBe(-1);
    expect(table.size).toBe(0);
    const slot = table.add(randomDigest(), 'x'.repeat(MAX_JTI_BYTES), 1, { name: 'g' });
    expect(table.jti(slot)).toBe('x'.repeat(MAX_JTI_BYTES));
    // Characters beyond one byte, and a surrogate pair, come back whole.
    expect(table.jti(table.add(randomDigest(), 'é-🔑-ü', 1, { name: 'g' }))).toBe('é-🔑-ü');
  });

  it('finds every remaining entry after deletions inside runs of colliding digests', () => {
    // Capacity 8: an index of 16 positions. Homes 3 and 4 collide into one long probe run, and the
    // run wraps past the end of the index from home 15.
    const table = new VerifiedTokenTable<Grant>(8);
    const entries = [3, 3, 4, 3, 15, 15, 0, 4].map((home, i) => {
      const digest = digestAt(home);
      table.add(digest, `jti-${i}`, 1e9, { name: `${i}` });
      return { digest, jti: `jti-${i}` };
    });
    // The first of the run at 3, one that wrapped (the second at 15), one in the middle of the run.
    for (const victim of [entries[0]!, entries[5]!, entries[2]!]) {
      table.delete(table.find(victim.digest));
      entries.splice(entries.indexOf(victim), 1);
      for (const { digest, jti } of entries) expect(table.jti(table.find(digest))).toBe(jti);
      expect(table.find(victim.digest)).toBe(-1);
    }
    expect(table.size).toBe(entries.length);
  });

  it('agrees with a model of its ring through thousands of random adds, deletes and expiries', () => {
    const capacity = 64;
    const table = new VerifiedTokenTable<Grant>(capacity);
    // The ring in insertion order: a deleted entry keeps its place until the oldest end passes it.
    const ring: { digest: string; jti: string; expiry: number; live: boolean }[] = [];
    const live = () => ring.filter((e) => e.live);
    let clock = 0;
    // A few homes only, so probe runs are long and deletions shift entries often.
    const home = () => Math.floor(Math.random() * 12) * 11;
    for (let step = 0; step < 5_000; step++) {
      const roll = Math.random();
      if (roll < 0.6) {
        const entry = {
          digest: digestAt(home()),
          jti: `t${step}`,
          expiry: clock + 5 + Math.random() * 20,
          live: true,
        };
        table.add(entry.digest, entry.jti, entry.expiry, { name: entry.jti });
        ring.push(entry);
        if (ring.length > capacity) ring.shift();
      } else if (roll < 0.9 && live().length > 0) {
        const candidates = live();
        const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
        table.delete(table.find(victim.digest));
        victim.live = false;
      } else {
        clock += 3;
        table.forgetExpired(clock);
        while (ring.length > 0 && (!ring[0]!.live || ring[0]!.expiry <= clock)) ring.shift();
      }
      expect(table.size).toBe(live().length);
    }
    for (const entry of ring) {
      const slot = table.find(entry.digest);
      if (!entry.live) {
        expect(slot).toBe(-1);
        continue;
      }
      expect(table.jti(slot)).toBe(entry.jti);
      expect(table.expiry(slot)).toBe(entry.expiry);
    }
  });
});
