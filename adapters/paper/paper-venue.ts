// PaperVenue: a simulated spot venue with book walking, queue positions, latency, fees and reserved balances.
import { ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import { isOnLot, isOnTick, type Instrument } from '../../src/domain/instrument.ts';
import type { MarketData, MarketDataListener, QuoteTick, TradeTick } from '../../src/domain/market-data.ts';
import { TIME_IN_FORCE, type OrderSide, type OrderType } from '../../src/domain/order-request.ts';
import type { Clock } from '../../src/engine/clock.ts';
import type {
  Balance,
  ExecutionReport,
  ExecutionReportListener,
  OrderAmendment,
  Venue,
  VenueCapabilities,
  VenueFill,
  VenueOrder,
  VenueOrderStatus,
} from '../venue.ts';
import { BalanceLedger } from './balances.ts';
import { compareDecimals, isAtLeast, isAtMost } from './compare.ts';
import { PaperBook, type BookSide } from './book.ts';
import {
  buyReservation,
  crossingQuantity,
  fillCashFlow,
  levelWithinLimit,
  notionalReservation,
  passThroughQueue,
  planTake,
} from './matching.ts';
import { isWorking, orderStatus, remainingQuantity, type PaperOrder } from './paper-order.ts';
import { RestingOrders, TriggerIndex } from './resting-orders.ts';
import { orderFromState, orderState, PAPER_VENUE_STATE_VERSION, type PaperVenueState } from './paper-state.ts';

export interface PaperVenueOptions {
  /** Venue id used in reports and ids; default 'paper'. */
  readonly id?: string;
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  /** Starting balances per currency, e.g. `{ USDT: '10000', BTC: '0' }`. */
  readonly balances: Readonly<Record<string, DecimalString>>;
  /** Time an order, amendment or cancel takes to reach the venue; default 0. */
  readonly orderLatencyMs?: number;
  /** Time an execution report takes to reach the caller; default 0 (still delivered on a clock timer). */
  readonly reportLatencyMs?: number;
  /** Hold stop, stopLimit, takeProfit and takeProfitLimit orders at the venue; default false. */
  readonly nativeStops?: boolean;
  /** A state saved by exportState(): the venue continues from it (its balances replace `balances`). */
  readonly state?: PaperVenueState;
  /** Told after each change that produces an execution report, before the report is delivered: save then. */
  readonly onStateChange?: () => void;
}

/** An execution report before the venue stamps it with its id and the clock's time. */
type ReportDraft = ExecutionReport extends infer Report ? (Report extends unknown ? Omit<Report, 'venue' | 'timestamp'> : never) : never;

/** Everything the venue keeps per symbol, found with one map lookup per tick. */
interface SymbolState {
  readonly symbol: string;
  /** Undefined for a symbol that only has market-data subscribers (no trading). */
  readonly instrument: Instrument | undefined;
  readonly book: PaperBook;
  readonly resting: RestingOrders;
  readonly triggers: TriggerIndex;
  /** Replaced, never mutated, on (un)subscribe so a tick in flight iterates a stable array. */
  listeners: readonly MarketDataListener[];
}

const MARKET_LIKE_TYPES: readonly OrderType[] = ['market', 'stop', 'takeProfit'];
const LIMIT_PRICED_TYPES: readonly OrderType[] = ['limit', 'stopLimit', 'takeProfitLimit'];
const NATIVE_STOP_TYPES: readonly OrderType[] = ['stop', 'stopLimit', 'takeProfit', 'takeProfitLimit'];

/**
 * A paper venue that fills the way a real book would, not the moment price touches an order:
 *
 * - Aggressing orders (market, and the marketable part of a limit) walk the displayed book level by level at
 *   each level's price, pay the taker fee and consume that liquidity until the next quote replaces the book.
 * - A resting limit order joins the back of the displayed queue at its price and fills, as maker at its own
 *   price, only from volume that passes the queue ahead of it: trades at its price by the other side, trades
 *   through its price, or a quote whose other side crosses it. Quotes showing less size at its price than
 *   its queue ahead shrink the queue (orders ahead were canceled). A price below the displayed depth counts
 *   as an empty level: the order is assumed at the front there; a full-depth feed makes this exact.
 * - Several of our orders at one price share the passing volume in time priority: volume that filled an
 *   earlier order of ours does not pass a later one again.
 * - Our own orders are not in the market data, so they never trade with each other (no self-match).
 * - Every outcome is an execution report delivered on a clock timer, `reportLatencyMs` after the event;
 *   commands reach the venue `orderLatencyMs` after the call and meet the book as it is then.
 * - Spot balances: buys reserve quote (price x quantity x (1 + fee rate)), sells reserve base; fills move
 *   totals exactly and release their share of the reservation; cancel and expiry release the rest.
 * - reduceOnly is accepted and ignored: a spot account has no position for it to reduce, and the venue
 *   advertises `reduceOnly: false` so the engine enforces it before sending.
 * - Native stops (opt-in) trigger on trade prices only, then act as a market or limit order arriving then.
 * - Bar ticks are forwarded to subscribers but fill nothing: replay bars through `expandBarsToTrades`
 *   (adapters/market-data/bars.ts) so fills come from their implied trades at times inside the bar.
 */
export class PaperVenue implements Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities;

  private readonly clock: Clock;
  private readonly orderLatencyMs: number;
  private readonly reportLatencyMs: number;
  private readonly instrumentList: readonly Instrument[];
  private readonly symbols = new Map<string, SymbolState>();
  private readonly orders = new Map<string, PaperOrder>();
  /** Orders refused on arrival, kept so status queries answer and their clientOrderId stays used. */
  private readonly rejectedOrders = new Map<string, VenueOrderStatus>();
  /** Every fill per clientOrderId, for `orderFills` (recovery applies fills missed while the engine was down). */
  private readonly fillsByOrder = new Map<string, VenueFill[]>();
  private readonly ledger: BalanceLedger;
  private reportListeners: readonly ExecutionReportListener[] = [];
  private nextOrderNumber = 1;
  private nextTradeNumber = 1;
  private nextPriority = 1;
  private readonly onStateChange: (() => void) | undefined;

  constructor(options: PaperVenueOptions) {
    this.id = options.id ?? 'paper';
    this.clock = options.clock;
    this.orderLatencyMs = checkLatency('orderLatencyMs', options.orderLatencyMs ?? 0);
    this.reportLatencyMs = checkLatency('reportLatencyMs', options.reportLatencyMs ?? 0);
    this.instrumentList = [...options.instruments];
    this.ledger = new BalanceLedger(options.balances);
    this.capabilities = {
      orderTypes: options.nativeStops === true ? ['market', 'limit', ...NATIVE_STOP_TYPES] : ['market', 'limit'],
      timeInForce: [...TIME_IN_FORCE],
      postOnly: true,
      reduceOnly: false,
      amend: true,
    };
    for (const instrument of this.instrumentList) {
      if (this.symbols.has(instrument.symbol)) throw new Error(`instrument ${instrument.symbol} is listed twice`);
      this.symbols.set(instrument.symbol, createSymbolState(instrument.symbol, instrument));
    }
    this.onStateChange = options.onStateChange;
    if (options.state !== undefined) this.restore(options.state);
  }

  /**
   * Everything the venue must remember to be the same venue after a restart (see paper-state.ts): every
   * working order, and of the finished and rejected ones the latest `keepFinished` (what a recovering engine
   * may still ask about), so the saved state does not grow with every order ever placed.
   */
  exportState(keepFinished = 10_000): PaperVenueState {
    const all = [...this.orders.values()];
    const finished = all.filter((order) => !isWorking(order));
    const kept = new Set(finished.slice(Math.max(0, finished.length - keepFinished)));
    const orders = all.filter((order) => isWorking(order) || kept.has(order));
    const rejected = [...this.rejectedOrders.values()];
    return {
      version: PAPER_VENUE_STATE_VERSION,
      venue: this.id,
      balances: this.ledger.snapshot(),
      orders: orders.map(orderState),
      rejectedOrders: rejected.slice(Math.max(0, rejected.length - keepFinished)),
      fills: Object.fromEntries(orders.flatMap((order) => {
        const fills = this.fillsByOrder.get(order.clientOrderId);
        return fills === undefined ? [] : [[order.clientOrderId, fills]];
      })),
      nextOrderNumber: this.nextOrderNumber,
      nextTradeNumber: this.nextTradeNumber,
      nextPriority: this.nextPriority,
    };
  }

  private restore(state: PaperVenueState): void {
    if (state.version !== PAPER_VENUE_STATE_VERSION) throw new Error(`paper venue state version ${String(state.version)} is not ${PAPER_VENUE_STATE_VERSION}`);
    if (state.venue !== this.id) throw new Error(`the saved paper venue state is venue "${state.venue}", not "${this.id}"`);
    this.ledger.restore(state.balances);
    for (const saved of state.orders) {
      const symbolState = this.symbols.get(saved.symbol);
      if (symbolState?.instrument === undefined) throw new Error(`the saved paper venue state has order ${saved.clientOrderId} on ${saved.symbol}, which this venue does not list`);
      const order = orderFromState(saved, symbolState.instrument);
      this.orders.set(order.clientOrderId, order);
      if (!isWorking(order)) continue;
      if (saved.awaitingTrigger) symbolState.triggers.insert(order);
      else if (saved.resting) symbolState.resting.insert(order);
      if (order.expireAt !== undefined) order.expiryTimer = this.clock.setTimeout(() => this.expire(order), Math.max(0, order.expireAt - this.clock.now()));
    }
    for (const rejected of state.rejectedOrders) this.rejectedOrders.set(rejected.clientOrderId, rejected);
    for (const [clientOrderId, fills] of Object.entries(state.fills)) this.fillsByOrder.set(clientOrderId, [...fills]);
    this.nextOrderNumber = state.nextOrderNumber;
    this.nextTradeNumber = state.nextTradeNumber;
    this.nextPriority = state.nextPriority;
  }

  instruments(): readonly Instrument[] {
    return this.instrumentList;
  }

  /** A paper venue is always reachable. */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }

  submit(order: VenueOrder): void {
    // Copy now: the order that reaches the venue is the one sent, whatever the caller does with its object.
    const sent: VenueOrder = { ...order };
    this.clock.setTimeout(() => this.receiveOrder(sent), this.orderLatencyMs);
  }

  amend(clientOrderId: string, amendment: OrderAmendment): void {
    const sent: OrderAmendment = { ...amendment };
    this.clock.setTimeout(() => this.receiveAmendment(clientOrderId, sent), this.orderLatencyMs);
  }

  cancel(clientOrderId: string): void {
    this.clock.setTimeout(() => this.receiveCancel(clientOrderId), this.orderLatencyMs);
  }

  queryOrder(clientOrderId: string): Promise<VenueOrderStatus | undefined> {
    const order = this.orders.get(clientOrderId);
    return Promise.resolve(order !== undefined ? orderStatus(order) : this.rejectedOrders.get(clientOrderId));
  }

  orderFills(clientOrderId: string): Promise<readonly VenueFill[]> {
    return Promise.resolve([...(this.fillsByOrder.get(clientOrderId) ?? [])]);
  }

  openOrders(): Promise<readonly VenueOrderStatus[]> {
    const open: VenueOrderStatus[] = [];
    for (const order of this.orders.values()) if (isWorking(order)) open.push(orderStatus(order));
    return Promise.resolve(open);
  }

  balances(): Promise<readonly Balance[]> {
    return Promise.resolve(this.ledger.snapshot());
  }

  onExecutionReport(listener: ExecutionReportListener): () => void {
    this.reportListeners = [...this.reportListeners, listener];
    return () => {
      this.reportListeners = withoutOne(this.reportListeners, listener);
    };
  }

  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void {
    const states = [...new Set(symbols)].map((symbol) => this.symbolState(symbol));
    for (const state of states) state.listeners = [...state.listeners, listener];
    return () => {
      for (const state of states) state.listeners = withoutOne(state.listeners, listener);
    };
  }

  /**
   * Paper-only: the displayed quantity still ahead of a resting order at its price, or undefined when the
   * order is not resting. For tests and for judging how realistic a strategy's passive fills are.
   */
  queuePosition(clientOrderId: string): DecimalString | undefined {
    const order = this.orders.get(clientOrderId);
    return order?.resting === true ? toDecimalString(order.queueAhead) : undefined;
  }

  /**
   * The hot path: a replay driver or live feed hands every tick here. The book is updated and resting
   * orders matched first, then the tick goes to subscribers, so a strategy reacting to it sees the fills'
   * effects already under way. A tick that touches no resting order costs a few decimal comparisons.
   */
  onMarketData(tick: MarketData): void {
    const state = this.symbols.get(tick.symbol);
    if (state === undefined) return;
    if (state.instrument !== undefined) {
      if (tick.type === 'quote') this.applyQuote(state, tick);
      else if (tick.type === 'trade') this.applyTrade(state, tick);
    }
    const listeners = state.listeners;
    for (let index = 0; index < listeners.length; index++) listeners[index]!(tick);
  }

  // ----- market data -----

  /**
   * Each side costs one comparison when nothing is near: the best resting buy against the deepest displayed
   * bid. A buy below every displayed bid is outside the quote's depth (no queue to update) and cannot be
   * crossed by its asks, which sit above its bids. Only then is the best ask read. (A crossed quote, asks at
   * or below bids, is taken as it comes and only checked against orders within the displayed depth.)
   */
  private applyQuote(state: SymbolState, quote: QuoteTick): void {
    const book = state.book;
    book.bids.replace(quote.bids);
    book.asks.replace(quote.asks);
    const buys = state.resting.buys;
    if (buys.length > 0) {
      const deepestBid = quote.bids[quote.bids.length - 1];
      if (deepestBid === undefined || isAtLeast(buys[0]!.price!, deepestBid.price)) {
        const bestAsk = quote.asks[0];
        if (bestAsk !== undefined && isAtMost(bestAsk.price, buys[0]!.price!)) this.fillRestingFromQuote(state, 'buy');
        if (deepestBid !== undefined && buys.length > 0) shrinkQueues(buys, book.bids, deepestBid.price);
      }
    }
    const sells = state.resting.sells;
    if (sells.length > 0) {
      const deepestAsk = quote.asks[quote.asks.length - 1];
      if (deepestAsk === undefined || isAtMost(sells[0]!.price!, deepestAsk.price)) {
        const bestBid = quote.bids[0];
        if (bestBid !== undefined && isAtLeast(bestBid.price, sells[0]!.price!)) this.fillRestingFromQuote(state, 'sell');
        if (deepestAsk !== undefined && sells.length > 0) shrinkQueues(sells, book.asks, deepestAsk.price);
      }
    }
  }

  private applyTrade(state: SymbolState, trade: TradeTick): void {
    const buys = state.resting.buys;
    if (buys.length > 0 && isAtMost(trade.price, buys[0]!.price!)) this.fillRestingFromTrade(state, 'buy', trade);
    const sells = state.resting.sells;
    if (sells.length > 0 && isAtLeast(trade.price, sells[0]!.price!)) this.fillRestingFromTrade(state, 'sell', trade);
    const { rising, falling } = state.triggers;
    if ((rising.length > 0 && isAtLeast(trade.price, rising[0]!.stopPrice!)) || (falling.length > 0 && isAtMost(trade.price, falling[0]!.stopPrice!))) {
      for (const order of state.triggers.takeTriggered(trade.price)) this.trigger(state, order);
    }
  }

  /**
   * The quote's other side crosses resting orders: each fills as maker at its own price from the crossing
   * quantity, after its queue ahead, sharing that quantity with our better-placed orders first. What our
   * orders got is taken from the book so an aggressing order cannot get it again.
   */
  private fillRestingFromQuote(state: SymbolState, side: OrderSide): void {
    const opposite = side === 'buy' ? state.book.asks : state.book.bids;
    const bestOpposite = opposite.bestPrice();
    if (bestOpposite === undefined) return;
    const candidates = leadingOrders(side === 'buy' ? state.resting.buys : state.resting.sells, (order) =>
      levelWithinLimit(opposite, bestOpposite, order.price),
    );
    let filledByUs = ZERO;
    for (const order of candidates) {
      const passing = crossingQuantity(opposite, order.price!).minus(filledByUs);
      const pass = passThroughQueue(order.queueAhead, remainingQuantity(order), passing);
      order.queueAhead = order.queueAhead.minus(pass.eaten);
      if (pass.filled.gt(ZERO)) {
        filledByUs = filledByUs.plus(pass.filled);
        this.applyFill(state, order, pass.filled, order.price!, 'maker');
      }
    }
    opposite.take(filledByUs);
  }

  /**
   * A trade at a resting order's price by the other side's aggressor passes the queue first; a trade
   * through its price means the whole level traded, so the queue is gone and the order fills up to the
   * trade's quantity. Our orders share one trade's quantity in price-time priority.
   */
  private fillRestingFromTrade(state: SymbolState, side: OrderSide, trade: TradeTick): void {
    const resting = side === 'buy' ? state.resting.buys : state.resting.sells;
    const candidates = leadingOrders(resting, (order) => (side === 'buy' ? order.price!.gte(trade.price) : order.price!.lte(trade.price)));
    // A 'sell' aggressor hits bids (our buys); a 'buy' aggressor lifts offers (our sells).
    const hitsThisSide = (side === 'buy') === (trade.aggressor === 'sell');
    let filledByUs = ZERO;
    for (const order of candidates) {
      const passing = trade.quantity.minus(filledByUs);
      if (!passing.gt(ZERO)) break;
      let filled: Decimal;
      if (order.price!.eq(trade.price)) {
        if (!hitsThisSide) continue;
        const pass = passThroughQueue(order.queueAhead, remainingQuantity(order), passing);
        order.queueAhead = order.queueAhead.minus(pass.eaten);
        filled = pass.filled;
      } else {
        order.queueAhead = ZERO;
        const remaining = remainingQuantity(order);
        filled = remaining.lt(passing) ? remaining : passing;
      }
      if (filled.gt(ZERO)) {
        filledByUs = filledByUs.plus(filled);
        this.applyFill(state, order, filled, order.price!, 'maker');
      }
    }
  }

  /** A native stop fired: from now on it is a market or limit order arriving at this moment. */
  private trigger(state: SymbolState, order: PaperOrder): void {
    if (order.side === 'buy' && order.price === undefined) {
      // A market buy's reservation was an estimate at the stop price; hold the real walked cost instead.
      const instrument = order.instrument;
      const plan = planTake(state.book.asks, remainingQuantity(order), undefined);
      this.ledger.release(order.reservedCurrency, order.reserved);
      order.reserved = ZERO;
      const needed = notionalReservation(instrument, plan.notional);
      const held = this.ledger.reserve(order.reservedCurrency, needed);
      if (!held.ok) {
        this.closeOrder(order, 'canceled');
        this.emit({ type: 'canceled', clientOrderId: order.clientOrderId, reason: `triggered, but ${held.reason}` });
        return;
      }
      order.reserved = needed;
    }
    this.execute(state, order);
  }

  // ----- commands arriving at the venue -----

  private receiveOrder(request: VenueOrder): void {
    const clientOrderId = request.clientOrderId;
    if (this.orders.has(clientOrderId) || this.rejectedOrders.has(clientOrderId)) {
      // Never touches the existing order: the report only says this submission was refused.
      this.emit({ type: 'rejected', clientOrderId, reason: 'duplicate clientOrderId' });
      return;
    }
    const parsed = this.parseOrder(request);
    if (typeof parsed === 'string') return this.rejectOrder(request, parsed);
    const { state, order } = parsed;
    const opposite = order.side === 'buy' ? state.book.asks : state.book.bids;

    if (order.postOnly && wouldTake(opposite, order.price!)) {
      return this.rejectOrder(request, 'post-only order would take liquidity');
    }

    let reservation: Decimal;
    if (order.side === 'sell') {
      reservation = order.quantity;
    } else if (order.type === 'market') {
      // A market buy holds what walking the book costs now; a fill-or-kill that cannot fill holds nothing.
      const plan = planTake(opposite, order.quantity, undefined);
      const willBeKilled = order.timeInForce === 'FOK' && plan.filledQuantity.lt(order.quantity);
      reservation = willBeKilled ? ZERO : notionalReservation(order.instrument, plan.notional);
    } else {
      // Limit-priced buys hold their limit; stop-market buys hold an estimate at the stop price.
      reservation = buyReservation(order.instrument, order.quantity, order.price ?? order.stopPrice!);
    }
    const held = this.ledger.reserve(order.reservedCurrency, reservation);
    if (!held.ok) return this.rejectOrder(request, held.reason);
    order.reserved = reservation;

    this.orders.set(clientOrderId, order);
    this.emit({ type: 'accepted', clientOrderId, venueOrderId: order.venueOrderId });
    if (order.expireAt !== undefined) {
      order.expiryTimer = this.clock.setTimeout(() => this.expire(order), order.expireAt - this.clock.now());
    }
    if (NATIVE_STOP_TYPES.includes(order.type)) {
      order.priority = this.nextPriority++;
      state.triggers.insert(order);
      return;
    }
    this.execute(state, order);
  }

  private receiveCancel(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) {
      const reason = this.rejectedOrders.has(clientOrderId) ? 'order was rejected' : 'unknown clientOrderId';
      this.emit({ type: 'cancelRejected', clientOrderId, reason });
      return;
    }
    if (!isWorking(order)) {
      this.emit({ type: 'cancelRejected', clientOrderId, reason: `order is already ${order.status}` });
      return;
    }
    this.closeOrder(order, 'canceled');
    this.emit({ type: 'canceled', clientOrderId, reason: 'canceled by client' });
  }

  private receiveAmendment(clientOrderId: string, amendment: OrderAmendment): void {
    const refuse = (reason: string): void => this.emit({ type: 'amendRejected', clientOrderId, reason });
    const order = this.orders.get(clientOrderId);
    if (order === undefined) return refuse(this.rejectedOrders.has(clientOrderId) ? 'order was rejected' : 'unknown clientOrderId');
    if (!isWorking(order)) return refuse(`order is already ${order.status}`);
    const instrument = order.instrument;
    const state = this.symbols.get(instrument.symbol)!;

    const parsed = parseAmendment(order, amendment);
    if (typeof parsed === 'string') return refuse(parsed);
    const { price, quantity, stopPrice } = parsed;
    const repriced = price !== undefined && order.price !== undefined && !price.eq(order.price);
    const grown = quantity.gt(order.quantity);
    const opposite = order.side === 'buy' ? state.book.asks : state.book.bids;
    if (order.postOnly && repriced && wouldTake(opposite, price)) return refuse('post-only order would take liquidity at the new price');

    // Re-size the reservation to the amended order before changing anything, so a refusal changes nothing.
    const remaining = quantity.minus(order.filledQuantity);
    const reservation = order.side === 'sell' ? remaining : buyReservation(instrument, remaining, price ?? stopPrice!);
    if (reservation.gt(order.reserved)) {
      const held = this.ledger.reserve(order.reservedCurrency, reservation.minus(order.reserved));
      if (!held.ok) return refuse(held.reason);
    } else {
      this.ledger.release(order.reservedCurrency, order.reserved.minus(reservation));
    }
    order.reserved = reservation;

    const losesPriority = order.resting && (repriced || grown);
    if (losesPriority) state.resting.remove(order);
    const stopMoved = order.awaitingTrigger && stopPrice !== undefined && order.stopPrice !== undefined && !stopPrice.eq(order.stopPrice);
    if (stopMoved) state.triggers.remove(order);
    order.price = price;
    order.quantity = quantity;
    order.stopPrice = stopPrice;
    if (stopMoved) {
      order.priority = this.nextPriority++;
      state.triggers.insert(order);
    }
    this.emit({
      type: 'amended',
      clientOrderId,
      quantity: toDecimalString(quantity),
      ...(price !== undefined ? { price: toDecimalString(price) } : {}),
      ...(stopPrice !== undefined ? { stopPrice: toDecimalString(stopPrice) } : {}),
    });
    // Re-enter as a new arrival: the marketable part (if the new price crosses) takes, the rest joins the back.
    if (losesPriority) this.execute(state, order);
  }

  private expire(order: PaperOrder): void {
    order.expiryTimer = undefined;
    if (!isWorking(order)) return;
    this.closeOrder(order, 'expired');
    this.emit({ type: 'expired', clientOrderId: order.clientOrderId });
  }

  // ----- execution -----

  /**
   * An order meets the book now: it takes what it can up to its limit (all of it, for market-like orders),
   * then fill-or-kill, immediate-or-cancel and market orders end, and the rest of a limit order rests.
   */
  private execute(state: SymbolState, order: PaperOrder): void {
    const opposite = order.side === 'buy' ? state.book.asks : state.book.bids;
    const wanted = remainingQuantity(order);
    const plan = planTake(opposite, wanted, order.price);
    const limitText = order.price === undefined ? '' : ` at ${toDecimalString(order.price)} or better`;
    if (order.timeInForce === 'FOK' && plan.filledQuantity.lt(wanted)) {
      this.closeOrder(order, 'canceled');
      this.emit({
        type: 'canceled',
        clientOrderId: order.clientOrderId,
        reason: `fill-or-kill: only ${toDecimalString(plan.filledQuantity)} of ${toDecimalString(wanted)} available${limitText}, nothing filled`,
      });
      return;
    }
    opposite.take(plan.filledQuantity);
    for (const fill of plan.fills) this.applyFill(state, order, fill.quantity, fill.price, 'taker');
    if (!isWorking(order)) return;
    if (order.price === undefined) {
      this.closeOrder(order, 'canceled');
      this.emit({
        type: 'canceled',
        clientOrderId: order.clientOrderId,
        reason: `insufficient liquidity: filled ${toDecimalString(order.filledQuantity)} of ${toDecimalString(order.quantity)}, rest canceled`,
      });
      return;
    }
    if (order.timeInForce === 'IOC') {
      this.closeOrder(order, 'canceled');
      this.emit({
        type: 'canceled',
        clientOrderId: order.clientOrderId,
        reason: `immediate-or-cancel: filled ${toDecimalString(order.filledQuantity)} of ${toDecimalString(order.quantity)}, no more liquidity${limitText}`,
      });
      return;
    }
    // Joins the back of the displayed queue at its price (the front, if it improves on the best level).
    const sameSide = order.side === 'buy' ? state.book.bids : state.book.asks;
    order.priority = this.nextPriority++;
    order.queueAhead = sameSide.displayedAt(order.price);
    state.resting.insert(order);
  }

  /** Books one fill: cash moves exactly, its share of the reservation is released, a report goes out. */
  private applyFill(state: SymbolState, order: PaperOrder, quantity: Decimal, price: Decimal, liquidity: 'maker' | 'taker'): void {
    const instrument = order.instrument;
    const flow = fillCashFlow(order.side, quantity, price, liquidity === 'maker' ? instrument.makerFee : instrument.takerFee);
    const covered =
      order.side === 'sell'
        ? quantity
        : order.price !== undefined
          ? buyReservation(instrument, quantity, order.price)
          : notionalReservation(instrument, flow.notional);
    const release = covered.lt(order.reserved) ? covered : order.reserved;
    this.ledger.release(order.reservedCurrency, release);
    order.reserved = order.reserved.minus(release);
    this.ledger.change(instrument.base, flow.baseChange);
    this.ledger.change(instrument.quote, flow.quoteChange);
    order.filledQuantity = order.filledQuantity.plus(quantity);
    const complete = order.filledQuantity.gte(order.quantity);
    order.status = complete ? 'filled' : 'partial';
    const fill: VenueFill = {
      clientOrderId: order.clientOrderId,
      tradeId: `${this.id}-t${this.nextTradeNumber++}`,
      quantity: toDecimalString(quantity),
      price: toDecimalString(price),
      fee: toDecimalString(flow.fee),
      feeCurrency: instrument.quote,
      liquidity,
      timestamp: this.clock.now(),
    };
    const fills = this.fillsByOrder.get(order.clientOrderId);
    if (fills === undefined) this.fillsByOrder.set(order.clientOrderId, [fill]);
    else fills.push(fill);
    this.emit({
      type: 'filled',
      clientOrderId: fill.clientOrderId,
      tradeId: fill.tradeId,
      quantity: fill.quantity,
      price: fill.price,
      fee: fill.fee,
      feeCurrency: fill.feeCurrency,
      liquidity,
    }, fill.timestamp);
    if (complete) this.closeOrder(order, 'filled', state);
  }

  /** Ends an order: releases what is still reserved and takes it out of every index and timer. */
  private closeOrder(order: PaperOrder, status: 'filled' | 'canceled' | 'expired', state = this.symbols.get(order.instrument.symbol)!): void {
    order.status = status;
    if (order.reserved.gt(ZERO)) {
      this.ledger.release(order.reservedCurrency, order.reserved);
      order.reserved = ZERO;
    }
    if (order.resting) state.resting.remove(order);
    if (order.awaitingTrigger) state.triggers.remove(order);
    if (order.expiryTimer !== undefined) {
      this.clock.clearTimeout(order.expiryTimer);
      order.expiryTimer = undefined;
    }
  }

  // ----- validation and plumbing -----

  /** Checks an arriving order against the instrument and the venue; returns the new order or why not. */
  private parseOrder(request: VenueOrder): { state: SymbolState; order: PaperOrder } | string {
    const state = this.symbols.get(request.symbol);
    const instrument = state?.instrument;
    if (state === undefined || instrument === undefined) return `unknown symbol ${request.symbol}`;
    if (request.side !== 'buy' && request.side !== 'sell') return `side must be buy or sell, got ${String(request.side)}`;
    if (!this.capabilities.orderTypes.includes(request.type)) {
      return `order type ${request.type} is not held natively by ${this.id}${NATIVE_STOP_TYPES.includes(request.type) ? ' (enable nativeStops or emulate it)' : ' (emulate it)'}`;
    }
    if (!this.capabilities.timeInForce.includes(request.timeInForce)) return `time in force ${String(request.timeInForce)} is not supported`;
    const quantity = parseField('quantity', request.quantity);
    if (typeof quantity === 'string') return quantity;
    if (!quantity.gt(ZERO) || !isOnLot(instrument, quantity)) {
      return `quantity must be a positive multiple of ${instrument.spec.lotSize}, got ${request.quantity}`;
    }
    if (quantity.lt(instrument.minQuantity)) return `quantity ${request.quantity} is below the minimum ${instrument.spec.minQuantity}`;

    const hasLimitPrice = LIMIT_PRICED_TYPES.includes(request.type);
    if (hasLimitPrice !== (request.price !== undefined)) {
      return hasLimitPrice ? `price is required for a ${request.type} order` : `price is not allowed on a ${request.type} order`;
    }
    const price = request.price === undefined ? undefined : parsePrice(instrument, 'price', request.price);
    if (typeof price === 'string') return price;
    const isStop = NATIVE_STOP_TYPES.includes(request.type);
    if (isStop !== (request.stopPrice !== undefined)) {
      return isStop ? `stopPrice is required for a ${request.type} order` : `stopPrice is not allowed on a ${request.type} order`;
    }
    const stopPrice = request.stopPrice === undefined ? undefined : parsePrice(instrument, 'stopPrice', request.stopPrice);
    if (typeof stopPrice === 'string') return stopPrice;
    if (price !== undefined && instrument.minNotional.gt(ZERO) && quantity.times(price).lt(instrument.minNotional)) {
      return `notional ${toDecimalString(quantity.times(price))} ${instrument.quote} is below the minimum ${instrument.spec.minNotional}`;
    }

    if (request.postOnly && (request.type !== 'limit' || request.timeInForce === 'IOC' || request.timeInForce === 'FOK')) {
      return 'post-only is only for limit orders that may rest (GTC or GTD)';
    }
    const isMarketLike = MARKET_LIKE_TYPES.includes(request.type);
    if (request.timeInForce === 'GTD') {
      if (isMarketLike) return `a ${request.type} order cannot be GTD`;
      if (request.expireAt === undefined) return 'expireAt is required with timeInForce GTD';
      if (request.expireAt <= this.clock.now()) return `expireAt ${request.expireAt} is not after the venue's time ${this.clock.now()}`;
    }
    const side = request.side;
    return {
      state,
      order: {
        clientOrderId: request.clientOrderId,
        venueOrderId: `${this.id}-o${this.nextOrderNumber++}`,
        instrument,
        side,
        type: request.type,
        // A market order never rests: GTC on it means "as much as there is", i.e. immediate-or-cancel.
        timeInForce: request.type === 'market' && request.timeInForce === 'GTC' ? 'IOC' : request.timeInForce,
        postOnly: request.postOnly,
        expireAt: request.timeInForce === 'GTD' ? request.expireAt : undefined,
        quantity,
        price,
        stopPrice,
        filledQuantity: ZERO,
        status: 'open',
        awaitingTrigger: false,
        resting: false,
        queueAhead: ZERO,
        priority: 0,
        reservedCurrency: side === 'buy' ? instrument.quote : instrument.base,
        reserved: ZERO,
        expiryTimer: undefined,
      },
    };
  }

  private rejectOrder(request: VenueOrder, reason: string): void {
    this.rejectedOrders.set(request.clientOrderId, {
      clientOrderId: request.clientOrderId,
      venueOrderId: '',
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      status: 'rejected',
      quantity: request.quantity,
      filledQuantity: '0',
      ...(request.price !== undefined ? { price: request.price } : {}),
    });
    this.emit({ type: 'rejected', clientOrderId: request.clientOrderId, reason });
  }

  /** Stamps the report with the venue's time now and delivers it `reportLatencyMs` later, in order. */
  /** `timestamp`: when the reported thing happened, if already stamped (a fill's report and record agree). */
  private emit(draft: ReportDraft, timestamp = this.clock.now()): void {
    const report = { ...draft, venue: this.id, timestamp } as ExecutionReport;
    // Every change a caller can learn of comes with a report: saved before the report can reach anyone.
    this.onStateChange?.();
    this.clock.setTimeout(() => {
      const listeners = this.reportListeners;
      for (const listener of listeners) listener(report);
    }, this.reportLatencyMs);
  }

  private symbolState(symbol: string): SymbolState {
    let state = this.symbols.get(symbol);
    if (state === undefined) {
      state = createSymbolState(symbol, undefined);
      this.symbols.set(symbol, state);
    }
    return state;
  }
}

function createSymbolState(symbol: string, instrument: Instrument | undefined): SymbolState {
  return { symbol, instrument, book: new PaperBook(), resting: new RestingOrders(), triggers: new TriggerIndex(), listeners: [] };
}

function checkLatency(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/** True when an order limited at `price` would take liquidity from `opposite` right now. */
function wouldTake(opposite: BookSide, price: Decimal): boolean {
  const best = opposite.bestPrice();
  return best !== undefined && levelWithinLimit(opposite, best, price);
}

/**
 * Shrinks queue positions to what the new quote displays at each order's price: the market shows fewer
 * orders there than were ahead of ours, so some ahead were canceled. Only orders within the displayed
 * depth are looked at (beyond it the quote says nothing). No allocation unless a queue actually shrinks.
 */
function shrinkQueues(orders: readonly PaperOrder[], sameSide: BookSide, deepestPrice: Decimal): void {
  for (let index = 0; index < orders.length; index++) {
    const order = orders[index]!;
    const withinDepth = sameSide.isBidSide ? isAtLeast(order.price!, deepestPrice) : isAtMost(order.price!, deepestPrice);
    if (!withinDepth) return;
    if (order.queueAhead === ZERO || compareDecimals(order.queueAhead, ZERO) <= 0) continue;
    const displayed = sameSide.displayedAt(order.price!);
    if (compareDecimals(displayed, order.queueAhead) < 0) order.queueAhead = displayed;
  }
}

/** The best-first prefix of `orders` that satisfies `qualifies`, copied so fills may edit the index. */
function leadingOrders(orders: readonly PaperOrder[], qualifies: (order: PaperOrder) => boolean): PaperOrder[] {
  let count = 0;
  while (count < orders.length && qualifies(orders[count]!)) count++;
  return orders.slice(0, count);
}

function withoutOne<T>(list: readonly T[], item: T): readonly T[] {
  const index = list.indexOf(item);
  return index < 0 ? list : [...list.slice(0, index), ...list.slice(index + 1)];
}

function parseField(name: string, text: DecimalString): Decimal | string {
  try {
    return decimal(text);
  } catch {
    return `${name} must be a decimal number, got ${JSON.stringify(text)}`;
  }
}

function parsePrice(instrument: Instrument, name: string, text: DecimalString): Decimal | string {
  const price = parseField(name, text);
  if (typeof price === 'string') return price;
  if (!price.gt(ZERO)) return `${name} must be positive, got ${text}`;
  if (!isOnTick(instrument, price)) return `${name} ${text} is not a multiple of the tick size ${instrument.spec.tickSize}`;
  return price;
}

interface ParsedAmendment {
  readonly price: Decimal | undefined;
  readonly quantity: Decimal;
  readonly stopPrice: Decimal | undefined;
}

/** The order's terms after the amendment, or why the amendment is refused. */
function parseAmendment(order: PaperOrder, amendment: OrderAmendment): ParsedAmendment | string {
  const instrument = order.instrument;
  if (amendment.price === undefined && amendment.quantity === undefined && amendment.stopPrice === undefined) {
    return 'amendment changes nothing: give a price, quantity or stopPrice';
  }
  let price = order.price;
  if (amendment.price !== undefined) {
    if (order.price === undefined) return `a ${order.type} order has no limit price to amend`;
    const parsed = parsePrice(instrument, 'price', amendment.price);
    if (typeof parsed === 'string') return parsed;
    price = parsed;
  }
  let stopPrice = order.stopPrice;
  if (amendment.stopPrice !== undefined) {
    if (!order.awaitingTrigger) return 'stopPrice can only be amended on a native stop that has not triggered';
    const parsed = parsePrice(instrument, 'stopPrice', amendment.stopPrice);
    if (typeof parsed === 'string') return parsed;
    stopPrice = parsed;
  }
  let quantity = order.quantity;
  if (amendment.quantity !== undefined) {
    const parsed = parseField('quantity', amendment.quantity);
    if (typeof parsed === 'string') return parsed;
    if (!isOnLot(instrument, parsed)) return `quantity must be a multiple of ${instrument.spec.lotSize}, got ${amendment.quantity}`;
    if (parsed.lte(order.filledQuantity)) {
      return `new quantity ${toDecimalString(parsed)} is at or below the filled quantity ${toDecimalString(order.filledQuantity)}`;
    }
    quantity = parsed;
  }
  return { price, quantity, stopPrice };
}
