// Errors the engine raises for algorithm and order-list commands it refuses: a stable code and a sentence.

export class UnknownAlgoError extends Error {
  override name = 'UnknownAlgoError';
  readonly code = 'unknown_algo';
  constructor(readonly algoId: string, what: 'algo' | 'order list' = 'algo') {
    super(`no ${what} with id "${algoId}"`);
  }
}

/** The algorithm or order list cannot take the command in its present state (finished, not paused...). */
export class AlgoStateError extends Error {
  override name = 'AlgoStateError';
  readonly code = 'algo_state';
  constructor(
    readonly algoId: string,
    readonly state: string,
    message: string,
  ) {
    super(message);
  }
}
