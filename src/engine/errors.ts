// Errors the engine raises for commands it refuses. Each has a stable code for APIs and a sentence for people.

export class UnknownOrderError extends Error {
  override name = 'UnknownOrderError';
  readonly code = 'unknown_order';
  constructor(readonly orderId: string) {
    super(`no order with id "${orderId}"`);
  }
}

export class UnknownPositionError extends Error {
  override name = 'UnknownPositionError';
  readonly code = 'unknown_position';
  constructor(readonly positionId: string) {
    super(`no position with id "${positionId}"`);
  }
}

export class OrderStateError extends Error {
  override name = 'OrderStateError';
  readonly code = 'order_state';
  constructor(
    readonly orderId: string,
    readonly state: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnknownInstrumentError extends Error {
  override name = 'UnknownInstrumentError';
  readonly code = 'unknown_symbol';
  constructor(
    readonly symbol: string,
    readonly venue: string,
  ) {
    super(`unknown symbol "${symbol}" on venue ${venue}`);
  }
}

export class UnknownVenueError extends Error {
  override name = 'UnknownVenueError';
  readonly code = 'unknown_venue';
  constructor(
    readonly venue: string,
    known: readonly string[],
  ) {
    super(`unknown venue "${venue}"; known venues: ${known.join(', ') || 'none'}`);
  }
}

export class EngineStateError extends Error {
  override name = 'EngineStateError';
  readonly code = 'engine_state';
}

/** The venue's link is not live: new orders are refused with the reason (cancels wait for the link). */
export class VenueUnavailableError extends Error {
  override name = 'VenueUnavailableError';
  readonly code = 'venue_unavailable';
  constructor(
    readonly venue: string,
    readonly state: string,
    lastError: string | undefined,
  ) {
    super(`venue ${venue} is ${state}${lastError ? ` (${lastError})` : ''}: new orders are refused until it is live again`);
  }
}
