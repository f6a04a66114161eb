/** A command used wrongly (options that do not go together, a store that is not there): exit 2, one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}
