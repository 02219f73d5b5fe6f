// What the ccxt adapter knows of each order it reports on: ids on both sides, fills already reported (by
// tradeId), which terminal report went out. It turns raw exchange states into execution reports exactly once.
import { decimal, type DecimalString } from '../../src/domain/decimal.ts';
import { TRIGGERED_ORDER_TYPES, type OrderSide, type OrderType } from '../../src/domain/order-request.ts';
import type { ExecutionReport, VenueOrderStatusName } from '../venue.ts';
import type { RawFill, RawOrderState } from './profile.ts';

export interface TrackedOrder {
  /** The engine's id. */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** The id the exchange knows the order by now (changes with each cancel-replace). */
  exchangeClientOrderId: string;
  /** Earlier exchange ids of this order (before cancel-replaces), still matched to it. */
  readonly formerExchangeIds: string[];
  venueOrderId?: string;
  /** Ids of earlier exchange orders of this one (before cancel-replaces), whose fills still count. */
  readonly formerVenueOrderIds: string[];
  /** Sent, and the exchange has not yet said whether it took it. */
  inFlight: boolean;
  /** Clock time the submit was sent (for the receive window of an unknown outcome). */
  sentAt: number;
  accepted: boolean;
  terminal?: VenueOrderStatusName;
  readonly tradeIds: Set<string>;
  filledQuantity: DecimalString;
  /** Quantity and price as the exchange holds them now. */
  quantity: DecimalString;
  price?: DecimalString;
  /** A conditional order's trigger price, when known in advance (a trailing stop's is found only when it fires). */
  stopPrice?: DecimalString;
  /** Cancel-replace generation: the next replacement gets generation + 1. */
  generation: number;
  /** A cancel asked for while the submit's outcome was unknown: sent once the exchange says it has the order. */
  cancelWanted: boolean;
  /** A conditional order held at the exchange whose trigger has been reported. */
  triggered: boolean;
  /** Waiting for its trigger in the exchange's separate book of conditional orders (Binance futures' Algo Service). */
  heldApart: boolean;
  /** Fill already delivered to the engine (counted from tradeIds). */
  finishedAt?: number;
  /** Set on a leg of a list this process sent to the exchange as one list. */
  readonly list?: TrackedOrderList;
  /** The exchange's id of the list the order is a leg of, once the exchange named it (also for adopted legs). */
  venueListId?: string;
}

/** A list sent whole: the engine's list id, its id at the exchange, and every leg's engine id. */
export interface TrackedOrderList {
  readonly listId: string;
  readonly exchangeListId: string;
  readonly legs: readonly string[];
}

const WORKING: ReadonlySet<VenueOrderStatusName> = new Set(['open', 'partial']);

/**
 * Whether an expired order was canceled by its list: a leg the exchange ended because another leg filled or
 * triggered (a triggered stop-limit leg that then expires unfilled is an expiry of its own).
 */
export function expiredByList(state: RawOrderState, order?: Pick<TrackedOrder, 'list' | 'venueListId' | 'triggered'>): boolean {
  if (state.status !== 'expired') return false;
  const inList = state.orderListId !== undefined || order?.list !== undefined || order?.venueListId !== undefined;
  const triggeredItself = order?.triggered === true || (TRIGGERED_ORDER_TYPES.includes(state.type) && state.working === true);
  return inList && !triggeredItself;
}

/**
 * Orders by engine id and by exchange id. Finished orders are kept (for late or duplicate reports) up to
 * `finishedLimit`, oldest dropped first, so memory stays bounded.
 */
export class OrderKeeper {
  private readonly byId = new Map<string, TrackedOrder>();
  private readonly byExchangeId = new Map<string, TrackedOrder>();
  /** Conditional orders by the id of the regular order each became at its trigger (that order may carry another client id). */
  private readonly byTriggeredVenueId = new Map<string, TrackedOrder>();
  private readonly finished: string[] = [];

  constructor(
    private readonly venue: string,
    private readonly now: () => number,
    private readonly finishedLimit = 10_000,
  ) {}

  track(order: Omit<TrackedOrder, 'formerExchangeIds' | 'formerVenueOrderIds' | 'tradeIds' | 'generation' | 'cancelWanted' | 'accepted' | 'filledQuantity' | 'triggered' | 'heldApart'> & Partial<Pick<TrackedOrder, 'accepted' | 'filledQuantity' | 'triggered' | 'heldApart'>>): TrackedOrder {
    const tracked: TrackedOrder = {
      formerExchangeIds: [],
      formerVenueOrderIds: [],
      tradeIds: new Set(),
      generation: 0,
      cancelWanted: false,
      triggered: false,
      heldApart: false,
      accepted: false,
      filledQuantity: '0',
      ...order,
    };
    this.byId.set(tracked.clientOrderId, tracked);
    this.byExchangeId.set(tracked.exchangeClientOrderId, tracked);
    return tracked;
  }

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.byId.get(clientOrderId);
  }

  byExchangeClientOrderId(exchangeClientOrderId: string): TrackedOrder | undefined {
    return this.byExchangeId.get(exchangeClientOrderId);
  }

  /** The conditional order that became the exchange order `venueOrderId` at its trigger, if any. */
  byTriggeredOrderId(venueOrderId: string): TrackedOrder | undefined {
    return this.byTriggeredVenueId.get(venueOrderId);
  }

  /** The order now lives at the exchange under a new id (a cancel-replace); the old id's reports still match. */
  rename(order: TrackedOrder, exchangeClientOrderId: string): void {
    order.formerExchangeIds.push(order.exchangeClientOrderId);
    if (order.venueOrderId !== undefined) order.formerVenueOrderIds.push(order.venueOrderId);
    order.exchangeClientOrderId = exchangeClientOrderId;
    order.venueOrderId = undefined;
    this.byExchangeId.set(exchangeClientOrderId, order);
  }

  /** Orders the exchange may still change: in flight or working. */
  working(): TrackedOrder[] {
    return [...this.byId.values()].filter((order) => order.terminal === undefined);
  }

  forget(clientOrderId: string): void {
    const order = this.byId.get(clientOrderId);
    if (order === undefined) return;
    this.byId.delete(clientOrderId);
    this.byExchangeId.delete(order.exchangeClientOrderId);
    for (const former of order.formerExchangeIds) this.byExchangeId.delete(former);
    if (order.venueOrderId !== undefined && this.byTriggeredVenueId.get(order.venueOrderId) === order) this.byTriggeredVenueId.delete(order.venueOrderId);
  }

  /**
   * The reports that bring our view of the order up to the exchange's `state` (fills are not included: they
   * come with their trade ids). `reason` says where a cancel came from.
   */
  reportsForState(order: TrackedOrder, state: RawOrderState, cancelReason: string): ExecutionReport[] {
    const reports: ExecutionReport[] = [];
    const base = { venue: this.venue, clientOrderId: order.clientOrderId, timestamp: this.now() };
    // A state of an order this one replaced: only its fills matter (the replacement's state is what counts).
    if (state.exchangeClientOrderId !== order.exchangeClientOrderId) return reports;
    order.inFlight = false;
    if (order.venueOrderId === undefined || order.venueOrderId !== state.venueOrderId) order.venueOrderId = state.venueOrderId;
    order.heldApart = state.heldApart === true;
    // Once triggered out of a separate conditional book, the order it became is found by its id too.
    if (state.heldApart === false) this.byTriggeredVenueId.set(state.venueOrderId, order);
    if (state.orderListId !== undefined) order.venueListId = state.orderListId;
    if (order.terminal !== undefined) return reports;
    if (state.status === 'rejected') {
      reports.push({ ...base, type: 'rejected', reason: state.rejectReason !== undefined && state.rejectReason !== '' ? `rejected by the exchange: ${state.rejectReason}` : 'rejected by the exchange' });
      this.finish(order, 'rejected');
      return reports;
    }
    if (!order.accepted) {
      order.accepted = true;
      reports.push({ ...base, type: 'accepted', venueOrderId: state.venueOrderId });
    }
    if (state.amendFailed !== undefined) reports.push({ ...base, type: 'amendRejected', reason: `the exchange failed to apply the amendment: ${state.amendFailed}` });
    if (state.amended === true && (state.quantity !== order.quantity || state.price !== order.price)) {
      reports.push({ ...base, type: 'amended', quantity: state.quantity, ...(state.price !== undefined ? { price: state.price } : {}) });
    }
    order.quantity = state.quantity;
    if (state.price !== undefined) order.price = state.price;
    // A conditional order the exchange now works (or that trades, a fill being proof of its trigger).
    if (state.working === true || decimal(state.filledQuantity).gt('0') || state.status === 'filled') reports.push(...this.triggerReports(order, state.stopPrice));
    if (state.status === 'canceled' || expiredByList(state, order)) {
      reports.push({ ...base, type: 'canceled', reason: cancelReason });
      this.finish(order, 'canceled');
    } else if (state.status === 'expired') {
      reports.push({ ...base, type: 'expired' });
      this.finish(order, 'expired');
    } else if (state.status === 'filled' && decimal(order.filledQuantity).gte(decimal(state.quantity))) {
      this.finish(order, 'filled');
    }
    return reports;
  }

  /** The report of a fill not yet reported (by tradeId), preceded by `accepted` if the order was not yet. */
  reportsForFill(order: TrackedOrder, fill: RawFill): ExecutionReport[] {
    if (order.tradeIds.has(fill.tradeId)) return [];
    order.tradeIds.add(fill.tradeId);
    const reports: ExecutionReport[] = [];
    const base = { venue: this.venue, clientOrderId: order.clientOrderId, timestamp: this.now() };
    order.inFlight = false;
    if (!order.accepted && order.terminal === undefined) {
      order.accepted = true;
      if (order.venueOrderId === undefined) order.venueOrderId = fill.venueOrderId;
      reports.push({ ...base, type: 'accepted', venueOrderId: fill.venueOrderId });
    }
    reports.push(...this.triggerReports(order, undefined));
    order.filledQuantity = decimal(order.filledQuantity).plus(fill.quantity).toFixed();
    reports.push({ ...base, timestamp: fill.timestamp || base.timestamp, type: 'filled', tradeId: fill.tradeId, quantity: fill.quantity, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency, liquidity: fill.liquidity });
    if (order.terminal === undefined && decimal(order.filledQuantity).gte(decimal(order.quantity))) this.finish(order, 'filled');
    return reports;
  }

  /** The `triggered` report of a conditional order, once, before anything it does after its trigger. */
  private triggerReports(order: TrackedOrder, triggerPrice: DecimalString | undefined): ExecutionReport[] {
    if (order.triggered || !TRIGGERED_ORDER_TYPES.includes(order.type) || order.terminal !== undefined) return [];
    order.triggered = true;
    // The exchange's updates may arrive collapsed (ccxt keeps the latest state per order): the trigger price
    // asked for stands in when the update that says it was triggered does not name it.
    const price = triggerPrice ?? order.stopPrice;
    return [{ venue: this.venue, clientOrderId: order.clientOrderId, timestamp: this.now(), type: 'triggered', ...(price !== undefined ? { triggerPrice: price } : {}) }];
  }

  /** Why the exchange canceled a leg of a list on its own, naming the list; undefined for an order in no list. */
  listCancelReason(order: TrackedOrder): string | undefined {
    const list = order.list;
    if (list === undefined) return order.venueListId === undefined ? undefined : `canceled by the exchange with its order list ${order.venueListId}`;
    const filled = list.legs.filter((id) => id !== order.clientOrderId && decimal(this.byId.get(id)?.filledQuantity ?? '0').gt('0'));
    if (filled.length > 0) return `canceled by the exchange: leg ${filled.join(', ')} of OCO list ${list.listId} filled`;
    return `canceled by the exchange with its OCO list ${list.listId}`;
  }

  isWorking(status: VenueOrderStatusName): boolean {
    return WORKING.has(status);
  }

  /** A terminal report went out (or the order is known never placed): kept a while for late reports. */
  finish(order: TrackedOrder, status: VenueOrderStatusName): void {
    order.terminal = status;
    order.inFlight = false;
    order.finishedAt = this.now();
    this.finished.push(order.clientOrderId);
    while (this.finished.length > this.finishedLimit) {
      const oldest = this.finished.shift()!;
      const candidate = this.byId.get(oldest);
      if (candidate?.terminal !== undefined) this.forget(oldest);
    }
  }
}
