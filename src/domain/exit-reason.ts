// Why a position closed: a closed list shared by the position chart, its events and the trade records.

export const EXIT_REASONS = ['stop', 'takeProfit', 'trailing', 'manual', 'signal', 'emergency', 'liquidation', 'planRejected'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/**
 * The reasons a caller may give when asking for a close. `planRejected` is the position's own: its plan could
 * not be applied at the entry's fill, so it closed at once rather than stay unprotected.
 */
export const REQUESTABLE_EXIT_REASONS = ['stop', 'takeProfit', 'trailing', 'manual', 'signal', 'emergency', 'liquidation'] as const satisfies readonly ExitReason[];
