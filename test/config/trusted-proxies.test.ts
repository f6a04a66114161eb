import { describe, expect, it } from 'vitest';
import { trustedProxies } from '../../src/config/trusted-proxies.js';

describe('trusted proxies', () => {
  it('answers by address and CIDR, at any hop', () => {
    const { trust, vouches } = trustedProxies(['127.0.0.1', '10.0.0.0/8']);
    expect(trust('127.0.0.1', 0)).toBe(true);
    expect(trust('10.1.2.3', 3)).toBe(true);
    expect(trust('192.0.2.1', 0)).toBe(false);
    expect(trust(undefined, 0)).toBe(false);
    expect(vouches('::ffff:127.0.0.1')).toBe(true);
    expect(vouches('127.0.0.2')).toBe(false);
  });

  it('answers the same after callers have named more addresses than it remembers', () => {
    const { trust } = trustedProxies(['10.0.0.0/8']);
    expect(trust('10.0.0.1', 0)).toBe(true);
    expect(trust('192.0.2.1', 1)).toBe(false);
    for (let i = 0; i < 5000; i++) {
      expect(trust(`198.51.${i >> 8}.${i & 255}`, 1)).toBe(false);
      expect(trust(`10.9.${i >> 8}.${i & 255}`, 1)).toBe(true);
    }
    expect(trust('10.0.0.1', 0)).toBe(true);
    expect(trust('192.0.2.1', 1)).toBe(false);
  });
});
