// PaperVenue: a simulated venue (spot and perpetual futures) with book walking, queue positions, latency, fees,
// reserved balances, margin, funding and liquidation. This file is its face (the Venue contract and the paper-only
// methods); the work is done in its parts: order-entry, order-validation, order-execution, resting-fills,
// perpetual-margin, market-intake, saved-state and report-delivery, all on one PaperCore (paper-core.ts).
import { toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { BookUpdate, MarketData, MarketDataListener } from '../../src/domain/market-data.ts';
import type {
  AccountReportListener,
  Balance,
  ExecutionReportListener,
  OrderAmendment,
  Venue,
  VenueCapabilities,
  VenueFill,
  VenueOrder,
  VenueOrderList,
  VenueOrderStatus,
  VenuePosition,
} from '../venue.ts';
import { receiveBookUpdate, receiveMarketData } from './market-intake.ts';
import { receiveAmendment, receiveCancel, receiveOrder } from './order-entry.ts';
import { createPaperCore, symbolState, withoutOne, type PaperCore, type PaperVenueOptions } from './paper-core.ts';
import { orderListRefusal } from './order-list-refusal.ts';
import { receiveOrderList } from './order-lists.ts';
import { isWorking, orderStatus } from './paper-order.ts';
import type { PaperVenueChanges, PaperVenueState } from './paper-state.ts';
import type { MarginMode } from './perpetual-account.ts';
import { armFunding, receiveMarkPrice, setFundingRate, setMarginTerms } from './perpetual-margin.ts';
import { exportVenueState, restoreVenueState, takeVenueChanges } from './saved-state.ts';

export type { PaperVenueOptions } from './paper-core.ts';

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
 * - Native OCO lists (order-lists.ts): legs accepted or rejected together, one hold per currency for the list;
 *   a leg's first fill (even partial) or trigger, its cancel or its expiry cancels the others. Legs are not amended.
 * - Bar ticks are forwarded to subscribers but fill nothing: replay bars through `expandBarsToTrades`
 *   (adapters/market-data/bars.ts) so fills come from their implied trades at times inside the bar.
 */
export class PaperVenue implements Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  private readonly core: PaperCore;

  constructor(options: PaperVenueOptions) {
    this.core = createPaperCore(options);
    this.id = this.core.id;
    this.capabilities = this.core.capabilities;
    if (options.state !== undefined) restoreVenueState(this.core, options.state);
    for (const state of this.core.perpetuals.states.values()) armFunding(this.core, state);
  }

  /**
   * Everything the venue must remember to be the same venue after a restart (see paper-state.ts): every
   * working order, and of the finished and rejected ones the latest `keepFinished` (what a recovering engine
   * may still ask about; by default all the venue still remembers, see retainFinishedOrders), so the saved
   * state does not grow with every order ever placed. For saving every turn, see takeChanges.
   */
  exportState(keepFinished = this.core.retainFinished): PaperVenueState {
    return exportVenueState(this.core, keepFinished);
  }

  /**
   * What changed since the last call (or since the venue was made or restored), for a saved state written
   * incrementally (paper-state-file.ts); the tracking starts over. Applied with applyPaperVenueChanges to the
   * state saved before, it gives exportState() now.
   */
  takeChanges(): PaperVenueChanges {
    return takeVenueChanges(this.core);
  }

  instruments(): readonly Instrument[] {
    return this.core.instrumentList;
  }

  /** A paper venue is always reachable. Funding timers run again after a disconnect. */
  connect(): Promise<void> {
    for (const perpetual of this.core.perpetuals.states.values()) if (!this.core.fundingTimers.has(perpetual.instrument.symbol)) armFunding(this.core, perpetual);
    return Promise.resolve();
  }

  /** Stops the funding timers (a wall clock's timers would keep the process alive); connect() re-arms them. */
  disconnect(): Promise<void> {
    for (const handle of this.core.fundingTimers.values()) this.core.clock.clearTimeout(handle);
    this.core.fundingTimers.clear();
    return Promise.resolve();
  }

  submit(order: VenueOrder): void {
    // Copy now: the order that reaches the venue is the one sent, whatever the caller does with its object.
    const sent: VenueOrder = { ...order };
    this.core.clock.setTimeout(() => receiveOrder(this.core, sent), this.core.orderLatency.delayFrom(this.core.clock.now()));
  }

  /** Why this venue cannot hold `list` as one OCO (see order-list-refusal.ts), or undefined when it can. */
  orderListRefusal(list: VenueOrderList): string | undefined {
    return orderListRefusal(list, this);
  }

  /**
   * Sends the legs as one OCO (see order-lists.ts): all accepted with one hold per currency (the largest leg's
   * need), or all rejected; the first fill or trigger of a leg, its cancel or its expiry cancels the others.
   */
  submitList(list: VenueOrderList): void {
    const sent: VenueOrderList = { ...list, orders: list.orders.map((order) => ({ ...order })) };
    this.core.clock.setTimeout(() => receiveOrderList(this.core, sent), this.core.orderLatency.delayFrom(this.core.clock.now()));
  }

  amend(clientOrderId: string, amendment: OrderAmendment): void {
    const sent: OrderAmendment = { ...amendment };
    this.core.clock.setTimeout(() => receiveAmendment(this.core, clientOrderId, sent), this.core.orderLatency.delayFrom(this.core.clock.now()));
  }

  cancel(clientOrderId: string): void {
    this.core.clock.setTimeout(() => receiveCancel(this.core, clientOrderId), this.core.orderLatency.delayFrom(this.core.clock.now()));
  }

  queryOrder(clientOrderId: string): Promise<VenueOrderStatus | undefined> {
    const order = this.core.orders.get(clientOrderId);
    return Promise.resolve(order !== undefined ? orderStatus(order) : this.core.rejectedOrders.get(clientOrderId));
  }

  orderFills(clientOrderId: string): Promise<readonly VenueFill[]> {
    return Promise.resolve([...(this.core.fillsByOrder.get(clientOrderId) ?? [])]);
  }

  openOrders(): Promise<readonly VenueOrderStatus[]> {
    const open: VenueOrderStatus[] = [];
    for (const order of this.core.orders.values()) if (isWorking(order)) open.push(orderStatus(order));
    return Promise.resolve(open);
  }

  balances(): Promise<readonly Balance[]> {
    return Promise.resolve(this.core.ledger.snapshot());
  }

  onExecutionReport(listener: ExecutionReportListener): () => void {
    this.core.reportListeners = [...this.core.reportListeners, listener];
    return () => {
      this.core.reportListeners = withoutOne(this.core.reportListeners, listener);
    };
  }

  onAccountReport(listener: AccountReportListener): () => void {
    this.core.accountListeners = [...this.core.accountListeners, listener];
    return () => {
      this.core.accountListeners = withoutOne(this.core.accountListeners, listener);
    };
  }

  /** Every perpetual position that is not flat, as the venue holds it. */
  positions(): Promise<readonly VenuePosition[]> {
    const positions: VenuePosition[] = [];
    for (const state of this.core.perpetuals.states.values()) if (state.direction !== 'flat') positions.push(this.core.perpetuals.view(state));
    return Promise.resolve(positions);
  }

  /** Paper-only: the venue's view of one perpetual position, flat or not (undefined for a spot or unknown symbol). */
  position(symbol: string): VenuePosition | undefined {
    const state = this.core.perpetuals.get(symbol);
    return state === undefined ? undefined : this.core.perpetuals.view(state);
  }

  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void {
    const states = [...new Set(symbols)].map((symbol) => symbolState(this.core, symbol));
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
    const order = this.core.orders.get(clientOrderId);
    return order?.resting === true ? toDecimalString(order.queueAhead) : undefined;
  }

  /**
   * Changes a perpetual's leverage or margin mode. As on real venues, only while the symbol has no position
   * and no working order (their margin was figured at the old terms); otherwise refused with the reason.
   */
  setMarginTerms(symbol: string, terms: { readonly leverage?: DecimalString; readonly marginMode?: MarginMode }): void {
    setMarginTerms(this.core, symbol, terms);
  }

  /** The funding rate applied at the next funding times of a perpetual (a funding-rate feed calls this). */
  setFundingRate(symbol: string, rate: DecimalString): void {
    setFundingRate(this.core, symbol, rate);
  }

  /** A mark price from a feed (for perpetuals whose markPrice source is 'feed'; ignored for the others). */
  onMarkPrice(symbol: string, price: Decimal): void {
    receiveMarkPrice(this.core, symbol, price);
  }

  /**
   * The hot path: a replay driver or live feed hands every tick here (see market-intake.ts). The book is
   * updated and resting orders matched first, then the tick goes to subscribers.
   */
  onMarketData(tick: MarketData): void {
    receiveMarketData(this.core, tick);
  }

  /** L2 book replay: the update is applied to the symbol's full-depth book (see market-intake.ts). */
  onBookUpdate(update: BookUpdate): void {
    receiveBookUpdate(this.core, update);
  }
}
