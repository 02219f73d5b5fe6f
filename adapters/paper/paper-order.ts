// The paper venue's record of one accepted order: its working state, queue position and reserved cash.
import { toDecimalString, type Decimal } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { OrderSide, OrderType, TimeInForce } from '../../src/domain/order-request.ts';
import type { TimerHandle } from '../../src/domain/clock.ts';
import type { NativeOrderListKind, VenueOrderStatus, VenueOrderStatusName } from '../venue.ts';

/** A list the venue holds (an OCO): its legs, in the order sent. Kept by each leg for the leg's life. */
export interface PaperOrderList {
  readonly listId: string;
  readonly kind: NativeOrderListKind;
  readonly legs: PaperOrder[];
}

/**
 * Mutable on purpose: the matching loop updates fills and queue positions in place, with no copies on the
 * hot path. Only the venue touches it; callers see `VenueOrderStatus` snapshots.
 */
export interface PaperOrder {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly instrument: Instrument;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  /** Perpetuals only: may only reduce the position; fills are capped at its size. Ignored on spot. */
  readonly reduceOnly: boolean;
  readonly expireAt: number | undefined;
  quantity: Decimal;
  /** Limit price (limit, stopLimit, takeProfitLimit); undefined for market-like orders. */
  price: Decimal | undefined;
  /** Trigger price of a native stop or take-profit. */
  stopPrice: Decimal | undefined;
  filledQuantity: Decimal;
  status: VenueOrderStatusName;
  /** A native stop not yet triggered: it sits in the trigger index, not in the book. */
  awaitingTrigger: boolean;
  /** Resting in the book index (a working limit order). */
  resting: boolean;
  /** Displayed quantity ahead of this order at its price; volume there must pass it before it fills. */
  queueAhead: Decimal;
  /** The displayed quantity at its price when last looked at, less what traded there since (probabilistic queue). */
  levelSeen: Decimal;
  /** Time priority at its price: lower arrived first. Renewed when the order loses priority. */
  priority: number;
  /** When it finished, in order (1, 2, ...): the oldest finished orders are forgotten first; 0 while working. */
  finishSequence: number;
  /** The queue fields as last saved (by identity), so saving finds queue moves without marking every tick. */
  savedQueueAhead: Decimal | undefined;
  savedLevelSeen: Decimal | undefined;
  /** Currency held for this order (spot: quote for buys, base for sells; perpetuals: quote, as margin). */
  readonly reservedCurrency: string;
  /** What is still held for this order in `reservedCurrency`. */
  reserved: Decimal;
  expiryTimer: TimerHandle | undefined;
  /** The venue list this order is a leg of; undefined for an order sent on its own. */
  list: PaperOrderList | undefined;
  /**
   * While its list is undecided (no leg filled or triggered yet): what this leg would hold alone. The list holds
   * only its largest leg's need per currency, so `reserved` may be a smaller share; undefined otherwise.
   */
  listReservation: Decimal | undefined;
}

/** True for orders that can still trade, be amended or be canceled. */
export function isWorking(order: PaperOrder): boolean {
  return order.status === 'open' || order.status === 'partial';
}

export function remainingQuantity(order: PaperOrder): Decimal {
  return order.quantity.minus(order.filledQuantity);
}

/** The order as a venue status answer: decimal strings, current state. */
export function orderStatus(order: PaperOrder): VenueOrderStatus {
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId: order.venueOrderId,
    symbol: order.instrument.symbol,
    side: order.side,
    type: order.type,
    status: order.status,
    quantity: toDecimalString(order.quantity),
    filledQuantity: toDecimalString(order.filledQuantity),
    ...(order.price !== undefined ? { price: toDecimalString(order.price) } : {}),
  };
}
