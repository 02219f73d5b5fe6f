// The paper venue's state as plain JSON: what it must remember to be the same venue after a restart (its
// orders with their queue positions, balances and reservations, fills and ids). Books come from market data.
import { decimal, toDecimalString, type DecimalString } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { OrderSide, OrderType, TimeInForce } from '../../src/domain/order-request.ts';
import type { NetPosition } from '../../src/domain/position-accounting.ts';
import type { Balance, NativeOrderListKind, VenueFill, VenueOrderStatus, VenueOrderStatusName } from '../venue.ts';
import type { MarginMode } from './perpetual-account.ts';
import { orderStatus, type PaperOrder } from './paper-order.ts';

export const PAPER_VENUE_STATE_VERSION = 3;
/**
 * Versions a venue restores: 1 is 2 without perpetuals, 2 is 3 without venue lists. Written as 3 so that a
 * venue that knows no lists refuses a state with them rather than losing which legs cancel which.
 */
export const READABLE_PAPER_VENUE_STATE_VERSIONS: readonly number[] = [1, 2, 3];

export interface PaperOrderState {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  /** Absent in states saved before perpetuals: false. */
  readonly reduceOnly?: boolean;
  readonly expireAt?: number;
  readonly quantity: DecimalString;
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly filledQuantity: DecimalString;
  readonly status: VenueOrderStatusName;
  readonly awaitingTrigger: boolean;
  readonly resting: boolean;
  readonly queueAhead: DecimalString;
  /** Absent in older states: the queue ahead. */
  readonly levelSeen?: DecimalString;
  readonly priority: number;
  /** Order in which finished orders finished (the oldest are forgotten first); absent while working. */
  readonly finishSequence?: number;
  readonly reservedCurrency: string;
  readonly reserved: DecimalString;
  /** The venue list the order is a leg of (absent for a lone order); its legs are the orders naming it. */
  readonly listId?: string;
  readonly listKind?: NativeOrderListKind;
  /** While the list is undecided: what the leg would hold alone (`reserved` is its share of the list's hold). */
  readonly listReservation?: DecimalString;
}

/** One perpetual symbol's margin position and the terms that may change at run time. */
export interface PaperPerpetualState {
  readonly symbol: string;
  readonly leverage: DecimalString;
  readonly marginMode: MarginMode;
  readonly fundingRate: DecimalString;
  readonly nextFundingAt: number;
  readonly position: NetPosition;
  /** Held in the ledger for the position (part of the balances' `reserved`). */
  readonly margin: DecimalString;
  readonly mark?: DecimalString;
}

export interface PaperVenueState {
  readonly version: typeof PAPER_VENUE_STATE_VERSION | 2 | 1;
  readonly venue: string;
  readonly balances: readonly Balance[];
  readonly orders: readonly PaperOrderState[];
  readonly rejectedOrders: readonly VenueOrderStatus[];
  readonly fills: Readonly<Record<string, readonly VenueFill[]>>;
  readonly nextOrderNumber: number;
  readonly nextTradeNumber: number;
  readonly nextPriority: number;
  readonly perpetuals?: readonly PaperPerpetualState[];
  readonly nextFundingNumber?: number;
  /** The last change record (paper-state-file.ts) this state includes; absent when not saved through a log. */
  readonly logSequence?: number;
  /** Draws made by the seeded fill and latency models, so a restored venue continues their sequences. */
  readonly randomDraws?: {
    readonly fillModel: number;
    readonly orderLatency: number;
    readonly reportLatency: number;
    readonly marketDataLatency: number;
  };
}

export function orderState(order: PaperOrder): PaperOrderState {
  // What a status query answers, plus what the venue needs to keep trading the order as before.
  return {
    ...orderStatus(order),
    timeInForce: order.timeInForce,
    postOnly: order.postOnly,
    ...(order.reduceOnly ? { reduceOnly: true } : {}),
    ...(order.expireAt !== undefined ? { expireAt: order.expireAt } : {}),
    ...(order.stopPrice !== undefined ? { stopPrice: toDecimalString(order.stopPrice) } : {}),
    awaitingTrigger: order.awaitingTrigger,
    resting: order.resting,
    queueAhead: toDecimalString(order.queueAhead),
    ...(order.levelSeen.eq(order.queueAhead) ? {} : { levelSeen: toDecimalString(order.levelSeen) }),
    priority: order.priority,
    ...(order.finishSequence > 0 ? { finishSequence: order.finishSequence } : {}),
    reservedCurrency: order.reservedCurrency,
    reserved: toDecimalString(order.reserved),
    ...(order.list !== undefined ? { listId: order.list.listId, listKind: order.list.kind } : {}),
    ...(order.listReservation !== undefined ? { listReservation: toDecimalString(order.listReservation) } : {}),
  };
}

/**
 * The order as the venue keeps it; `resting` and `awaitingTrigger` start false: the indexes set them on insert,
 * and `list` is set when the venue gathers the legs of its lists (saved-state.ts).
 */
export function orderFromState(state: PaperOrderState, instrument: Instrument): PaperOrder {
  return {
    clientOrderId: state.clientOrderId,
    venueOrderId: state.venueOrderId,
    instrument,
    side: state.side,
    type: state.type,
    timeInForce: state.timeInForce,
    postOnly: state.postOnly,
    reduceOnly: state.reduceOnly === true,
    expireAt: state.expireAt,
    quantity: decimal(state.quantity),
    price: state.price === undefined ? undefined : decimal(state.price),
    stopPrice: state.stopPrice === undefined ? undefined : decimal(state.stopPrice),
    filledQuantity: decimal(state.filledQuantity),
    status: state.status,
    awaitingTrigger: false,
    resting: false,
    queueAhead: decimal(state.queueAhead),
    levelSeen: decimal(state.levelSeen ?? state.queueAhead),
    priority: state.priority,
    finishSequence: state.finishSequence ?? 0,
    reservedCurrency: state.reservedCurrency,
    reserved: decimal(state.reserved),
    expiryTimer: undefined,
    savedQueueAhead: undefined,
    savedLevelSeen: undefined,
    list: undefined,
    listReservation: state.listReservation === undefined ? undefined : decimal(state.listReservation),
  };
}

/**
 * What changed in a venue since the changes were last taken: the orders that changed (whole, they are small),
 * the orders and rejections forgotten (fills go with their order), new rejections and fills; and the
 * venue-wide parts, small and always whole. Applied to the state it followed, it gives the state after.
 */
export interface PaperVenueChanges {
  readonly orders: readonly PaperOrderState[];
  readonly removedOrders: readonly string[];
  readonly rejectedOrders: readonly VenueOrderStatus[];
  readonly removedRejectedOrders: readonly string[];
  readonly fills: readonly VenueFill[];
  readonly balances: readonly Balance[];
  readonly nextOrderNumber: number;
  readonly nextTradeNumber: number;
  readonly nextPriority: number;
  readonly perpetuals: readonly PaperPerpetualState[];
  readonly nextFundingNumber: number;
  readonly randomDraws: NonNullable<PaperVenueState['randomDraws']>;
}

/** The state after `changes`: removals first, then changed orders (new ones at the end, in placing order), then fills. */
export function applyPaperVenueChanges(state: PaperVenueState, changes: PaperVenueChanges): PaperVenueState {
  const orders = new Map(state.orders.map((order) => [order.clientOrderId, order]));
  const fills = new Map(Object.entries(state.fills));
  for (const clientOrderId of changes.removedOrders) {
    orders.delete(clientOrderId);
    fills.delete(clientOrderId);
  }
  for (const order of changes.orders) orders.set(order.clientOrderId, order);
  for (const fill of changes.fills) {
    if (!orders.has(fill.clientOrderId)) continue;
    fills.set(fill.clientOrderId, [...(fills.get(fill.clientOrderId) ?? []), fill]);
  }
  const rejected = new Map(state.rejectedOrders.map((order) => [order.clientOrderId, order]));
  for (const clientOrderId of changes.removedRejectedOrders) rejected.delete(clientOrderId);
  for (const order of changes.rejectedOrders) rejected.set(order.clientOrderId, order);
  return {
    ...state,
    balances: changes.balances,
    orders: [...orders.values()],
    rejectedOrders: [...rejected.values()],
    fills: Object.fromEntries(fills),
    nextOrderNumber: changes.nextOrderNumber,
    nextTradeNumber: changes.nextTradeNumber,
    nextPriority: changes.nextPriority,
    perpetuals: changes.perpetuals,
    nextFundingNumber: changes.nextFundingNumber,
    randomDraws: changes.randomDraws,
  };
}
