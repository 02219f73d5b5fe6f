// createEngine(): a small facade over the engine's parts. Commands go to order and position actors, whose
// effects run after their transitions (turn.ts); venue reports go to order actors; the domain events they
// announce reach the engine's reactions (ledger, positions, triggers, deadlines, loss limits) and subscribers.
import { createActor, type Actor } from 'xstate';
import { pino, type Logger } from 'pino';
import type { ExecutionReport, Venue } from '../../adapters/venue.ts';
import type { OrderMachineEvent } from '../../machines/order.ts';
import { portfolioMachine, type TradingStateName } from '../../machines/portfolio.ts';
import { ExecutionTracker, type ExecutionFilter } from '../analytics/execution-tracker.ts';
import type { ExecutionSummary } from '../analytics/execution.ts';
import { summarizePerformance, type PerformanceSummary } from '../analytics/performance.ts';
import type { ExitReason, TradeRecord } from '../analytics/trade-record.ts';
import { SystemClock, type Clock } from '../domain/clock.ts';
import { decimal, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { DomainEvent, DomainEventListener } from '../domain/events.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { OrderRequestInput } from '../domain/order-request.ts';
import type { RiskLimits } from '../risk/checks.ts';
import type { JournalStore } from '../store/journal-store.ts';
import { ENGINE_ID_NAMESPACE, OrderCommands, type OrderHandle } from './commands/orders.ts';
import { PositionCommands, type OpenPositionRequest, type PositionHandle } from './commands/positions.ts';
import { Deadlines } from './deadlines.ts';
import { EngineStateError, UnknownPositionError } from './errors.ts';
import { DomainEventBus } from './event-bus.ts';
import { GracePeriod } from './grace-period.ts';
import { LocalTriggers } from './local-triggers.ts';
import { DEFAULT_FINISHED_GRACE_MS, DEFAULT_FINISHED_VIEWS_KEPT, OrderRegistry, type OrderActor } from './order-registry.ts';
import type { OrderView } from './order-view.ts';
import { MemoryEventHistory, SnapshotWriter, StoreEventHistory, type EventHistory } from './persistence.ts';
import { PositionBook, type PositionActor, type PositionView } from './positions.ts';
import { installLedgerReactions } from './reactions/ledger.ts';
import { installLossLimits } from './reactions/loss-limits.ts';
import { ExitRetries } from './reactions/exit-retries.ts';
import { onOrderEnded } from './reactions/order-ended.ts';
import { installPositionReactions } from './reactions/positions.ts';
import { reconcileVenue, type ReconciliationReport } from './recovery.ts';
import { RiskGate, signedQuantity } from './risk-gate.ts';
import type { Signal, SignalDefaults, SignalOutcome } from './signals.ts';
import { checkVersion, Startup } from './startup.ts';
import { TurnQueue } from './turn.ts';
import { Valuation } from './valuation.ts';
import { VenueGateway } from './venue-gateway.ts';
import { VenueBook } from './venues.ts';
import { Views, type AccountView, type OrderFilter } from './views.ts';

export type { OrderHandle } from './commands/orders.ts';
export type { OpenPositionRequest, PositionHandle } from './commands/positions.ts';
export type { AccountView, OrderFilter } from './views.ts';
export type { OrderActor } from './order-registry.ts';

export interface EngineOptions {
  readonly venues: readonly Venue[];
  /** Defaults to wall time. Pass a SimulatedClock for deterministic, faster-than-real-time runs. */
  readonly clock?: Clock;
  /** Defaults to pino at 'warn' on stderr. */
  readonly logger?: Logger;
  /** Part of generated ids (after the engine's namespace `fs-`); defaults to one derived from the clock. */
  readonly clientOrderIdPrefix?: string;
  /** Pre-trade limits the portfolio enforces; an absent limit is not checked. */
  readonly risk?: RiskLimits;
  /** How signals are sized and protected when a signal does not say. */
  readonly signals?: SignalDefaults;
  /**
   * Durable journal, snapshots and order intents (src/store). With it, start() restores every working actor
   * and reconciles with each venue; the caller owns the store and closes it after stop().
   */
  readonly store?: JournalStore;
  /** Without a store: how many recent events eventsSince() can serve (default 100,000). */
  readonly eventHistory?: number;
  /** How long (clock ms) a finished order or closed position stays in memory; default 60,000. */
  readonly finishedGraceMs?: number;
  /** How many finished orders' final views getOrder/listOrders still answer from memory; default 10,000. */
  readonly finishedOrdersKept?: number;
}

/** What start() found and did: actors restored from the store and each venue's reconciliation. */
export interface RecoveryReport {
  readonly restoredOrders: number;
  readonly restoredPositions: number;
  readonly restoredPortfolio: boolean;
  readonly lastSequence: number;
  readonly venues: readonly ReconciliationReport[];
  /** Venue balance totals that differ from the ledger after reconciliation (currency -> venue, ledger). */
  readonly balanceDifferences: Readonly<Record<string, { venue: string; ledger: string }>>;
}

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
  private readonly store: JournalStore | undefined;
  private readonly queue: TurnQueue;
  private readonly bus: DomainEventBus;
  private readonly history: EventHistory;
  private readonly venues: VenueBook;
  private readonly gateway: VenueGateway;
  private readonly orders: OrderRegistry;
  private readonly positions: PositionBook;
  private readonly closedPositions: GracePeriod;
  private readonly valuation: Valuation;
  private readonly gate: RiskGate;
  private readonly deadlines: Deadlines;
  private readonly triggers: LocalTriggers;
  private readonly exitRetries: ExitRetries;
  private readonly orderCommands: OrderCommands;
  private readonly positionCommands: PositionCommands;
  private readonly startup: Startup;
  private readonly views: Views;
  /** Execution quality (fill rate, slippage, signal-to-fill time), built from the event stream. */
  private readonly execution: ExecutionTracker;
  private readonly restoredPortfolio: boolean;
  private lifecycle: EngineLifecycle = 'created';
  private recovery: RecoveryReport | undefined;

  constructor(options: EngineOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? pino({ level: 'warn', base: { component: 'engine' } }, pino.destination({ fd: 2, sync: true }));
    this.store = options.store;
    this.queue = new TurnQueue(this.logger);
    this.history = this.store !== undefined ? new StoreEventHistory(this.store) : new MemoryEventHistory(options.eventHistory);
    this.bus = new DomainEventBus({
      queue: this.queue,
      history: this.history,
      logger: this.logger,
      now: () => this.clock.now(),
      reactionFailed: (event, error) => this.recordFault('engine', `${event.type} #${event.sequence}: ${error.message}`, 'n/a'),
    });
    const snapshots = this.store !== undefined ? new SnapshotWriter(this.store, () => this.bus.lastSequence(), () => this.clock.now()) : undefined;
    if (snapshots !== undefined) this.bus.record((event) => event.type === 'OrderFilled' && snapshots.fill(event));
    this.venues = new VenueBook(options.venues, {
      triggered: (target, price) => this.triggers.triggered(target, price),
      trailingAdvanced: (orderId, state) => this.triggers.trailingAdvanced(orderId, state),
    });
    const portfolioSnapshot = this.store?.snapshot('portfolio');
    this.restoredPortfolio = portfolioSnapshot !== undefined;
    if (portfolioSnapshot !== undefined) checkVersion(portfolioSnapshot, this.store!.path);
    this.portfolio = createActor(
      portfolioMachine.provide({
        actions: {
          // Runs after the portfolio's transition: supervision restores actors, never inside another's step.
          superviseChild: (_, { actorId, error }) => this.queue.defer(() => this.supervise(actorId, error)),
        },
      }),
      { clock: this.clock, id: 'portfolio', snapshot: portfolioSnapshot?.snapshot as never },
    );
    snapshots?.track('portfolio', 'portfolio', this.portfolio);
    const portfolio = () => this.portfolio;
    const gateway = new VenueGateway(this.venues, this.logger, this.store, snapshots, () => this.clock.now());
    this.gateway = gateway;
    const graceMs = options.finishedGraceMs ?? DEFAULT_FINISHED_GRACE_MS;
    this.orders = new OrderRegistry({
      queue: this.queue, gateway, clock: this.clock, logger: this.logger, store: this.store, snapshots, portfolio,
      publish: (draft) => this.bus.publish(draft),
      finishedGraceMs: graceMs,
      finishedViewsKept: options.finishedOrdersKept ?? DEFAULT_FINISHED_VIEWS_KEPT,
    });
    const idPrefix = options.clientOrderIdPrefix ?? this.clock.now().toString(36);
    this.positions = new PositionBook(
      {
        now: () => this.clock.now(),
        parent: portfolio,
        defer: (work) => this.queue.defer(work),
        submit: (request) => this.orderCommands.submit(request, { kind: 'position', positionId: request.parentId! }),
        cancel: (orderId) => this.orderCommands.cancelIfWorking(orderId),
        amend: (orderId, changes) => this.orderCommands.amendForPosition(this.positions.ownerOf(orderId) ?? '', orderId, changes),
        publish: (draft) => this.bus.publish(draft),
        refused: (positionId, intent, error) => this.positionCommands.protectiveOrderRefused(positionId, intent.role, intent.clientOrderId, error),
        created: (actor, restored) => snapshots?.track(actor.id, 'position', actor, undefined, restored),
      },
      `${ENGINE_ID_NAMESPACE}${idPrefix}`,
    );
    this.closedPositions = new GracePeriod(this.clock, graceMs, (positionId) => {
      snapshots?.untrack(`position:${positionId}`);
      this.positions.evict(positionId);
    });
    this.valuation = new Valuation(this.venues, this.positions, portfolio);
    this.gate = new RiskGate(
      {
        tradingState: () => this.portfolio.getSnapshot().value as TradingStateName,
        ledger: () => this.portfolio.getSnapshot().context.ledger,
        positionQuantity: (venueId, symbol) => {
          const position = this.positions.currentFor(venueId, symbol)?.getSnapshot().context;
          return position === undefined ? '0' : signedQuantity(position.direction, position.quantity);
        },
        isPosition: (parentId) => this.positions.get(parentId) !== undefined,
        openPositions: () => this.positions.openCount(),
        value: (quote) => this.valuation.of(quote),
        now: () => this.clock.now(),
      },
      options.risk ?? {},
    );
    this.deadlines = new Deadlines(this.clock, this.orders, this.venues, (work) => this.queue.run(work));
    this.triggers = new LocalTriggers({
      venues: this.venues,
      orders: this.orders,
      positions: this.positions,
      recheckRelease: (context, marketPrice) => this.orderCommands.recheckRelease(context, marketPrice),
      releaseDenied: (orderId, reason) => {
        this.logger.warn({ orderId, reason }, `held order ${orderId} was not released: ${reason}`);
        this.orderCommands.cancelIfWorking(orderId);
      },
      defer: (work) => this.queue.defer(work),
    });
    this.exitRetries = new ExitRetries(this.positions, this.logger);
    this.execution = new ExecutionTracker((symbol, venue) => this.venues.marketPrice(venue, symbol)?.toFixed());
    this.orderCommands = new OrderCommands({
      clock: this.clock, logger: this.logger, venues: this.venues, orders: this.orders, positions: this.positions,
      gate: this.gate, deadlines: this.deadlines, portfolio, idPrefix,
    });
    this.positionCommands = new PositionCommands({
      clock: this.clock, venues: this.venues, positions: this.positions, orders: this.orderCommands, gate: this.gate,
      valuation: this.valuation, execution: this.execution, signalDefaults: options.signals ?? {}, logger: this.logger,
    });
    this.startup = new Startup({
      clock: this.clock, logger: this.logger, store: this.store, snapshots, venues: this.venues, orders: this.orders,
      positions: this.positions, deadlines: this.deadlines, portfolio,
      route: (report) => this.route(report),
      fault: (actorId, message, restoredTo) => this.recordFault(actorId, message, restoredTo),
    });
    this.views = new Views(this.orders, this.positions, this.venues, this.valuation, portfolio);
    this.installReactions(options.risk ?? {});
  }

  /** Each concern subscribes to the event types it needs; order matters only where one builds on another. */
  private installReactions(limits: RiskLimits): void {
    const bus = this.bus;
    for (const type of ['OrderInitialized', 'OrderDenied', 'OrderSubmitted', 'OrderTriggered', 'OrderUpdated', 'OrderFilled'] as const) {
      bus.on(type, (event) => this.execution.observe(event));
    }
    installLedgerReactions(bus, this.venues, this.portfolio);
    installPositionReactions(bus, this.positions, this.venues, this.logger, (positionId) => this.closedPositions.start(positionId));
    this.triggers.install(bus);
    this.deadlines.install(bus);
    this.exitRetries.install(bus);
    onOrderEnded(bus, ({ orderId }) => this.orders.finished(orderId));
    installLossLimits(bus, {
      portfolio: () => this.portfolio, valuation: this.valuation, venues: this.venues, clock: this.clock, logger: this.logger, limits,
      halt: (reason) => this.haltTrading(reason),
    });
  }

  /**
   * Connects every venue, loads instruments and subscribes to execution reports and market data. With a
   * store it is also recovery (one code path; a new file is recovery of nothing): every working actor is
   * restored from its snapshot, deadlines and triggers are re-armed, and each venue is reconciled.
   */
  async start(): Promise<void> {
    if (this.lifecycle !== 'created') throw new EngineStateError(`the engine cannot start: it is ${this.lifecycle}`);
    this.lifecycle = 'starting';
    this.portfolio.start();
    const restored = this.queue.run(() => this.startup.restoreActors());
    const balances: Record<string, DecimalString> = {};
    for (const binding of this.venues.all()) {
      const venue = binding.venue;
      await venue.connect();
      for (const balance of await venue.balances()) {
        balances[balance.currency] = decimal(balances[balance.currency] ?? '0').plus(balance.total).toFixed();
      }
      for (const instrument of venue.instruments()) binding.instruments.set(instrument.symbol, instrument);
      binding.unsubscribe.push(venue.onExecutionReport((report) => this.queue.run(() => this.route(report))));
      binding.unsubscribe.push(
        venue.subscribeMarketData([...binding.instruments.keys()], (data) =>
          this.queue.run(() => {
            this.venues.record(binding, data);
            this.exitRetries.marketData(venue.id, data.symbol);
          }),
        ),
      );
      const unsubscribeLink = venue.onLinkStatus?.((status) => {
        if (status.state === 'live') this.queue.run(() => this.gateway.linkLive(venue.id));
      });
      if (unsubscribeLink !== undefined) binding.unsubscribe.push(unsubscribeLink);
    }
    // A restored ledger is ours (with its reservations); the venue's balances only load a new one.
    if (!this.restoredPortfolio) this.portfolio.send({ type: 'ledger.load', balances });
    this.queue.run(() => {
      this.deadlines.rearm();
      this.triggers.rearm();
      this.exitRetries.rearm();
    });
    // Started before reconciling: positions whose entries filled while down place their protection now.
    this.lifecycle = 'started';
    const venues: ReconciliationReport[] = [];
    if (this.store !== undefined) {
      const intents = this.store.intents('sent');
      const host = this.startup.reconciliationHost();
      for (const binding of this.venues.all()) venues.push(await reconcileVenue(host, binding.venue, intents));
    }
    const balanceDifferences: Record<string, { venue: string; ledger: string }> = {};
    if (this.restoredPortfolio) {
      const ledger = this.portfolio.getSnapshot().context.ledger.balances;
      for (const [currency, total] of Object.entries(balances)) {
        const mine = ledger[currency]?.total ?? '0';
        if (!decimal(mine).eq(decimal(total))) balanceDifferences[currency] = { venue: total, ledger: mine };
      }
      if (Object.keys(balanceDifferences).length > 0) this.logger.warn({ balanceDifferences }, 'after reconciliation the ledger differs from the venue balances');
    }
    this.recovery = { ...restored, restoredPortfolio: this.restoredPortfolio, lastSequence: this.bus.lastSequence(), venues, balanceDifferences };
    for (const venue of venues) {
      if (venue.adopted.length + venue.unknownAtVenue.length + venue.fillsApplied + venue.discrepancies.length > 0) this.logger.warn({ reconciliation: venue }, `reconciled with ${venue.venue}`);
    }
    this.store?.flush();
  }

  /** Stops routing and timers and disconnects venues. Resting orders stay at the venue as they are. */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopped';
    // What this turn changed is committed before anything else stops (the caller closes the store).
    if (this.store?.isOpen) this.store.flush();
    this.deadlines.stop();
    this.orders.stop();
    this.closedPositions.stop();
    for (const binding of this.venues.all()) {
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
    return this.history.eventsSince(afterSequence, limit);
  }

  /** The sequence of the last domain event (0 before any). */
  lastSequence(): number {
    return this.bus.lastSequence();
  }

  /**
   * Resolves once everything decided so far is on disk (this turn's group commit); at once without a store.
   * An API answers "created" after this, so a client never hears of an order a crash could then lose.
   */
  whenDurable(): Promise<void> {
    return this.store === undefined ? Promise.resolve() : this.store.whenCommitted();
  }

  /** Every domain event, in sequence order, as it happens. Returns the unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void {
    return this.bus.subscribe(listener);
  }

  /** Validates and places an order. Throws OrderRequestError (or an engine error) and changes nothing if bad. */
  submitOrder(input: OrderRequestInput): OrderHandle {
    this.assertStarted();
    return this.queue.run(() => this.orderCommands.submit(input));
  }

  /** Changes price, quantity or stop price, through the venue (or locally for an emulated order). */
  amendOrder(orderId: string, changes: unknown): OrderHandle {
    this.assertStarted();
    return this.queue.run(() => this.orderCommands.amend(orderId, changes));
  }

  /** Cancels an order: at the venue if it is there, locally if it never left. */
  cancelOrder(orderId: string): OrderHandle {
    this.assertStarted();
    return this.queue.run(() => this.orderCommands.cancel(orderId));
  }

  getOrder(orderId: string): OrderView | undefined {
    return this.views.order(orderId);
  }

  listOrders(filter: OrderFilter = {}): OrderView[] {
    return this.views.listOrders(filter);
  }

  /** The order's actor while it is in memory, for integrations that watch it (subscribe) themselves. */
  getOrderActor(orderId: string): OrderActor | undefined {
    return this.orders.get(orderId);
  }

  /** Orders in memory: working ones and those finished within the grace period. */
  get orderCount(): number {
    return this.orders.size;
  }

  /** The last price seen for a symbol: trade price, quote mid, or bar close. */
  marketPrice(symbol: string, venueId?: string): Decimal | undefined {
    return this.venues.marketPrice(venueId ?? this.venues.defaultVenueId(), symbol);
  }

  instrument(venueId: string, symbol: string): Instrument {
    return this.venues.instrument(venueId, symbol);
  }

  venue(venueId: string): Venue {
    return this.venues.venue(venueId);
  }

  /** The ids of the engine's venues, the default (first) one first. */
  venueIds(): string[] {
    return this.venues.ids();
  }

  /** Opens a position: its entry order goes through the risk gate; its plan is applied once the entry fills. */
  openPosition(request: OpenPositionRequest): PositionHandle {
    this.assertStarted();
    return this.queue.run(() => this.positionCommands.open(request));
  }

  /** Closes a position in full (or `quantity` of it) at market, through the same gate. */
  closePosition(positionId: string, options: { quantity?: DecimalString; reason?: ExitReason } = {}): PositionView {
    this.assertStarted();
    this.queue.run(() => this.positionCommands.close(positionId, options));
    return this.requirePositionView(positionId);
  }

  /** Moves a position's stop (it must stay on the loss side of the market). */
  updateStop(positionId: string, stopPrice: DecimalString): PositionView {
    this.assertStarted();
    this.queue.run(() => this.positionCommands.updateStop(positionId, stopPrice));
    return this.requirePositionView(positionId);
  }

  updateTakeProfit(positionId: string, price: DecimalString): PositionView {
    this.assertStarted();
    this.queue.run(() => this.positionCommands.updateTakeProfit(positionId, price));
    return this.requirePositionView(positionId);
  }

  getPosition(positionId: string): PositionView | undefined {
    const actor = this.positions.get(positionId);
    return actor === undefined ? this.positions.closedView(positionId) : this.views.position(actor);
  }

  listPositions(filter: { symbol?: string; status?: string; open?: boolean } = {}): PositionView[] {
    return this.views.listPositions(filter);
  }

  getPositionActor(positionId: string): PositionActor | undefined {
    return this.positions.get(positionId);
  }

  /** From a strategy's signal to a working protected position: size, plan, risk gate, entry. */
  submitSignal(signal: Signal): SignalOutcome {
    this.assertStarted();
    return this.queue.run(() => this.positionCommands.signal(signal));
  }

  /** Kill switch: nothing new passes, working entry orders are canceled, protective orders stay. */
  halt(reason: string): void {
    this.assertStarted();
    this.queue.run(() => this.haltTrading(reason));
  }

  /** Only orders that reduce exposure pass. */
  reduceOnly(reason: string): void {
    this.assertStarted();
    this.queue.run(() => this.portfolio.send({ type: 'reduce', reason }));
  }

  resume(): void {
    this.assertStarted();
    this.queue.run(() => this.portfolio.send({ type: 'resume' }));
  }

  /** Emergency close-all: halts, cancels entries, closes every position at market; stops stay until closed. */
  closeAll(reason = 'emergency close-all'): void {
    this.assertStarted();
    this.queue.run(() => {
      this.haltTrading(reason);
      this.positionCommands.closeAll();
    });
  }

  tradingState(): TradingStateName {
    return this.portfolio.getSnapshot().value as TradingStateName;
  }

  account(quoteCurrency?: string): AccountView {
    return this.views.account(quoteCurrency ?? this.venues.defaultQuote());
  }

  trades(): readonly TradeRecord[] {
    return this.positions.trades();
  }

  performance(startingEquity: DecimalString): PerformanceSummary {
    return summarizePerformance(this.positions.trades(), decimal(startingEquity));
  }

  /**
   * Execution quality of the orders that reached the market: fill rate, slippage against the arrival price
   * (the last price when the order was sent or its trigger fired) and time from the decision (a signal, or
   * the order itself) to the first fill.
   */
  executionQuality(filter: ExecutionFilter = {}): ExecutionSummary {
    return this.execution.summary(filter);
  }

  /** Faults the portfolio supervised: actors that threw and were restored. */
  faults() {
    return this.portfolio.getSnapshot().context.faults;
  }

  /** Positions restored after a fault: their quantity and orders are to be checked against the venue. */
  positionsToReconcile(): string[] {
    return this.positions.positionsToReconcile();
  }

  /** Orders restored after a fault whose state at the venue is not yet confirmed. */
  ordersToReconcile(): string[] {
    return [...this.startup.toReconcile];
  }

  /** A venue report reaches its order; a finished order that left memory is brought back from the store. */
  private route(report: ExecutionReport): void {
    const actor = this.orders.get(report.clientOrderId) ?? this.orders.revive(report.clientOrderId);
    if (actor === undefined) {
      // Reconciliation adopts such orders; until then they are loud, never silently dropped.
      this.logger.warn({ report }, `execution report for unknown order ${report.clientOrderId} from ${report.venue}`);
      return;
    }
    const event = Object.assign({}, report, { type: `venue.${report.type}` }) as OrderMachineEvent;
    if (!actor.getSnapshot().can(event)) {
      this.logger.warn({ report, state: actor.getSnapshot().value }, `report ${report.type} for ${report.clientOrderId} does not apply in state ${String(actor.getSnapshot().value)}: ignored`);
      return;
    }
    actor.send(event);
  }

  private haltTrading(reason: string): void {
    this.portfolio.send({ type: 'halt', reason });
    this.orderCommands.cancelEntryOrders();
  }

  private supervise(actorId: string, error: unknown): void {
    this.startup.superviseChild(actorId, this.orders.orderIdOfActor(actorId), this.positions.positionIdOfActor(actorId), error);
  }

  private recordFault(actorId: string, message: string, restoredTo: string): void {
    this.portfolio.send({ type: 'fault', actorId, message, at: this.clock.now(), restoredTo });
  }

  private requirePositionView(positionId: string): PositionView {
    const view = this.getPosition(positionId);
    if (view === undefined) throw new UnknownPositionError(positionId);
    return view;
  }

  private assertStarted(): void {
    if (this.lifecycle !== 'started') throw new EngineStateError(`the engine is ${this.lifecycle}; call start() first`);
  }
}
