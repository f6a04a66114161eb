import { describe, expect, it } from 'vitest';
import { Interner } from '../../src/core/interner.js';

describe('Interner', () => {
  it('hands out the first value made for a key to every later caller', () => {
    const lists = new Interner<readonly string[]>(10);
    let made = 0;
    const make = (key: string) => {
      made++;
      return key.split(' ');
    };
    const first = lists.intern('a b', make);
    const again = lists.intern(`a ${'b'}`, make);
    expect(again).toBe(first);
    expect(made).toBe(1);
    expect(lists.intern('a c', make)).toEqual(['a', 'c']);
    expect(made).toBe(2);
  });

  it('starts over past its limit instead of growing', () => {
    const ids = new Interner<{ id: string }>(3);
    const kept = ids.intern('x', (id) => ({ id }));
    ids.intern('y', (id) => ({ id }));
    ids.intern('z', (id) => ({ id }));
    expect(ids.size).toBe(3);
    ids.intern('w', (id) => ({ id }));
    expect(ids.size).toBe(1);
    const remade = ids.intern('x', (id) => ({ id }));
    expect(remade).toEqual(kept);
    expect(remade).not.toBe(kept);
  });
});
