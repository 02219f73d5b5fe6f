// The ccxt venue's own errors: a venue that cannot be set up, and an exchange never reached.
export class CcxtVenueError extends Error {
  override readonly name = 'CcxtVenueError';
}

/** The exchange could not be reached at all (connection refused, DNS, timeout) while loading its markets. */
export class UnreachableError extends Error {}
