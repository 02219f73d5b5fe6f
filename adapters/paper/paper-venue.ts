// PaperVenue: a simulated venue (spot and perpetual futures) with book walking, queue positions, latency, fees,
// reserved balances, margin, funding and liquidation.
import { ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import { isOnLot, isOnTick, type Instrument } from '../../src/domain/instrument.ts';
import type { BookUpdate, MarketData, MarketDataListener, QuoteTick, TradeTick } from '../../src/domain/market-data.ts';
import { TIME_IN_FORCE, type OrderSide, type OrderType } from '../../src/domain/order-request.ts';
import type { Clock, TimerHandle } from '../../src/domain/clock.ts';
import type {
  AccountReport,
  AccountReportListener,
  Balance,
  ExecutionReport,
  ExecutionReportListener,
  OrderAmendment,
  Venue,
  VenueCapabilities,
  VenueFill,
  VenueOrder,
  VenueOrderStatus,
  VenuePosition,
} from '../venue.ts';
import { BalanceLedger, type ReservationResult } from './balances.ts';
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
  reservationFeeRate,
} from './matching.ts';
import { isWorking, orderStatus, remainingQuantity, type PaperOrder } from './paper-order.ts';
import { RestingOrders, TriggerIndex } from './resting-orders.ts';
import { FillModel, type FillModelSetting } from './fill-model.ts';
import { LatencyModel, type LatencySetting } from './latency.ts';
import { L2Book } from './l2-book.ts';
import {
  orderFromState,
  orderState,
  type PaperOrderState,
  PAPER_VENUE_STATE_VERSION,
  READABLE_PAPER_VENUE_STATE_VERSIONS,
  type PaperPerpetualState,
  type PaperVenueChanges,
  type PaperVenueState,
} from './paper-state.ts';
import { notionalMargin, orderMargin } from '../../src/domain/margin.ts';
import {
  PerpetualAccount,
  checkLeverage,
  createPerpetualState,
  markOf,
  type MarginMode,
  type PerpetualSettings,
  type PerpetualState,
} from './perpetual-account.ts';

export interface PaperVenueOptions {
  /** Venue id used in reports and ids; default 'paper'. */
  readonly id?: string;
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  /** Starting balances per currency, e.g. `{ USDT: '10000', BTC: '0' }`. */
  readonly balances: Readonly<Record<string, DecimalString>>;
  /** Time an order, amendment or cancel takes to reach the venue; default 0. Constant or sampled (see latency.ts). */
  readonly orderLatencyMs?: LatencySetting;
  /** Time an execution report takes to reach the caller; default 0 (still delivered on a clock timer). */
  readonly reportLatencyMs?: LatencySetting;
  /**
   * Time a tick takes from the venue (where it matches at once) to subscribers; default 0 (delivered inside
   * onMarketData). With latency, a strategy reacts to a book the venue has already moved past.
   */
  readonly marketDataLatencyMs?: LatencySetting;
  /** How resting orders queue and fill; default queuePosition (see fill-model.ts). */
  readonly fillModel?: FillModelSetting;
  /**
   * Finished orders and rejections remembered (status queries, fills for recovery), the oldest forgotten
   * first, so memory and the saved state stay bounded; default 10,000 of each.
   */
  readonly retainFinishedOrders?: number;
  /** Levels per side of the quotes subscribers get from L2 book replay (onBookUpdate); default 20. */
  readonly bookReplayQuoteDepth?: number;
  /** Hold stop, stopLimit, takeProfit and takeProfitLimit orders at the venue; default false. */
  readonly nativeStops?: boolean;
  /** A state saved by exportState(): the venue continues from it (its balances replace `balances`). */
  readonly state?: PaperVenueState;
  /** Told after each change that produces an execution report, before the report is delivered: save then. */
  readonly onStateChange?: () => void;
  /** Settings of the perpetual instruments (kind 'perpetual'), by symbol; a perpetual not listed gets the defaults. */
  readonly perpetuals?: Readonly<Record<string, PerpetualSettings>>;
}

/** An execution report before the venue stamps it with its id and the clock's time. */
type ReportDraft = ExecutionReport extends infer Report ? (Report extends unknown ? Omit<Report, 'venue' | 'timestamp'> : never) : never;
/** An account report before the venue stamps it. */
type AccountReportDraft = AccountReport extends infer Report ? (Report extends unknown ? Omit<Report, 'venue' | 'timestamp'> : never) : never;

/** Everything the venue keeps per symbol, found with one map lookup per tick. */
interface SymbolState {
  readonly symbol: string;
  /** Undefined for a symbol that only has market-data subscribers (no trading). */
  readonly instrument: Instrument | undefined;
  readonly book: PaperBook;
  readonly resting: RestingOrders;
  readonly triggers: TriggerIndex;
  /** The margin position of a perpetual; undefined for spot. */
  readonly perpetual: PerpetualState | undefined;
  /** The full-depth book of L2 replay, from the first onBookUpdate. */
  l2Book: L2Book | undefined;
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
 * - reduceOnly on spot is accepted and ignored: a spot account has no position for it to reduce, and a venue
 *   with spot instruments advertises `reduceOnly: false` so the engine enforces it before sending.
 * - Perpetuals (instrument kind 'perpetual', see perpetual-account.ts): one net position per symbol on margin
 *   (isolated or cross, leverage per symbol), settled in quote; a sell opens a real short, no base is held.
 *   Orders hold margin (notional / leverage + fee); reduce-only orders hold nothing and fill at most the
 *   position. The mark (mid, last trade or a feed) is checked against maintenance on every tick that moves
 *   it, and after funding: a breach cancels the symbol's working orders and closes the position, reported as
 *   a liquidation. Funding is paid at fixed times on the clock. A fill itself does not trigger the check; the
 *   next mark does.
 * - How resting orders queue and fill is the fill model's (fill-model.ts); L2 data can drive the book
 *   (onBookUpdate); order entry, reports and market data each have a latency model (latency.ts).
 * - Native stops (opt-in) trigger on trade prices only, then act as a market or limit order arriving then.
 * - Bar ticks are forwarded to subscribers but fill nothing: replay bars through `expandBarsToTrades`
 *   (adapters/market-data/bars.ts) so fills come from their implied trades at times inside the bar.
 */
export class PaperVenue implements Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities;

  private readonly clock: Clock;
  private readonly orderLatency: LatencyModel;
  private readonly reportLatency: LatencyModel;
  private readonly marketDataLatency: LatencyModel;
  private readonly fillModel: FillModel;
  private readonly bookReplayQuoteDepth: number;
  private readonly instrumentList: readonly Instrument[];
  private readonly symbols = new Map<string, SymbolState>();
  private readonly orders = new Map<string, PaperOrder>();
  /** Orders refused on arrival, kept so status queries answer and their clientOrderId stays used. */
  private readonly rejectedOrders = new Map<string, VenueOrderStatus>();
  /** Every fill per clientOrderId, for `orderFills` (recovery applies fills missed while the engine was down). */
  private readonly fillsByOrder = new Map<string, VenueFill[]>();
  private readonly ledger: BalanceLedger;
  private reportListeners: readonly ExecutionReportListener[] = [];
  private accountListeners: readonly AccountReportListener[] = [];
  private readonly perpetuals: PerpetualAccount;
  private readonly fundingTimers = new Map<string, TimerHandle>();
  private nextFundingNumber = 1;
  private readonly retainFinished: number;
  /** Finished orders by clientOrderId, oldest finish first. */
  private readonly finishedOrders = new Set<string>();
  private nextFinishSequence = 1;
  // What changed since takeChanges() last ran (see paper-state.ts PaperVenueChanges).
  private readonly changedOrders = new Set<PaperOrder>();
  private readonly removedOrderIds: string[] = [];
  private readonly newRejections: VenueOrderStatus[] = [];
  private readonly removedRejectionIds: string[] = [];
  private readonly newFills: VenueFill[] = [];
  private nextOrderNumber = 1;
  private nextTradeNumber = 1;
  private nextPriority = 1;
  private readonly onStateChange: (() => void) | undefined;

  constructor(options: PaperVenueOptions) {
    this.id = options.id ?? 'paper';
    this.clock = options.clock;
    const draws = options.state?.randomDraws;
    this.orderLatency = new LatencyModel('orderLatencyMs', options.orderLatencyMs ?? 0, draws?.orderLatency);
    this.reportLatency = new LatencyModel('reportLatencyMs', options.reportLatencyMs ?? 0, draws?.reportLatency);
    this.marketDataLatency = new LatencyModel('marketDataLatencyMs', options.marketDataLatencyMs ?? 0, draws?.marketDataLatency);
    this.fillModel = new FillModel(options.fillModel, draws?.fillModel);
    this.bookReplayQuoteDepth = options.bookReplayQuoteDepth ?? 20;
    if (!Number.isSafeInteger(this.bookReplayQuoteDepth) || this.bookReplayQuoteDepth < 1) throw new Error(`bookReplayQuoteDepth must be a whole number of at least 1, got ${this.bookReplayQuoteDepth}`);
    this.retainFinished = options.retainFinishedOrders ?? 10_000;
    if (!Number.isSafeInteger(this.retainFinished) || this.retainFinished < 1) throw new Error(`retainFinishedOrders must be a whole number of at least 1, got ${this.retainFinished}`);
    this.instrumentList = [...options.instruments];
    this.ledger = new BalanceLedger(options.balances);
    this.perpetuals = new PerpetualAccount(this.ledger);
    const allPerpetual = this.instrumentList.length > 0 && this.instrumentList.every((instrument) => instrument.kind === 'perpetual');
    this.capabilities = {
      orderTypes: options.nativeStops === true ? ['market', 'limit', ...NATIVE_STOP_TYPES] : ['market', 'limit'],
      timeInForce: [...TIME_IN_FORCE],
      postOnly: true,
      // Only a venue of perpetuals holds positions that reduce-only can refer to; on spot the engine enforces it.
      reduceOnly: allPerpetual,
      amend: true,
    };
    for (const symbol of Object.keys(options.perpetuals ?? {})) {
      const listed = this.instrumentList.find((instrument) => instrument.symbol === symbol);
      if (listed?.kind !== 'perpetual') throw new Error(`perpetual settings for ${symbol}, which is not a perpetual instrument of this venue`);
    }
    for (const instrument of this.instrumentList) {
      if (this.symbols.has(instrument.symbol)) throw new Error(`instrument ${instrument.symbol} is listed twice`);
      const perpetual = instrument.kind === 'perpetual' ? createPerpetualState(instrument, options.perpetuals?.[instrument.symbol], this.clock.now()) : undefined;
      if (perpetual !== undefined) this.perpetuals.add(perpetual);
      this.symbols.set(instrument.symbol, createSymbolState(instrument.symbol, instrument, perpetual));
    }
    this.onStateChange = options.onStateChange;
    if (options.state !== undefined) this.restore(options.state);
    for (const state of this.perpetuals.states.values()) this.armFunding(state);
  }

  /**
   * Everything the venue must remember to be the same venue after a restart (see paper-state.ts): every
   * working order, and of the finished and rejected ones the latest `keepFinished` (what a recovering engine
   * may still ask about; by default all the venue still remembers, see retainFinishedOrders), so the saved
   * state does not grow with every order ever placed. For saving every turn, see takeChanges.
   */
  exportState(keepFinished = this.retainFinished): PaperVenueState {
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
      perpetuals: [...this.perpetuals.states.values()].map((perpetual) => perpetualState(perpetual)),
      nextFundingNumber: this.nextFundingNumber,
      randomDraws: this.randomDraws(),
    };
  }

  /**
   * What changed since the last call (or since the venue was made or restored), for a saved state written
   * incrementally (paper-state-file.ts); the tracking starts over. Applied with applyPaperVenueChanges to the
   * state saved before, it gives exportState() now. Costs the changed orders plus one look at each resting
   * order (queue positions move with market data without marking anything).
   */
  takeChanges(): PaperVenueChanges {
    for (const symbolState of this.symbols.values()) {
      for (const side of [symbolState.resting.buys, symbolState.resting.sells]) {
        for (const order of side) if (order.queueAhead !== order.savedQueueAhead || order.levelSeen !== order.savedLevelSeen) this.changedOrders.add(order);
      }
    }
    const orders: PaperOrderState[] = [];
    for (const order of this.changedOrders) {
      if (this.orders.get(order.clientOrderId) !== order) continue;
      orders.push(orderState(order));
      rememberSavedQueue(order);
    }
    const fills = this.newFills.filter((fill) => this.orders.has(fill.clientOrderId));
    const rejectedOrders = this.newRejections.filter((rejected) => this.rejectedOrders.get(rejected.clientOrderId) === rejected);
    const changes: PaperVenueChanges = {
      orders,
      removedOrders: [...this.removedOrderIds],
      rejectedOrders,
      removedRejectedOrders: [...this.removedRejectionIds],
      fills,
      balances: this.ledger.snapshot(),
      nextOrderNumber: this.nextOrderNumber,
      nextTradeNumber: this.nextTradeNumber,
      nextPriority: this.nextPriority,
      perpetuals: [...this.perpetuals.states.values()].map((perpetual) => perpetualState(perpetual)),
      nextFundingNumber: this.nextFundingNumber,
      randomDraws: this.randomDraws(),
    };
    this.changedOrders.clear();
    this.removedOrderIds.length = 0;
    this.newRejections.length = 0;
    this.removedRejectionIds.length = 0;
    this.newFills.length = 0;
    return changes;
  }

  private randomDraws(): NonNullable<PaperVenueState['randomDraws']> {
    return {
      fillModel: this.fillModel.draws,
      orderLatency: this.orderLatency.draws,
      reportLatency: this.reportLatency.draws,
      marketDataLatency: this.marketDataLatency.draws,
    };
  }

  /** Forgets the oldest finished orders (with their fills) and rejections beyond what is retained. */
  private forgetOldest(): void {
    while (this.finishedOrders.size > this.retainFinished) {
      const clientOrderId = this.finishedOrders.values().next().value!;
      this.finishedOrders.delete(clientOrderId);
      this.orders.delete(clientOrderId);
      this.fillsByOrder.delete(clientOrderId);
      this.removedOrderIds.push(clientOrderId);
    }
    while (this.rejectedOrders.size > this.retainFinished) {
      const clientOrderId = this.rejectedOrders.keys().next().value!;
      this.rejectedOrders.delete(clientOrderId);
      this.removedRejectionIds.push(clientOrderId);
    }
  }

  private restorePerpetuals(state: PaperVenueState): void {
    for (const saved of state.perpetuals ?? []) {
      const perpetual = this.perpetuals.get(saved.symbol);
      if (perpetual === undefined) throw new Error(`the saved paper venue state has a position on ${saved.symbol}, which is not a perpetual of this venue`);
      perpetual.leverage = decimal(saved.leverage);
      perpetual.marginMode = saved.marginMode;
      perpetual.fundingRate = decimal(saved.fundingRate);
      perpetual.nextFundingAt = saved.nextFundingAt;
      perpetual.mark = saved.mark === undefined ? undefined : decimal(saved.mark);
      this.perpetuals.restorePosition(perpetual, saved.position, decimal(saved.margin));
    }
    this.nextFundingNumber = state.nextFundingNumber ?? 1;
  }

  private restore(state: PaperVenueState): void {
    if (!READABLE_PAPER_VENUE_STATE_VERSIONS.includes(state.version)) throw new Error(`paper venue state version ${String(state.version)} is not ${PAPER_VENUE_STATE_VERSION}`);
    if (state.venue !== this.id) throw new Error(`the saved paper venue state is venue "${state.venue}", not "${this.id}"`);
    this.restorePerpetuals(state);
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
    // Finished orders in the order they finished (states from before finishSequence: in placing order).
    const finished = [...this.orders.values()].filter((order) => !isWorking(order));
    finished.sort((a, b) => a.finishSequence - b.finishSequence);
    for (const order of finished) this.finishedOrders.add(order.clientOrderId);
    this.nextFinishSequence = finished.reduce((highest, order) => Math.max(highest, order.finishSequence), 0) + 1;
    for (const rejected of state.rejectedOrders) this.rejectedOrders.set(rejected.clientOrderId, rejected);
    for (const [clientOrderId, fills] of Object.entries(state.fills)) this.fillsByOrder.set(clientOrderId, [...fills]);
    for (const order of this.orders.values()) rememberSavedQueue(order);
    this.forgetOldest();
    this.nextOrderNumber = state.nextOrderNumber;
    this.nextTradeNumber = state.nextTradeNumber;
    this.nextPriority = state.nextPriority;
  }

  instruments(): readonly Instrument[] {
    return this.instrumentList;
  }

  /** A paper venue is always reachable. Funding timers run again after a disconnect. */
  connect(): Promise<void> {
    for (const perpetual of this.perpetuals.states.values()) if (!this.fundingTimers.has(perpetual.instrument.symbol)) this.armFunding(perpetual);
    return Promise.resolve();
  }

  /** Stops the funding timers (a wall clock's timers would keep the process alive); connect() re-arms them. */
  disconnect(): Promise<void> {
    for (const handle of this.fundingTimers.values()) this.clock.clearTimeout(handle);
    this.fundingTimers.clear();
    return Promise.resolve();
  }

  submit(order: VenueOrder): void {
    // Copy now: the order that reaches the venue is the one sent, whatever the caller does with its object.
    const sent: VenueOrder = { ...order };
    this.clock.setTimeout(() => this.receiveOrder(sent), this.orderLatency.delayFrom(this.clock.now()));
  }

  amend(clientOrderId: string, amendment: OrderAmendment): void {
    const sent: OrderAmendment = { ...amendment };
    this.clock.setTimeout(() => this.receiveAmendment(clientOrderId, sent), this.orderLatency.delayFrom(this.clock.now()));
  }

  cancel(clientOrderId: string): void {
    this.clock.setTimeout(() => this.receiveCancel(clientOrderId), this.orderLatency.delayFrom(this.clock.now()));
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

  onAccountReport(listener: AccountReportListener): () => void {
    this.accountListeners = [...this.accountListeners, listener];
    return () => {
      this.accountListeners = withoutOne(this.accountListeners, listener);
    };
  }

  /** Every perpetual position that is not flat, as the venue holds it. */
  positions(): Promise<readonly VenuePosition[]> {
    const positions: VenuePosition[] = [];
    for (const state of this.perpetuals.states.values()) if (state.direction !== 'flat') positions.push(this.perpetuals.view(state));
    return Promise.resolve(positions);
  }

  /** Paper-only: the venue's view of one perpetual position, flat or not (undefined for a spot or unknown symbol). */
  position(symbol: string): VenuePosition | undefined {
    const state = this.perpetuals.get(symbol);
    return state === undefined ? undefined : this.perpetuals.view(state);
  }

  /**
   * Changes a perpetual's leverage or margin mode. As on real venues, only while the symbol has no position
   * and no working order (their margin was figured at the old terms); otherwise refused with the reason.
   */
  setMarginTerms(symbol: string, terms: { readonly leverage?: DecimalString; readonly marginMode?: MarginMode }): void {
    const state = this.perpetuals.get(symbol);
    if (state === undefined) throw new Error(`${symbol} is not a perpetual of ${this.id}`);
    if (state.direction !== 'flat') throw new Error(`${symbol}: leverage and margin mode cannot change while a position is open`);
    for (const order of this.orders.values()) {
      if (isWorking(order) && order.instrument.symbol === symbol) throw new Error(`${symbol}: leverage and margin mode cannot change while order ${order.clientOrderId} is working`);
    }
    const leverage = terms.leverage === undefined ? state.leverage : decimal(terms.leverage);
    checkLeverage(symbol, leverage, state.maintenanceMarginRate);
    if (terms.marginMode !== undefined && terms.marginMode !== 'isolated' && terms.marginMode !== 'cross') {
      throw new Error(`${symbol}: marginMode must be "isolated" or "cross", got ${JSON.stringify(terms.marginMode)}`);
    }
    state.leverage = leverage;
    state.marginMode = terms.marginMode ?? state.marginMode;
    this.perpetuals.accountChanged(state.instrument.quote);
    this.onStateChange?.();
  }

  /** The funding rate applied at the next funding times of a perpetual (a funding-rate feed calls this). */
  setFundingRate(symbol: string, rate: DecimalString): void {
    const state = this.perpetuals.get(symbol);
    if (state === undefined) throw new Error(`${symbol} is not a perpetual of ${this.id}`);
    state.fundingRate = decimal(rate);
    this.onStateChange?.();
  }

  /** A mark price from a feed (for perpetuals whose markPrice source is 'feed'; ignored for the others). */
  onMarkPrice(symbol: string, price: Decimal): void {
    const state = this.perpetuals.get(symbol);
    if (state?.markSource !== 'feed') return;
    state.mark = price;
    this.checkMargin(state, price, price);
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
      const perpetual = state.perpetual;
      if (perpetual !== undefined) this.updateMark(perpetual, tick);
    }
    this.deliverMarketData(state, tick);
  }

  /**
   * L2 book replay: the update is applied to the symbol's full-depth book, which then meets resting orders
   * the way a quote does (a level that shrank ahead of an order moves its queue position, per the fill
   * model); subscribers get a quote of the top `bookReplayQuoteDepth` levels.
   */
  onBookUpdate(update: BookUpdate): void {
    const state = this.symbols.get(update.symbol);
    if (state === undefined) return;
    let book = state.l2Book;
    if (book === undefined) {
      book = new L2Book();
      state.l2Book = book;
    }
    book.apply(update);
    if (state.instrument !== undefined) {
      this.applyQuote(state, { type: 'quote', symbol: update.symbol, timestamp: update.timestamp, bids: book.bids, asks: book.asks });
    }
    const view: QuoteTick = {
      type: 'quote',
      symbol: update.symbol,
      timestamp: update.timestamp,
      bids: book.bids.slice(0, this.bookReplayQuoteDepth),
      asks: book.asks.slice(0, this.bookReplayQuoteDepth),
    };
    if (state.perpetual !== undefined) this.updateMark(state.perpetual, view);
    this.deliverMarketData(state, view);
  }

  private deliverMarketData(state: SymbolState, tick: MarketData): void {
    if (this.marketDataLatency.isZero) {
      const listeners = state.listeners;
      for (let index = 0; index < listeners.length; index++) listeners[index]!(tick);
      return;
    }
    this.clock.setTimeout(() => {
      const listeners = state.listeners;
      for (let index = 0; index < listeners.length; index++) listeners[index]!(tick);
    }, this.marketDataLatency.delayFrom(this.clock.now()));
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
        if (deepestBid !== undefined && buys.length > 0) shrinkQueues(buys, book.bids, deepestBid.price, this.fillModel);
      }
    }
    const sells = state.resting.sells;
    if (sells.length > 0) {
      const deepestAsk = quote.asks[quote.asks.length - 1];
      if (deepestAsk === undefined || isAtMost(sells[0]!.price!, deepestAsk.price)) {
        const bestBid = quote.bids[0];
        if (bestBid !== undefined && isAtLeast(bestBid.price, sells[0]!.price!)) this.fillRestingFromQuote(state, 'sell');
        if (deepestAsk !== undefined && sells.length > 0) shrinkQueues(sells, book.asks, deepestAsk.price, this.fillModel);
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
      if (!isWorking(order)) continue;
      const passing = crossingQuantity(opposite, order.price!).minus(filledByUs);
      const pass = passThroughQueue(order.queueAhead, fillableQuantity(order, state.perpetual), passing);
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
    const volume = this.fillModel.tradeVolume(state.instrument!, trade.quantity);
    let filledByUs = ZERO;
    for (const order of candidates) {
      if (!isWorking(order)) continue;
      const passing = volume.minus(filledByUs);
      if (!passing.gt(ZERO)) break;
      let filled: Decimal;
      if (order.price!.eq(trade.price)) {
        if (!hitsThisSide) continue;
        const pass = passThroughQueue(order.queueAhead, fillableQuantity(order, state.perpetual), passing);
        order.queueAhead = order.queueAhead.minus(pass.eaten);
        filled = pass.filled;
        // The displayed level lost what traded there except what filled us (we are not in the data).
        if (this.fillModel.tracksLevels) order.levelSeen = maxOf(ZERO, order.levelSeen.minus(passing.minus(pass.filled)));
      } else {
        order.queueAhead = ZERO;
        order.levelSeen = ZERO;
        const remaining = fillableQuantity(order, state.perpetual);
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
    this.changedOrders.add(order);
    if (order.price === undefined && !order.reduceOnly && (order.side === 'buy' || state.perpetual !== undefined)) {
      // A market order's reservation was an estimate at the stop price; hold the real walked cost instead.
      const plan = planTake(order.side === 'buy' ? state.book.asks : state.book.bids, remainingQuantity(order), undefined);
      this.ledger.release(order.reservedCurrency, order.reserved);
      order.reserved = ZERO;
      const needed = this.notionalHold(state, plan.notional);
      const held = this.hold(state, order.reservedCurrency, needed);
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

    if (order.reduceOnly) {
      const position = state.perpetual!;
      if (position.direction === 'flat' || position.direction === (order.side === 'buy' ? 'long' : 'short')) {
        return this.rejectOrder(request, `reduce-only ${order.side} would open or add to a position (${order.instrument.symbol} is ${position.direction})`);
      }
    }
    let reservation: Decimal;
    if (order.reduceOnly) {
      // Reducing frees margin; its fee comes out of what the close realizes.
      reservation = ZERO;
    } else if (order.side === 'sell' && state.perpetual === undefined) {
      reservation = order.quantity;
    } else if (order.type === 'market') {
      // A market order holds what walking the book costs now; a fill-or-kill that cannot fill holds nothing.
      const plan = planTake(opposite, order.quantity, undefined);
      const willBeKilled = order.timeInForce === 'FOK' && plan.filledQuantity.lt(order.quantity);
      reservation = willBeKilled ? ZERO : this.notionalHold(state, plan.notional);
    } else {
      // Limit-priced orders hold their limit; stop-market orders hold an estimate at the stop price.
      reservation = this.limitHold(state, order.quantity, order.price ?? order.stopPrice!);
    }
    const held = this.hold(state, order.reservedCurrency, reservation);
    if (!held.ok) return this.rejectOrder(request, held.reason);
    order.reserved = reservation;

    this.orders.set(clientOrderId, order);
    this.changedOrders.add(order);
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
    this.changedOrders.add(order);
    const { price, quantity, stopPrice } = parsed;
    const repriced = price !== undefined && order.price !== undefined && !price.eq(order.price);
    const grown = quantity.gt(order.quantity);
    const opposite = order.side === 'buy' ? state.book.asks : state.book.bids;
    if (order.postOnly && repriced && wouldTake(opposite, price)) return refuse('post-only order would take liquidity at the new price');

    // Re-size the reservation to the amended order before changing anything, so a refusal changes nothing.
    const remaining = quantity.minus(order.filledQuantity);
    const reservation = order.reduceOnly
      ? ZERO
      : order.side === 'sell' && state.perpetual === undefined
        ? remaining
        : this.limitHold(state, remaining, price ?? stopPrice!);
    if (reservation.gt(order.reserved)) {
      const held = this.hold(state, order.reservedCurrency, reservation.minus(order.reserved));
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
    const wanted = fillableQuantity(order, state.perpetual);
    if (order.reduceOnly && !wanted.gt(ZERO)) return this.cancelReduceOnly(order);
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
    for (const fill of plan.fills) if (isWorking(order)) this.applyFill(state, order, fill.quantity, fill.price, 'taker');
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
    const displayed = sameSide.displayedAt(order.price);
    order.queueAhead = this.fillModel.joinQueue(displayed);
    order.levelSeen = displayed;
    state.resting.insert(order);
  }

  /** Books one fill: cash moves exactly, its share of the reservation is released, a report goes out. */
  private applyFill(state: SymbolState, order: PaperOrder, quantity: Decimal, price: Decimal, liquidity: 'maker' | 'taker'): void {
    const instrument = order.instrument;
    const flow = fillCashFlow(order.side, quantity, price, liquidity === 'maker' ? instrument.makerFee : instrument.takerFee);
    const perpetual = state.perpetual;
    const covered =
      order.reduceOnly
        ? ZERO
        : perpetual !== undefined
          ? order.price !== undefined
            ? this.limitHold(state, quantity, order.price)
            : this.notionalHold(state, flow.notional)
          : order.side === 'sell'
            ? quantity
            : order.price !== undefined
              ? buyReservation(instrument, quantity, order.price)
              : notionalReservation(instrument, flow.notional);
    const release = covered.lt(order.reserved) ? covered : order.reserved;
    this.ledger.release(order.reservedCurrency, release);
    order.reserved = order.reserved.minus(release);
    if (perpetual !== undefined) {
      // A perpetual moves no base: the position changes, the wallet takes realized PnL and the fee.
      this.perpetuals.applyFill(perpetual, order.side, quantity, price, flow.fee);
    } else {
      this.ledger.change(instrument.base, flow.baseChange);
      this.ledger.change(instrument.quote, flow.quoteChange);
      if (this.perpetuals.states.size > 0) this.perpetuals.accountChanged(instrument.quote);
    }
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
    this.newFills.push(fill);
    this.changedOrders.add(order);
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
    if (perpetual !== undefined) {
      this.emitPosition(perpetual);
      // Real venues cancel reduce-only orders once there is nothing left to reduce.
      if (perpetual.direction === 'flat') this.cancelReduceOnlyOrders(instrument.symbol);
    }
  }

  /** Ends an order: releases what is still reserved and takes it out of every index and timer. */
  private closeOrder(order: PaperOrder, status: 'filled' | 'canceled' | 'expired', state = this.symbols.get(order.instrument.symbol)!): void {
    order.status = status;
    order.finishSequence = this.nextFinishSequence++;
    this.changedOrders.add(order);
    this.finishedOrders.add(order.clientOrderId);
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
    this.forgetOldest();
  }

  // ----- perpetuals: margin, mark, funding, liquidation -----

  /** What a limit-priced order (or a stop at its stop price) holds: spot buys quote with fee; perpetuals margin with fee. */
  private limitHold(state: SymbolState, quantity: Decimal, price: Decimal): Decimal {
    const perpetual = state.perpetual;
    if (perpetual === undefined) return buyReservation(state.instrument!, quantity, price);
    return orderMargin(quantity, price, perpetual.leverage, reservationFeeRate(state.instrument!));
  }

  /** The same for an order whose cost is a walked notional (market orders). */
  private notionalHold(state: SymbolState, notional: Decimal): Decimal {
    const perpetual = state.perpetual;
    if (perpetual === undefined) return notionalReservation(state.instrument!, notional);
    return notionalMargin(notional, perpetual.leverage, reservationFeeRate(state.instrument!));
  }

  /** Holds `amount` for an order: spot from the free balance, perpetuals from the margin available. */
  private hold(state: SymbolState, currency: string, amount: Decimal): ReservationResult {
    if (state.perpetual === undefined) return this.ledger.reserve(currency, amount);
    // Reduce-only orders hold nothing and always pass, whatever losses the account carries.
    if (amount.eq(ZERO)) return { ok: true };
    const available = this.perpetuals.available(currency);
    if (amount.gt(available)) {
      return { ok: false, reason: `insufficient margin: needs ${toDecimalString(amount)} ${currency}, available ${toDecimalString(available)} ${currency}` };
    }
    this.ledger.hold(currency, amount);
    return { ok: true };
  }

  private cancelReduceOnly(order: PaperOrder): void {
    this.closeOrder(order, 'canceled');
    this.emit({ type: 'canceled', clientOrderId: order.clientOrderId, reason: `reduce-only: no ${order.side === 'buy' ? 'short' : 'long'} position left to reduce` });
  }

  private cancelReduceOnlyOrders(symbol: string): void {
    for (const order of this.workingOrders(symbol)) if (order.reduceOnly) this.cancelReduceOnly(order);
  }

  private workingOrders(symbol: string): PaperOrder[] {
    const working: PaperOrder[] = [];
    for (const order of this.orders.values()) if (isWorking(order) && order.instrument.symbol === symbol) working.push(order);
    return working;
  }

  /** A tick moves the mark (per the symbol's source) and, when the position is open, checks its maintenance. */
  private updateMark(perpetual: PerpetualState, tick: MarketData): void {
    if (tick.type === 'quote') {
      if (perpetual.markSource !== 'mid') return;
      perpetual.markQuote = tick;
      perpetual.mark = undefined;
      if (perpetual.direction === 'flat') return;
      const bid = tick.bids[0];
      const ask = tick.asks[0];
      if (bid !== undefined || ask !== undefined) this.checkMargin(perpetual, (bid ?? ask)!.price, (ask ?? bid)!.price);
    } else if (tick.type === 'trade') {
      if (perpetual.markSource !== 'last') return;
      perpetual.mark = tick.price;
      if (perpetual.direction !== 'flat') this.checkMargin(perpetual, tick.price, tick.price);
    }
  }

  /** The mark lies between `first` and `second`: liquidate whatever no longer covers its maintenance. */
  private checkMargin(perpetual: PerpetualState, first: Decimal, second: Decimal): void {
    if (perpetual.direction === 'flat' || !this.perpetuals.mayBeBreached(perpetual, first, second)) return;
    markOf(perpetual);
    const breached = this.perpetuals.breached(perpetual);
    if (breached.length > 0) this.liquidate(breached);
  }

  /**
   * The venue takes over the positions: their working orders are canceled (their margin returns), then each
   * is closed whole at its liquidation settlement, reported as a liquidation trade and a position report.
   */
  private liquidate(positions: readonly PerpetualState[]): void {
    for (const perpetual of positions) {
      for (const order of this.workingOrders(perpetual.instrument.symbol)) {
        this.closeOrder(order, 'canceled');
        this.emit({ type: 'canceled', clientOrderId: order.clientOrderId, reason: `position liquidated: ${perpetual.instrument.symbol} margin fell to maintenance` });
      }
    }
    for (const perpetual of positions) {
      if (perpetual.direction === 'flat') continue;
      const trade = this.perpetuals.liquidate(perpetual);
      this.emitAccount({
        type: 'liquidation',
        symbol: perpetual.instrument.symbol,
        side: trade.side,
        quantity: toDecimalString(trade.quantity),
        price: toDecimalString(trade.settlement.price),
        fee: toDecimalString(trade.settlement.fee),
        feeCurrency: perpetual.instrument.quote,
        tradeId: `${this.id}-t${this.nextTradeNumber++}`,
      });
      this.emitPosition(perpetual);
    }
  }

  private armFunding(perpetual: PerpetualState): void {
    const symbol = perpetual.instrument.symbol;
    const handle = this.clock.setTimeout(() => this.fund(perpetual), Math.max(0, perpetual.nextFundingAt - this.clock.now()));
    this.fundingTimers.set(symbol, handle);
  }

  /** A funding time: the open position pays or receives, at the mark then; a payment may breach maintenance. */
  private fund(perpetual: PerpetualState): void {
    this.fundingTimers.delete(perpetual.instrument.symbol);
    const fundingTime = perpetual.nextFundingAt;
    perpetual.nextFundingAt = fundingTime + perpetual.fundingIntervalMs;
    const paid = this.perpetuals.payFunding(perpetual);
    if (paid === undefined) {
      this.onStateChange?.();
    } else {
      this.emitAccount(
        {
          type: 'funding',
          symbol: perpetual.instrument.symbol,
          amount: toDecimalString(paid.amount),
          currency: perpetual.instrument.quote,
          rate: toDecimalString(perpetual.fundingRate),
          fundingId: `${this.id}-f${this.nextFundingNumber++}`,
        },
        fundingTime,
      );
      this.emitPosition(perpetual);
      const breached = this.perpetuals.breached(perpetual);
      if (breached.length > 0) this.liquidate(breached);
    }
    this.armFunding(perpetual);
  }

  private emitPosition(perpetual: PerpetualState): void {
    this.emitAccount({ type: 'position', ...this.perpetuals.view(perpetual) });
  }

  /** Stamps an account report and delivers it like execution reports: saved first, `reportLatencyMs` later, in order. */
  private emitAccount(draft: AccountReportDraft, timestamp = this.clock.now()): void {
    const report = { ...draft, venue: this.id, timestamp } as AccountReport;
    this.onStateChange?.();
    this.clock.setTimeout(() => {
      const listeners = this.accountListeners;
      for (const listener of listeners) listener(report);
    }, this.reportLatency.delayFrom(this.clock.now()));
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
        reduceOnly: instrument.kind === 'perpetual' && request.reduceOnly === true,
        expireAt: request.timeInForce === 'GTD' ? request.expireAt : undefined,
        quantity,
        price,
        stopPrice,
        filledQuantity: ZERO,
        status: 'open',
        awaitingTrigger: false,
        resting: false,
        queueAhead: ZERO,
        levelSeen: ZERO,
        priority: 0,
        reservedCurrency: side === 'buy' || instrument.kind === 'perpetual' ? instrument.quote : instrument.base,
        reserved: ZERO,
        expiryTimer: undefined,
        finishSequence: 0,
        savedQueueAhead: undefined,
        savedLevelSeen: undefined,
      },
    };
  }

  private rejectOrder(request: VenueOrder, reason: string): void {
    const rejected: VenueOrderStatus = {
      clientOrderId: request.clientOrderId,
      venueOrderId: '',
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      status: 'rejected',
      quantity: request.quantity,
      filledQuantity: '0',
      ...(request.price !== undefined ? { price: request.price } : {}),
    };
    this.rejectedOrders.set(request.clientOrderId, rejected);
    this.newRejections.push(rejected);
    this.forgetOldest();
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
    }, this.reportLatency.delayFrom(this.clock.now()));
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

function createSymbolState(symbol: string, instrument: Instrument | undefined, perpetual: PerpetualState | undefined = undefined): SymbolState {
  return { symbol, instrument, book: new PaperBook(), resting: new RestingOrders(), triggers: new TriggerIndex(), perpetual, l2Book: undefined, listeners: [] };
}

function perpetualState(perpetual: PerpetualState): PaperPerpetualState {
  const mark = markOf(perpetual);
  return {
    symbol: perpetual.instrument.symbol,
    leverage: toDecimalString(perpetual.leverage),
    marginMode: perpetual.marginMode,
    fundingRate: toDecimalString(perpetual.fundingRate),
    nextFundingAt: perpetual.nextFundingAt,
    position: perpetual.position,
    margin: toDecimalString(perpetual.margin),
    ...(mark !== undefined ? { mark: toDecimalString(mark) } : {}),
  };
}

/** What an order may fill now: its remaining quantity, and for reduce-only at most the position it reduces. */
function fillableQuantity(order: PaperOrder, perpetual: PerpetualState | undefined): Decimal {
  const remaining = remainingQuantity(order);
  if (!order.reduceOnly || perpetual === undefined) return remaining;
  if (perpetual.direction === 'flat' || perpetual.direction === (order.side === 'buy' ? 'long' : 'short')) return ZERO;
  return remaining.lt(perpetual.quantity) ? remaining : perpetual.quantity;
}

function rememberSavedQueue(order: PaperOrder): void {
  order.savedQueueAhead = order.queueAhead;
  order.savedLevelSeen = order.levelSeen;
}

function maxOf(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
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
function shrinkQueues(orders: readonly PaperOrder[], sameSide: BookSide, deepestPrice: Decimal, model: FillModel): void {
  for (let index = 0; index < orders.length; index++) {
    const order = orders[index]!;
    const withinDepth = sameSide.isBidSide ? isAtLeast(order.price!, deepestPrice) : isAtMost(order.price!, deepestPrice);
    if (!withinDepth) return;
    if (model.tracksLevels) {
      const level = sameSide.displayedAt(order.price!);
      order.queueAhead = model.queueAfterLevelChange(order.queueAhead, order.levelSeen, level);
      order.levelSeen = level;
      continue;
    }
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
