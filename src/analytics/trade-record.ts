// Trade records: one closed round trip (entry and exit) with its net realized PnL, as JSON-ready decimal strings.
import { ZERO, decimal, toDecimalString, type DecimalString } from '../domain/decimal.ts';
import { EXIT_REASONS, type ExitReason } from '../domain/exit-reason.ts';
import type { OrderSide } from '../domain/order-request.ts';

export { EXIT_REASONS, type ExitReason } from '../domain/exit-reason.ts';

export interface TradeRecord {
  readonly id: string;
  readonly symbol: string;
  /** The entry side: 'buy' for a long trade, 'sell' for a short one. */
  readonly side: OrderSide;
  /** Milliseconds since the epoch, from the engine's clock. */
  readonly entryTime: number;
  readonly entryPrice: DecimalString;
  readonly exitTime: number;
  readonly exitPrice: DecimalString;
  readonly quantity: DecimalString;
  /** All fees of the round trip, in quote currency. */
  readonly fees: DecimalString;
  /** Perpetuals: funding received (+) and paid (−) while the position was held, in quote currency. */
  readonly funding?: DecimalString;
  /**
   * Net of fees and funding, in quote currency: (exit − entry) × quantity − fees + funding for a long,
   * (entry − exit) × quantity − fees + funding for a short.
   */
  readonly realizedPnl: DecimalString;
  readonly exitReason: ExitReason;
}

/** Builds a record from its fills' figures, computing the net realized PnL. Throws on an impossible trade. */
export function createTradeRecord(input: Omit<TradeRecord, 'realizedPnl'>): TradeRecord {
  const entryPrice = decimal(input.entryPrice);
  const exitPrice = decimal(input.exitPrice);
  const quantity = decimal(input.quantity);
  const fees = decimal(input.fees);
  if (!entryPrice.gt(ZERO)) throw new Error(`trade ${input.id}: entryPrice must be positive, got ${input.entryPrice}`);
  if (!exitPrice.gt(ZERO)) throw new Error(`trade ${input.id}: exitPrice must be positive, got ${input.exitPrice}`);
  if (!quantity.gt(ZERO)) throw new Error(`trade ${input.id}: quantity must be positive, got ${input.quantity}`);
  if (fees.lt(ZERO)) throw new Error(`trade ${input.id}: fees must not be negative, got ${input.fees}`);
  if (input.exitTime < input.entryTime) throw new Error(`trade ${input.id}: exitTime ${input.exitTime} is before entryTime ${input.entryTime}`);
  if (!(EXIT_REASONS as readonly string[]).includes(input.exitReason)) throw new Error(`trade ${input.id}: unknown exitReason ${JSON.stringify(input.exitReason)}`);
  const move = input.side === 'buy' ? exitPrice.minus(entryPrice) : entryPrice.minus(exitPrice);
  const funding = input.funding === undefined ? ZERO : decimal(input.funding);
  const realizedPnl = move.times(quantity).minus(fees).plus(funding);
  return {
    ...input,
    entryPrice: toDecimalString(entryPrice),
    exitPrice: toDecimalString(exitPrice),
    quantity: toDecimalString(quantity),
    fees: toDecimalString(fees),
    ...(input.funding === undefined ? {} : { funding: toDecimalString(funding) }),
    realizedPnl: toDecimalString(realizedPnl),
  };
}

/** The figures of a position (as its actor keeps them) a trade record is made from. */
export interface PositionTradeFigures {
  readonly positionId: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly openedQuantity: DecimalString;
  readonly closedQuantity: DecimalString;
  /** Σ quantity × price of the opening fills, and of the closing ones. */
  readonly entryNotional: DecimalString;
  readonly exitNotional: DecimalString;
  readonly fees: DecimalString;
  /** Funding received (+) or paid (-) while open (perpetuals). */
  readonly funding?: DecimalString;
  readonly openedAt?: number;
  readonly closedAt?: number;
  readonly exitReason?: ExitReason;
}

/**
 * The trade record of a position that opened and closed (undefined for one that never did): entry and exit at
 * their volume-weighted prices. The one rule for a live engine, a restart and a report read from the store.
 */
export function tradeRecordOfPosition(position: PositionTradeFigures): TradeRecord | undefined {
  const opened = decimal(position.openedQuantity);
  const closed = decimal(position.closedQuantity);
  if (!opened.gt(ZERO) || !closed.gt(ZERO) || position.openedAt === undefined || position.closedAt === undefined) return undefined;
  return createTradeRecord({
    id: position.positionId,
    symbol: position.symbol,
    side: position.direction === 'long' ? 'buy' : 'sell',
    entryTime: position.openedAt,
    entryPrice: decimal(position.entryNotional).div(opened).toFixed(),
    exitTime: position.closedAt,
    exitPrice: decimal(position.exitNotional).div(closed).toFixed(),
    quantity: position.closedQuantity,
    fees: position.fees,
    ...(position.funding !== undefined ? { funding: position.funding } : {}),
    exitReason: position.exitReason ?? 'manual',
  });
}
