// createEngine(): a small facade over the engine's parts. Commands go to order and position actors, whose
// effects run after their transitions (turn.ts); venue reports go to order actors; the domain events they
// announce reach the engine's reactions (ledger, positions, triggers, deadlines, loss limits) and subscribers.
import type { Logger } from 'pino';
import type { Actor, AnyActorRef } from 'xstate';
import type { Venue } from '../../adapters/venue.ts';
import type { portfolioMachine, TradingStateName } from '../../machines/portfolio.ts';
import type { ExecutionFilter } from '../analytics/execution-tracker.ts';
import type { AlgorithmExecution, ExecutionSummary } from '../analytics/execution.ts';
import { summarizePerformance, type PerformanceSummary } from '../analytics/performance.ts';
import type { ExitReason, TradeRecord } from '../analytics/trade-record.ts';
import type { Clock } from '../domain/clock.ts';
import { decimal, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { DomainEvent, DomainEventListener } from '../domain/events.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { OrderRequestInput } from '../domain/order-request.ts';
import { EngineParts } from './assemble.ts';
import type { OrderHandle } from './commands/orders.ts';
import type { AlgoFilter, AlgoRequest } from './commands/algos.ts';
import type { OrderListFilter, OrderListRequest } from './commands/order-lists.ts';
import type { AlgoView, OrderListView } from './algos/parent-view.ts';
import type { OpenPositionRequest, PositionHandle } from './commands/positions.ts';
import { EngineStateError, UnknownPositionError } from './errors.ts';
import type { OrderActor } from './order-registry.ts';
import type { OrderView } from './order-view.ts';
import type { PositionActor, PositionView } from './positions.ts';
import type { Signal, SignalOutcome } from './signals.ts';
import { startParts } from './start.ts';
import type { StopHandOverReport, UnprotectedPosition } from './stop-hand-over.ts';
import type { AccountView, OrderFilter } from './views.ts';
import type { EngineOptions, RecoveryReport } from './options.ts';

export type { EngineOptions, RecoveryReport } from './options.ts';

export type { OrderHandle } from './commands/orders.ts';
export type { OpenPositionRequest, PositionHandle } from './commands/positions.ts';
export type { AccountView, OrderFilter } from './views.ts';
export type { AlgoAmendment, AlgoFilter, AlgoRequest } from './commands/algos.ts';
export type { OrderListFilter, OrderListRequest } from './commands/order-lists.ts';
export type { AlgoView, OrderListView, ParentChildView, OrderListLegView, AlgoStatus, OrderListStatus } from './algos/parent-view.ts';
export type { OrderActor } from './order-registry.ts';
export type { HandedStop, StopHandOverReport, UnprotectedPosition } from './stop-hand-over.ts';

export type PortfolioActor = Actor<typeof portfolioMachine>;

type EngineLifecycle = 'created' | 'starting' | 'started' | 'stopped';

export function createEngine(options: EngineOptions): Engine {
  return new Engine(options);
}

export class Engine {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The portfolio actor: root of the actor system, so one `system.inspect` sees every order. */
  readonly portfolio: PortfolioActor;
  private readonly parts: EngineParts;
  private lifecycle: EngineLifecycle = 'created';
  private recovery: RecoveryReport | undefined;

  constructor(options: EngineOptions) {
    this.parts = new EngineParts(options);
    this.clock = this.parts.clock;
    this.logger = this.parts.logger;
    this.portfolio = this.parts.portfolio;
  }

  /**
   * Connects every venue, loads instruments and subscribes to execution reports and market data. With a
   * store it is also recovery (one code path; a new file is recovery of nothing): every working actor is
   * restored from its snapshot, deadlines and triggers are re-armed, and each venue is reconciled.
   */
  async start(): Promise<void> {
    if (this.lifecycle !== 'created') throw new EngineStateError(`the engine cannot start: it is ${this.lifecycle}`);
    this.lifecycle = 'starting';
    this.recovery = await startParts(this.parts, () => {
      this.lifecycle = 'started';
    });
  }

  /**
   * For a graceful stop: each trailing stop held here (the venue cannot trail) goes to the venue as a native
   * stop at its current level, where the venue holds stop orders and its link is live; the held one is
   * canceled in the same turn, so the two never both work. After a restart the position keeps the native stop
   * until the market passes the best price trailing had seen, then trails here again (placing its trailing
   * stop before canceling the native one, as any switch to trailing does). Resolves once the venue has
   * answered for each stop (or after `waitMs` of wall time, default 5,000), with the positions still left
   * without a stop at the venue and why.
   */
  async handStopsToVenue(options: { waitMs?: number } = {}): Promise<StopHandOverReport> {
    this.command(() => this.parts.triggers.flushTrailing());
    const handed = this.parts.queue.run(() => this.parts.stopHandOver.handOver());
    const deadline = Date.now() + (options.waitMs ?? 5_000);
    while (handed.some((stop) => !this.parts.stopHandOver.answered(stop.orderId)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const unprotected = this.unprotectedPositions();
    return { handedOver: handed.filter((stop) => !unprotected.some((entry) => entry.positionId === stop.positionId)), unprotected };
  }

  /** Open positions with no stop held by the venue (held here, unconfirmed, or none), each with why. */
  unprotectedPositions(): UnprotectedPosition[] {
    return this.parts.stopHandOver.unprotected();
  }

  /** Stops routing and timers and disconnects venues. Resting orders stay at the venue as they are. */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopped';
    // What this turn changed is committed before anything else stops (the caller closes the store).
    this.parts.queue.run(() => this.parts.triggers.flushTrailing());
    if (this.parts.store?.isOpen) this.parts.store.flush();
    this.parts.triggers.stop();
    this.parts.deadlines.stop();
    this.parts.parents.stop();
    this.parts.orders.stop();
    this.parts.closedPositions.stop();
    for (const binding of this.parts.venues.all()) {
      for (const unsubscribe of binding.unsubscribe) unsubscribe();
      binding.unsubscribe = [];
      await binding.venue.disconnect();
    }
    this.portfolio.stop();
  }

  /** What the last start() restored and reconciled; undefined before start() has finished. */
  recoveryReport(): RecoveryReport | undefined {
    return this.recovery;
  }

  /**
   * Domain events after `afterSequence`, oldest first, at most `limit` (default 1,000): for a client that
   * resumes a stream. Without a store only the last `eventHistory` events are held; asking for older ones
   * throws EventsUnavailableError (re-read current state instead).
   */
  eventsSince(afterSequence: number, limit = 1000): DomainEvent[] {
    return this.parts.history.eventsSince(afterSequence, limit);
  }

  /** The sequence of the last domain event (0 before any). */
  lastSequence(): number {
    return this.parts.bus.lastSequence();
  }

  /**
   * Resolves once everything decided so far is on disk (this turn's group commit); at once without a store.
   * An API answers "created" after this, so a client never hears of an order a crash could then lose.
   */
  whenDurable(): Promise<void> {
    return this.parts.store === undefined ? Promise.resolve() : this.parts.store.whenCommitted();
  }

  /** Every domain event, in sequence order, as it happens. Returns the unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void {
    return this.parts.bus.subscribe(listener);
  }

  /**
   * Every domain event as its actor announces it, inside that actor's transition and before the engine has
   * reacted: for observers that only record what happened in step with the actors' snapshots (the inspector).
   * The listener must not call into the engine. Returns the unsubscribe function.
   */
  recordAnnouncements(listener: DomainEventListener): () => void {
    return this.parts.bus.record(listener);
  }

  /** Validates and places an order. Throws OrderRequestError (or an engine error) and changes nothing if bad. */
  submitOrder(input: OrderRequestInput): OrderHandle {
    return this.command(() => this.parts.orderCommands.submit(input));
  }

  /** Changes price, quantity or stop price, through the venue (or locally for an emulated order). */
  amendOrder(orderId: string, changes: unknown): OrderHandle {
    return this.command(() => this.parts.orderCommands.amend(orderId, changes));
  }

  /** Cancels an order: at the venue if it is there, locally if it never left. */
  cancelOrder(orderId: string): OrderHandle {
    return this.command(() => this.parts.orderCommands.cancel(orderId));
  }

  getOrder(orderId: string): OrderView | undefined {
    return this.parts.views.order(orderId);
  }

  listOrders(filter: OrderFilter = {}): OrderView[] {
    return this.parts.views.listOrders(filter);
  }

  /** The order's actor while it is in memory, for integrations that watch it (subscribe) themselves. */
  getOrderActor(orderId: string): OrderActor | undefined {
    return this.parts.orders.get(orderId);
  }

  /** Orders in memory: working ones and those finished within the grace period. */
  get orderCount(): number {
    return this.parts.orders.size;
  }

  /** The last price seen for a symbol: trade price, quote mid, or bar close. */
  marketPrice(symbol: string, venueId?: string): Decimal | undefined {
    return this.parts.venues.marketPrice(venueId ?? this.parts.venues.defaultVenueId(), symbol);
  }

  instrument(venueId: string, symbol: string): Instrument {
    return this.parts.venues.instrument(venueId, symbol);
  }

  venue(venueId: string): Venue {
    return this.parts.venues.venue(venueId);
  }

  /** The ids of the engine's venues, the default (first) one first. */
  venueIds(): string[] {
    return this.parts.venues.ids();
  }

  /**
   * Starts an execution algorithm (twap, vwap, pov, iceberg, chase). It is checked whole first (parameters,
   * instrument, its smallest child as an order): a bad one throws AlgoParamsError with every reason and
   * nothing is sent. Its children `{algoId}-E{n}` pass the risk gate like every order.
   */
  submitAlgo(request: AlgoRequest): AlgoView {
    return this.command(() => this.parts.algoCommands.submit(request));
  }

  /** Cancels the algo's working children and holds its schedule (fills kept). */
  pauseAlgo(algoId: string): AlgoView {
    return this.command(() => this.parts.algoCommands.pause(algoId));
  }

  resumeAlgo(algoId: string): AlgoView {
    return this.command(() => this.parts.algoCommands.resume(algoId));
  }

  /** A new quantity (never below what filled) and/or limit price: `{ quantity?, limitPrice? }`. */
  amendAlgo(algoId: string, changes: { quantity?: DecimalString; limitPrice?: DecimalString }): AlgoView {
    return this.command(() => this.parts.algoCommands.amend(algoId, changes));
  }

  /** Cancels the algo: its children are canceled, their fills kept; it ends `canceled`. */
  cancelAlgo(algoId: string, reason?: string): AlgoView {
    return this.command(() => this.parts.algoCommands.cancel(algoId, reason));
  }

  /** The algo's progress, schedule and children (see AlgoView). */
  getAlgo(algoId: string): AlgoView | undefined {
    return this.parts.algoCommands.get(algoId);
  }

  listAlgos(filter: AlgoFilter = {}): AlgoView[] {
    return this.parts.algoCommands.list(filter);
  }

  /**
   * Places an order list (OTO, OCO, OUO, bracket), held by the engine. Checked whole first, each leg as an
   * order: a bad one throws OrderListError with every reason and nothing is sent.
   */
  submitOrderList(request: OrderListRequest): OrderListView {
    return this.command(() => this.parts.orderListCommands.submit(request));
  }

  /** Cancels every working leg (fills kept); the list ends `canceled`. */
  cancelOrderList(listId: string, reason?: string): OrderListView {
    return this.command(() => this.parts.orderListCommands.cancel(listId, reason));
  }

  getOrderList(listId: string): OrderListView | undefined {
    return this.parts.orderListCommands.get(listId);
  }

  listOrderLists(filter: OrderListFilter = {}): OrderListView[] {
    return this.parts.orderListCommands.list(filter);
  }

  /**
   * The actor of an algorithm or order list (id `algo:<id>`, its parent the portfolio), for integrations and
   * the inspector that watch it themselves; its children are order actors whose parentId names it.
   */
  getAlgoActor(id: string): AnyActorRef | undefined {
    return this.parts.parents.get(id)?.actor;
  }

  /** Opens a position: its entry order goes through the risk gate; its plan is applied once the entry fills. */
  openPosition(request: OpenPositionRequest): PositionHandle {
    return this.command(() => this.parts.positionCommands.open(request));
  }

  /** Closes a position in full (or `quantity` of it) at market, through the same gate. */
  closePosition(positionId: string, options: { quantity?: DecimalString; reason?: ExitReason } = {}): PositionView {
    this.command(() => this.parts.positionCommands.close(positionId, options));
    return this.requirePositionView(positionId);
  }

  /** Moves a position's stop (it must stay on the loss side of the market). */
  updateStop(positionId: string, stopPrice: DecimalString): PositionView {
    this.command(() => this.parts.positionCommands.updateStop(positionId, stopPrice));
    return this.requirePositionView(positionId);
  }

  updateTakeProfit(positionId: string, price: DecimalString): PositionView {
    this.command(() => this.parts.positionCommands.updateTakeProfit(positionId, price));
    return this.requirePositionView(positionId);
  }

  getPosition(positionId: string): PositionView | undefined {
    const actor = this.parts.positions.get(positionId);
    return actor === undefined ? this.parts.positions.closedView(positionId) : this.parts.views.position(actor);
  }

  listPositions(filter: { symbol?: string; status?: string; open?: boolean } = {}): PositionView[] {
    return this.parts.views.listPositions(filter);
  }

  getPositionActor(positionId: string): PositionActor | undefined {
    return this.parts.positions.get(positionId);
  }

  /** From a strategy's signal to a working protected position: size, plan, risk gate, entry. */
  submitSignal(signal: Signal): SignalOutcome {
    return this.command(() => this.parts.positionCommands.signal(signal));
  }

  /** Kill switch: nothing new passes, working entry orders are canceled, protective orders stay. */
  halt(reason: string): void {
    this.command(() => this.parts.haltTrading(reason));
  }

  /** Only orders that reduce exposure pass. */
  reduceOnly(reason: string): void {
    this.command(() => this.portfolio.send({ type: 'reduce', reason }));
  }

  resume(): void {
    this.command(() => this.portfolio.send({ type: 'resume' }));
  }

  /** Emergency close-all: halts, cancels entries, closes every position at market; stops stay until closed. */
  closeAll(reason = 'emergency close-all'): void {
    this.command(() => {
      this.parts.haltTrading(reason);
      this.parts.positionCommands.closeAll();
    });
  }

  tradingState(): TradingStateName {
    return this.portfolio.getSnapshot().value as TradingStateName;
  }

  account(quoteCurrency?: string): AccountView {
    return this.parts.views.account(quoteCurrency ?? this.parts.venues.defaultQuote());
  }

  trades(): readonly TradeRecord[] {
    return this.parts.positions.trades();
  }

  performance(startingEquity: DecimalString): PerformanceSummary {
    return summarizePerformance(this.parts.positions.trades(), decimal(startingEquity));
  }

  /**
   * Execution quality of the orders that reached the market: fill rate, slippage against the arrival price
   * (the last price when the order was sent or its trigger fired) and time from the decision (a signal, or
   * the order itself) to the first fill.
   */
  executionQuality(filter: ExecutionFilter = {}): ExecutionSummary {
    return this.parts.execution.summary(filter);
  }

  /** The same figures per execution algorithm (twap, vwap, pov, iceberg, chase); orders of no algorithm as direct. */
  executionQualityByAlgorithm(filter: ExecutionFilter = {}): AlgorithmExecution[] {
    return this.parts.execution.summaryByAlgorithm(filter);
  }

  /** Faults the portfolio supervised: actors that threw and were restored. */
  faults() {
    return this.portfolio.getSnapshot().context.faults;
  }

  /** Positions restored after a fault: their quantity and orders are to be checked against the venue. */
  positionsToReconcile(): string[] {
    return this.parts.positions.positionsToReconcile();
  }

  /** Orders restored after a fault whose state at the venue is not yet confirmed. */
  ordersToReconcile(): string[] {
    return [...this.parts.startup.toReconcile];
  }

  private requirePositionView(positionId: string): PositionView {
    const view = this.getPosition(positionId);
    if (view === undefined) throw new UnknownPositionError(positionId);
    return view;
  }

  /** Runs a command as one turn of a started engine: everything it sets off has settled when it returns. */
  private command<T>(work: () => T): T {
    this.assertStarted();
    return this.parts.queue.run(work);
  }

  private assertStarted(): void {
    if (this.lifecycle !== 'started') throw new EngineStateError(`the engine is ${this.lifecycle}; call start() first`);
  }
}
