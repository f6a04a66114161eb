import { describe, expect, it } from 'vitest';
import { isAllowedFrom, validateAddressRanges } from '../../src/core/address-ranges.js';

describe('address ranges (credential allowlists)', () => {
  it('takes IPv4 and IPv6 ranges and single addresses, in canonical text', () => {
    expect(validateAddressRanges(['203.0.113.0/24', '2001:DB8::/32', '198.51.100.7', '::1'])).toEqual([
      '203.0.113.0/24',
      '2001:db8::/32',
      '198.51.100.7/32',
      '::1/128',
    ]);
  });

  it.each([['10.0.0.0/33'], ['10.0.0/8'], ['2001:db8::/129'], ['any'], ['10.0.0.0/8/1'], [42]])(
    'refuses %s, naming the field',
    (entry) => {
      expect(() => validateAddressRanges([entry])).toThrow(/allowedCidrs: .* is not an IPv4 or IPv6 address/);
    },
  );

  it('matches addresses inside the ranges only; an empty list is anywhere', () => {
    const ranges = validateAddressRanges(['203.0.113.0/24', '2001:db8::/32']);
    expect(isAllowedFrom(ranges, '203.0.113.200')).toBe(true);
    expect(isAllowedFrom(ranges, '203.0.114.1')).toBe(false);
    expect(isAllowedFrom(ranges, '2001:db8:1::5')).toBe(true);
    expect(isAllowedFrom(ranges, '2001:db9::5')).toBe(false);
    // A dual-stack listener reports an IPv4 caller as IPv4-mapped IPv6.
    expect(isAllowedFrom(ranges, '::ffff:203.0.113.9')).toBe(true);
    expect(isAllowedFrom(ranges, 'not an address')).toBe(false);
    expect(isAllowedFrom([], '192.0.2.1')).toBe(true);
  });
});
