import { timingSafeEqual } from 'node:crypto';

/**
 * Whether two secrets (or their hashes) are equal, in time that does not depend on where they
 * differ. Only the length may show: Keygate compares values of one fixed length.
 */
export function constantTimeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const left = typeof a === 'string' ? Buffer.from(a) : a;
  const right = typeof b === 'string' ? Buffer.from(b) : b;
  return left.length === right.length && timingSafeEqual(left, right);
}
