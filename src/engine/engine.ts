// createEngine(): the actor system (portfolio root + one actor per order), routing of venue reports to
// orders by clientOrderId, the clock, locally held triggers and deadlines, and the domain-event stream.
import { createActor, type Actor } from 'xstate';
import { pino, type Logger } from 'pino';
import type { ExecutionReport, Venue } from '../../adapters/venue.ts';
import { orderMachine, type OrderContext, type OrderMachineEvent, type OrderStateName } from '../../machines/order.ts';
import { portfolioMachine, type TradingStateName } from '../../machines/portfolio.ts';
import { MAX_FAILED_EXITS, workingExits, type PositionMachineInput, type PositionMargin } from '../../machines/position.ts';
import { ExecutionTracker, type ExecutionFilter } from '../analytics/execution-tracker.ts';
import type { ExecutionSummary } from '../analytics/execution.ts';
import { summarizePerformance, type PerformanceSummary } from '../analytics/performance.ts';
import type { ExitReason, TradeRecord } from '../analytics/trade-record.ts';
import { equity as ledgerEquity, type Ledger } from '../domain/ledger.ts';
import { liquidationPrice, notionalExposure, type NetPosition } from '../domain/position-accounting.ts';
import type { PositionOrderIntent } from '../domain/position-orders.ts';
import { checkLossLimits, checkOrder, checkAmend, orderReducesExposure, type Denial, type RiskLimits } from '../risk/checks.ts';
import { RecentTimes } from '../risk/rate-limit.ts';
import type { PlanInputs, PositionPlan } from '../risk/protection.ts';
import { PositionBook, positionView, type PositionActor, type PositionView } from './positions.ts';
import { orderRiskInput, reservationOf, signedQuantity } from './risk-gate.ts';
import { planSignal, type Signal, type SignalDefaults, type SignalOutcome } from './signals.ts';
import { validateAmendment } from '../domain/amendment.ts';
import { decimal, ZERO, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { DomainEvent, DomainEventDraft, DomainEventListener } from '../domain/events.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { MarketData } from '../domain/market-data.ts';
import {
  OrderRequestError,
  parseOrderRequest,
  TRIGGERED_ORDER_TYPES,
  validateOrderRequest,
  type OrderRequest,
  type OrderRequestInput,
} from '../domain/order-request.ts';
import { advanceTrailing, type TrailingPlan } from '../domain/triggers.ts';
import { SystemClock, type Clock, type TimerHandle } from '../domain/clock.ts';
import { EngineStateError, OrderStateError, UnknownInstrumentError, UnknownOrderError, UnknownPositionError, UnknownVenueError } from './errors.ts';
import { orderView, type OrderView } from './order-view.ts';
import { TriggerIndex } from './trigger-index.ts';
import { toVenueOrder, venueHoldsExpiry } from './venue-order.ts';
import type { Store } from '../store/store.ts';
import type { SnapshotRecord } from '../store/records.ts';
import { MACHINE_VERSIONS, MemoryEventHistory, SnapshotWriter, StoreEventHistory, type EventHistory } from './persistence.ts';
import { reconcileVenue, type IntentPayload, type ReconciliationReport, type RecoveryFlag } from './recovery.ts';

export interface EngineOptions {
  readonly venues: readonly Venue[];
  /** Defaults to wall time. Pass a SimulatedClock for deterministic, faster-than-real-time runs. */
  readonly clock?: Clock;
  /** Defaults to pino at 'warn' on stderr. */
  readonly logger?: Logger;
  /** Prefix of generated clientOrderIds; defaults to one derived from the clock at creation. */
  readonly clientOrderIdPrefix?: string;
  /** Pre-trade limits the portfolio enforces; an absent limit is not checked. */
  readonly risk?: RiskLimits;
  /** How signals are sized and protected when a signal does not say. */
  readonly signals?: SignalDefaults;
  /**
   * Durable journal, snapshots and order intents (src/store). With it, start() restores every actor and
   * reconciles with each venue; the caller owns the store and closes it after stop().
   */
  readonly store?: Store;
  /** Without a store: how many recent events eventsSince() can serve (default 100,000). */
  readonly eventHistory?: number;
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

export interface OpenPositionRequest {
  readonly symbol: string;
  readonly venue?: string;
  readonly direction: 'long' | 'short';
  readonly quantity: DecimalString;
  /** Market by default; a limit entry rests at `price`. */
  readonly entry?: { readonly type: 'market' } | { readonly type: 'limit'; readonly price: DecimalString };
  readonly plan?: PositionPlan;
  readonly inputs?: PlanInputs;
  /** A margin position: its leverage and the venue's maintenance margin rate, for the liquidation estimate. */
  readonly margin?: PositionMargin;
}

export interface PositionHandle {
  readonly positionId: string;
  readonly entryOrderId: string;
  readonly actor: PositionActor;
  /** Set when the portfolio's risk gate denied the entry: the position never opens. */
  readonly denial?: Denial;
}

export interface AccountView {
  readonly tradingState: TradingStateName;
  readonly reason?: string;
  readonly balances: Ledger['balances'];
  readonly equity?: DecimalString;
  readonly exposure: DecimalString;
  readonly exposureBySymbol: Readonly<Record<string, DecimalString>>;
  readonly openPositions: number;
  readonly faults: number;
}

export type OrderActor = Actor<typeof orderMachine>;
export type PortfolioActor = Actor<typeof portfolioMachine>;

export interface OrderHandle {
  readonly orderId: string;
  readonly actor: OrderActor;
  /** False when a request repeated an existing clientOrderId: the existing order is returned, none is made. */
  readonly created: boolean;
  /** Set when the portfolio's risk gate denied the order: it stands in `denied`, nothing was sent or reserved. */
  readonly denial?: Denial;
}

export interface OrderFilter {
  readonly status?: OrderStateName | readonly OrderStateName[];
  readonly symbol?: string;
  readonly venue?: string;
  /** true: only working orders; false: only finished ones. */
  readonly live?: boolean;
  readonly parentId?: string;
  /** Created at or after this clock time. */
  readonly since?: number;
  readonly until?: number;
}

interface VenueBinding {
  readonly venue: Venue;
  readonly instruments: Map<string, Instrument>;
  readonly triggers: TriggerIndex;
  readonly lastMarketData: Map<string, MarketData>;
  /** Positions (by symbol) whose exit ended with quantity left: sent again at the symbol's next market data. */
  readonly exitRetries: Map<string, Set<string>>;
  unsubscribe: Array<() => void>;
}

type EngineLifecycle = 'created' | 'starting' | 'started' | 'stopped';

export function createEngine(options: EngineOptions): Engine {
  return new Engine(options);
}

export class Engine {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The portfolio actor: root of the actor system, so one `system.inspect` sees every order. */
  readonly portfolio: PortfolioActor;
  private readonly bindings = new Map<string, VenueBinding>();
  private readonly orders = new Map<string, OrderActor>();
  private readonly deadlines = new Map<string, TimerHandle>();
  private readonly listeners = new Set<DomainEventListener>();
  private readonly orderLogic;
  private readonly clientOrderIdPrefix: string;
  private readonly positions: PositionBook;
  private readonly riskLimits: RiskLimits;
  private readonly signalDefaults: SignalDefaults;
  /** Execution quality (fill rate, slippage, signal-to-fill time), built from the event stream. */
  private readonly execution = new ExecutionTracker((symbol, venue) => this.marketPrice(symbol, venue)?.toFixed());
  private readonly recentSubmits: RecentTimes;
  private readonly recentAmends: RecentTimes;
  /** Set while a position amends its own orders (amendQuietly): see amendOrder. */
  private amendingForPosition = false;
  /** Orders restored after a fault whose outcome at the venue must be checked before trusting them. */
  private readonly reconciliationQueue = new Set<string>();
  private lifecycle: EngineLifecycle = 'created';
  private readonly outbox: DomainEvent[] = [];
  private delivering = false;
  private sequence = 0;
  private generatedIds = 0;
  private readonly store: Store | undefined;
  private readonly history: EventHistory;
  private readonly snapshots: SnapshotWriter | undefined;
  /** Orders brought to `submitted` by recovery: their send is skipped, the venue already has (or never got) them. */
  private readonly suppressedSends = new Set<string>();
  private recovery: RecoveryReport | undefined;
  /** Venue commands decided this turn, sent in order once the turn's group commit is on disk. */
  private readonly venueCommands: Array<() => void> = [];
  private readonly restoredPortfolio: boolean;
  /** True while start() restores actors from their snapshots: those are not rewritten until they change. */
  private restoringFromStore = false;

  constructor(options: EngineOptions) {
    if (options.venues.length === 0) throw new Error('createEngine needs at least one venue');
    this.clock = options.clock ?? new SystemClock();
    this.store = options.store;
    this.history = this.store !== undefined ? new StoreEventHistory(this.store) : new MemoryEventHistory(options.eventHistory);
    this.sequence = this.history.lastSequence();
    this.snapshots = this.store !== undefined ? new SnapshotWriter(this.store, () => this.sequence, () => this.clock.now()) : undefined;
    // Commands to venues wait for the commit of the turn that decided them (see dispatch).
    this.store?.afterCommit(() => this.releaseVenueCommands());
    this.logger = options.logger ?? pino({ level: 'warn', base: { component: 'engine' } }, pino.destination({ fd: 2, sync: true }));
    this.clientOrderIdPrefix = options.clientOrderIdPrefix ?? `fs${this.clock.now().toString(36)}`;
    for (const venue of options.venues) {
      if (this.bindings.has(venue.id)) throw new Error(`two venues share the id "${venue.id}"`);
      this.bindings.set(venue.id, {
        venue,
        instruments: new Map(),
        triggers: new TriggerIndex(
          {
            triggered: (id, marketPrice) => this.onTriggered(id, marketPrice),
            trailingAdvanced: (orderId, state) => this.orders.get(orderId)?.send({ type: 'trailingAdvanced', ...state }),
          },
          (symbol) => this.instrument(venue.id, symbol).tickSize,
        ),
        lastMarketData: new Map(),
        exitRetries: new Map(),
        unsubscribe: [],
      });
    }
    this.orderLogic = orderMachine.provide({
      actions: {
        submitToVenue: ({ context }) => this.sendToVenue(context),
        releaseToVenue: ({ context }) => this.sendToVenue(context),
        cancelAtVenue: ({ context }) => {
          const venue = this.binding(context.venue).venue;
          this.dispatch(() => venue.cancel(context.clientOrderId));
        },
        amendAtVenue: ({ context }, amendment) => {
          const venue = this.binding(context.venue).venue;
          this.dispatch(() => venue.amend(context.clientOrderId, amendment));
        },
      },
    });
    this.riskLimits = options.risk ?? {};
    this.recentSubmits = new RecentTimes(this.riskLimits.submitRate?.windowMs);
    this.recentAmends = new RecentTimes(this.riskLimits.amendRate?.windowMs);
    this.signalDefaults = options.signals ?? {};
    const portfolioSnapshot = this.store?.snapshot('portfolio');
    this.restoredPortfolio = portfolioSnapshot !== undefined;
    if (portfolioSnapshot !== undefined) checkVersion(portfolioSnapshot, this.store!.path);
    this.portfolio = createActor(
      portfolioMachine.provide({ actions: { superviseChild: (_, { actorId, error }) => this.restoreChild(actorId, error) } }),
      { clock: this.clock, id: 'portfolio', snapshot: portfolioSnapshot?.snapshot as never },
    );
    this.snapshots?.track('portfolio', 'portfolio', this.portfolio);
    this.positions = new PositionBook(
      {
        now: () => this.clock.now(),
        parent: () => this.portfolio,
        submit: (request) => {
          this.submitOrder(request);
        },
        cancel: (orderId) => this.cancelIfWorking(orderId),
        amend: (orderId, changes) => this.amendQuietly(orderId, changes),
        publish: (draft) => this.publish(draft),
        refused: (positionId, intent, error) => this.protectiveOrderRefused(positionId, intent, error),
        created: (actor) => this.snapshots?.track(actor.id, 'position', actor, undefined, this.restoringFromStore),
      },
      this.clientOrderIdPrefix,
    );
  }

  /**
   * Connects every venue, loads instruments and subscribes to execution reports and market data. With a
   * store it is also recovery (one code path; a new file is recovery of nothing): every actor is restored
   * from its snapshot, deadlines and triggers are re-armed, and each venue is reconciled.
   */
  async start(): Promise<void> {
    if (this.lifecycle !== 'created') throw new EngineStateError(`the engine cannot start: it is ${this.lifecycle}`);
    this.lifecycle = 'starting';
    const restoredPortfolio = this.restoredPortfolio;
    this.portfolio.start();
    const restored = this.restoreActors();
    const balances: Record<string, DecimalString> = {};
    for (const binding of this.bindings.values()) {
      await binding.venue.connect();
      for (const balance of await binding.venue.balances()) {
        balances[balance.currency] = decimal(balances[balance.currency] ?? '0').plus(balance.total).toFixed();
      }
      for (const instrument of binding.venue.instruments()) binding.instruments.set(instrument.symbol, instrument);
      binding.unsubscribe.push(binding.venue.onExecutionReport((report) => this.routeReport(report)));
      binding.unsubscribe.push(
        binding.venue.subscribeMarketData([...binding.instruments.keys()], (data) => {
          binding.lastMarketData.set(data.symbol, data);
          binding.triggers.onMarketData(data);
          this.retryExits(binding, data.symbol);
        }),
      );
    }
    // A restored ledger is ours (with its reservations); the venue's balances only load a new one.
    if (!restoredPortfolio) this.portfolio.send({ type: 'ledger.load', balances });
    this.rearm();
    // Started before reconciling: positions whose entries filled while down place their protection now.
    this.lifecycle = 'started';
    const venues: ReconciliationReport[] = [];
    if (this.store !== undefined) {
      const intents = this.store.intents('sent');
      for (const binding of this.bindings.values()) venues.push(await reconcileVenue(this.reconciliationHost(), binding.venue, intents));
    }
    const balanceDifferences: Record<string, { venue: string; ledger: string }> = {};
    if (restoredPortfolio) {
      const ledger = this.portfolio.getSnapshot().context.ledger.balances;
      for (const [currency, total] of Object.entries(balances)) {
        const mine = ledger[currency]?.total ?? '0';
        if (!decimal(mine).eq(decimal(total))) balanceDifferences[currency] = { venue: total, ledger: mine };
      }
      if (Object.keys(balanceDifferences).length > 0) this.logger.warn({ balanceDifferences }, 'after reconciliation the ledger differs from the venue balances');
    }
    this.recovery = { ...restored, restoredPortfolio, lastSequence: this.sequence, venues, balanceDifferences };
    for (const venue of venues) {
      if (venue.adopted.length + venue.unknownAtVenue.length + venue.fillsApplied + venue.discrepancies.length > 0) this.logger.warn({ reconciliation: venue }, `reconciled with ${venue.venue}`);
    }
    this.store?.flush();
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
    return this.sequence;
  }

  /**
   * Resolves once everything decided so far is on disk (this turn's group commit); at once without a store.
   * An API answers "created" after this, so a client never hears of an order a crash could then lose.
   */
  whenDurable(): Promise<void> {
    return this.store === undefined ? Promise.resolve() : this.store.whenCommitted();
  }

  /** Restores orders and positions from their snapshots (the portfolio was restored at construction). */
  private restoreActors(): { restoredOrders: number; restoredPositions: number } {
    if (this.store === undefined) return { restoredOrders: 0, restoredPositions: 0 };
    let restoredOrders = 0;
    let restoredPositions = 0;
    const flags = this.store.orderFlags();
    for (const record of this.store.snapshots()) {
      if (record.machineId === 'portfolio') continue;
      checkVersion(record, this.store.path);
      if (record.machineId === 'position') {
        this.restoringFromStore = true;
        try {
          this.positions.restore(record.snapshot);
        } finally {
          this.restoringFromStore = false;
        }
        restoredPositions++;
        continue;
      }
      const actorId = record.actorId;
      const orderId = actorId.slice('order:'.length);
      const context = (record.snapshot as { context: OrderContext }).context;
      const actor = createActor(this.orderLogic, {
        parent: this.portfolio,
        id: actorId,
        snapshot: record.snapshot as never,
        // Ignored when restoring from a snapshot; the type asks for it.
        input: { request: context.request, venue: context.venue, emulated: context.emulated, createdAt: context.createdAt },
      });
      this.orders.set(orderId, actor);
      actor.on('*', (event) => this.publish(event));
      this.snapshots!.track(actorId, 'order', actor, flags.get(orderId), true);
      actor.start();
      restoredOrders++;
    }
    for (const intent of this.store.intents('sent')) this.snapshots!.intentSent(intent.clientOrderId);
    return { restoredOrders, restoredPositions };
  }

  /** Deadlines and triggers are not in snapshots (XState does not persist timers): armed again from context. */
  private rearm(): void {
    for (const [orderId, actor] of this.orders) {
      const snapshot = actor.getSnapshot();
      const state = snapshot.value as OrderStateName;
      if (TERMINAL_STATES.has(state)) continue;
      const context = snapshot.context;
      if (state === 'emulated') this.binding(context.venue).triggers.add(triggerEntryOf(context, undefined));
      if (!this.deadlines.has(orderId)) this.armDeadline(orderId, context.request);
    }
    for (const actor of this.positions.all()) {
      const snapshot = actor.getSnapshot();
      if (this.awaitsExitRetry(snapshot.context.positionId)) this.awaitExitRetry(snapshot.context.venue, snapshot.context.symbol, snapshot.context.positionId);
      const open = typeof snapshot.value === 'object' ? (snapshot.value as { open?: { stop?: string } }).open : undefined;
      if (open === undefined) continue;
      const context = snapshot.context;
      const protection = context.protection;
      const side = context.direction === 'long' ? 'sell' : 'buy';
      const triggers = this.binding(context.venue).triggers;
      if (protection?.breakEven && open.stop === 'initial') {
        triggers.add({ orderId: `${context.positionId}#breakEven`, symbol: context.symbol, side, type: 'takeProfit', triggerPrice: protection.breakEven.triggerPrice });
      }
      if (protection?.trailing && open.stop !== 'trailing') {
        triggers.add({ orderId: `${context.positionId}#trailing`, symbol: context.symbol, side, type: 'takeProfit', triggerPrice: protection.trailing.activationPrice });
      }
    }
  }

  private reconciliationHost() {
    return {
      logger: this.logger,
      now: () => this.clock.now(),
      order: (orderId: string) => {
        const actor = this.orders.get(orderId);
        if (actor === undefined) return undefined;
        const snapshot = actor.getSnapshot();
        return { state: snapshot.value as OrderStateName, context: snapshot.context };
      },
      liveOrders: (venueId: string) => {
        const ids: string[] = [];
        for (const [orderId, actor] of this.orders) {
          const snapshot = actor.getSnapshot();
          if (snapshot.context.venue === venueId && !TERMINAL_STATES.has(snapshot.value as OrderStateName)) ids.push(orderId);
        }
        return ids;
      },
      route: (report: ExecutionReport) => this.routeReport(report),
      adopt: (request: OrderRequest & { readonly clientOrderId: string }, venueId: string, options: { emulated: boolean; createdAt: number }) => this.adoptOrder(request, venueId, options),
      flag: (orderId: string, flag: RecoveryFlag) => this.snapshots?.flag(`order:${orderId}`, flag),
      resolveIntent: (orderId: string, status: 'acknowledged' | 'adopted' | 'unknownAtVenue', note?: string) => {
        this.snapshots?.intentResolved(orderId);
        this.store?.resolveIntent(orderId, status, this.clock.now(), note);
      },
    };
  }

  /**
   * Recovery: brings an order the venue has (or may have) to `submitted`/`triggered` without sending it. An
   * existing local order (pending or emulated in the last commit) moves on; an unknown one is created.
   */
  private adoptOrder(request: OrderRequest & { readonly clientOrderId: string }, venueId: string, options: { emulated: boolean; createdAt: number }): void {
    const orderId = request.clientOrderId;
    let actor = this.orders.get(orderId);
    if (actor === undefined) {
      actor = createActor(this.orderLogic, {
        parent: this.portfolio,
        id: `order:${orderId}`,
        input: { request, venue: venueId, emulated: options.emulated, createdAt: options.createdAt },
      });
      this.orders.set(orderId, actor);
      actor.on('*', (event) => this.publish(event));
      this.snapshots?.track(`order:${orderId}`, 'order', actor);
      actor.start();
      const binding = this.binding(venueId);
      const instrument = binding.instruments.get(request.symbol);
      const referencePrice = referencePriceOf(request, this.marketPriceOf(binding, request.symbol));
      if (instrument !== undefined && referencePrice !== undefined && !this.reducesExposure(request, venueId)) {
        const reservation = reservationOf(request, instrument, referencePrice);
        this.portfolio.send({ type: 'ledger.reserve', orderId, currency: reservation.currency, amount: reservation.amount });
      }
      this.armDeadline(orderId, request);
    }
    this.suppressedSends.add(orderId);
    try {
      const state = actor.getSnapshot().value as OrderStateName;
      if (state === 'pending') actor.send({ type: 'submit' });
      if (actor.getSnapshot().value === 'emulated') {
        this.binding(venueId).triggers.remove(orderId);
        actor.send({ type: 'trigger', marketPrice: actor.getSnapshot().context.triggerPrice ?? '0' });
      }
    } finally {
      this.suppressedSends.delete(orderId);
    }
  }

  /** Stops routing and timers and disconnects venues. Resting orders stay at the venue as they are. */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    this.lifecycle = 'stopped';
    // What this turn changed is committed before anything else stops (the caller closes the store).
    if (this.store?.isOpen) this.store.flush();
    for (const handle of this.deadlines.values()) this.clock.clearTimeout(handle);
    this.deadlines.clear();
    for (const binding of this.bindings.values()) {
      for (const unsubscribe of binding.unsubscribe) unsubscribe();
      binding.unsubscribe = [];
      await binding.venue.disconnect();
    }
    this.portfolio.stop();
  }

  /** Validates and places an order. Throws OrderRequestError (or an engine error) and changes nothing if bad. */
  submitOrder(input: OrderRequestInput): OrderHandle {
    this.assertStarted();
    const request = parseOrderRequest(input);
    if (request.clientOrderId !== undefined) {
      const existing = this.orders.get(request.clientOrderId);
      if (existing) return { orderId: request.clientOrderId, actor: existing, created: false };
    }
    const binding = this.binding(request.venue ?? this.defaultVenueId());
    const instrument = this.instrument(binding.venue.id, request.symbol);
    const marketPrice = this.marketPriceOf(binding, request.symbol);
    validateOrderRequest(request, { instrument, now: this.clock.now(), marketPrice });
    const emulated = this.checkCapabilities(binding.venue, request);
    const referencePrice = referencePriceOf(request, marketPrice);
    if (referencePrice === undefined) {
      throw new OrderRequestError([`no market price for ${request.symbol} yet: the cost of a ${request.type} order cannot be checked`]);
    }
    const clientOrderId = request.clientOrderId ?? this.nextClientOrderId();
    const now = this.clock.now();
    const denial = this.gate(request, binding.venue.id, instrument, referencePrice, marketPrice);
    const trailingStart = emulated && request.type === 'trailingStop' && marketPrice !== undefined
      ? advanceTrailing(trailingPlanOf(request), undefined, this.referencePrice(binding, request) ?? marketPrice, instrument.tickSize)
      : undefined;
    const actor = createActor(this.orderLogic, {
      parent: this.portfolio,
      id: `order:${clientOrderId}`,
      input: {
        request: { ...request, clientOrderId },
        venue: binding.venue.id,
        emulated,
        createdAt: now,
        triggerPrice: trailingStart?.triggerPrice,
        watermark: trailingStart?.watermark,
      },
    });
    this.orders.set(clientOrderId, actor);
    actor.on('*', (event) => this.publish(event));
    this.snapshots?.track(`order:${clientOrderId}`, 'order', actor);
    actor.start();
    if (denial !== undefined) {
      // Denied by the portfolio: the order stands in `denied` for the audit trail; nothing reserved or sent.
      actor.send({ type: 'deny', reason: `${denial.reason}: ${denial.message}` });
      return { orderId: clientOrderId, actor, created: true, denial };
    }
    this.recentSubmits.record(now);
    if (!this.reducesExposure(request, binding.venue.id)) {
      const reservation = reservationOf(request, instrument, referencePrice);
      this.portfolio.send({ type: 'ledger.reserve', orderId: clientOrderId, currency: reservation.currency, amount: reservation.amount });
    }
    this.armDeadline(clientOrderId, request);
    actor.send({ type: 'submit' });
    return { orderId: clientOrderId, actor, created: true };
  }

  /** Changes price, quantity or stop price, through the venue (or locally for an emulated order). */
  amendOrder(orderId: string, changes: unknown): OrderHandle {
    this.assertStarted();
    const actor = this.requireOrder(orderId);
    const snapshot = actor.getSnapshot();
    const context = snapshot.context;
    const state = snapshot.value as OrderStateName;
    if (!snapshot.can({ type: 'amend' })) throw new OrderStateError(orderId, state, refusalMessage(orderId, state, 'amended'));
    const venue = this.binding(context.venue).venue;
    if (state !== 'emulated' && !venue.capabilities.amend) {
      throw new OrderStateError(orderId, state, `venue ${venue.id} cannot amend orders; cancel and place a new one`);
    }
    // As for submits, a halt does not freeze a position's own protective orders (resize, break-even).
    const protective = context.request.reduceOnly && context.request.parentId !== undefined && this.positions.get(context.request.parentId) !== undefined;
    const tradingState = this.tradingState() === 'halted' && protective ? 'reducing' : this.tradingState();
    // A position keeping its own protection in step (a stop resized after a partial fill) is never held back by
    // the amend rate: a stop larger than the position would flip it when it fires. It still counts.
    const limits = protective && this.amendingForPosition ? { ...this.riskLimits, amendRate: undefined } : this.riskLimits;
    const amendDenial = checkAmend({ recentAmends: this.recentAmends.inWindow(this.clock.now()), now: this.clock.now(), tradingState }, limits);
    if (amendDenial !== undefined) throw new OrderStateError(orderId, state, `${amendDenial.reason}: ${amendDenial.message}`);
    const amendment = validateAmendment(changes, { type: context.request.type, filledQuantity: context.filledQuantity, quantity: context.quantity }, this.instrument(context.venue, context.request.symbol));
    this.recentAmends.record(this.clock.now());
    actor.send({ type: 'amend', ...amendment });
    return { orderId, actor, created: false };
  }

  /** Cancels an order: at the venue if it is there, locally if it never left. */
  cancelOrder(orderId: string): OrderHandle {
    this.assertStarted();
    const actor = this.requireOrder(orderId);
    const snapshot = actor.getSnapshot();
    const state = snapshot.value as OrderStateName;
    if (!snapshot.can({ type: 'cancel' })) throw new OrderStateError(orderId, state, refusalMessage(orderId, state, 'canceled'));
    actor.send({ type: 'cancel' });
    return { orderId, actor, created: false };
  }

  getOrder(orderId: string): OrderView | undefined {
    const actor = this.orders.get(orderId);
    if (actor === undefined) return undefined;
    const snapshot = actor.getSnapshot();
    return orderView(snapshot.value as OrderStateName, snapshot.context);
  }

  listOrders(filter: OrderFilter = {}): OrderView[] {
    const statuses = filter.status === undefined ? undefined : new Set(typeof filter.status === 'string' ? [filter.status] : filter.status);
    const views: OrderView[] = [];
    for (const actor of this.orders.values()) {
      const snapshot = actor.getSnapshot();
      const context = snapshot.context;
      if (filter.symbol !== undefined && context.request.symbol !== filter.symbol) continue;
      if (filter.venue !== undefined && context.venue !== filter.venue) continue;
      if (filter.parentId !== undefined && context.request.parentId !== filter.parentId) continue;
      if (filter.since !== undefined && context.createdAt < filter.since) continue;
      if (filter.until !== undefined && context.createdAt > filter.until) continue;
      const view = orderView(snapshot.value as OrderStateName, context);
      if (statuses !== undefined && !statuses.has(view.status)) continue;
      if (filter.live !== undefined && view.live !== filter.live) continue;
      views.push(view);
    }
    return views;
  }

  /** The order's actor, for integrations that watch it (subscribe) themselves. */
  getOrderActor(orderId: string): OrderActor | undefined {
    return this.orders.get(orderId);
  }

  get orderCount(): number {
    return this.orders.size;
  }

  /** Every domain event, in sequence order, as it happens. Returns the unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last price seen for a symbol: trade price, quote mid, or bar close. */
  marketPrice(symbol: string, venueId?: string): Decimal | undefined {
    return this.marketPriceOf(this.binding(venueId ?? this.defaultVenueId()), symbol);
  }

  instrument(venueId: string, symbol: string): Instrument {
    const instrument = this.binding(venueId).instruments.get(symbol);
    if (instrument === undefined) throw new UnknownInstrumentError(symbol, venueId);
    return instrument;
  }

  venue(venueId: string): Venue {
    return this.binding(venueId).venue;
  }

  /** The ids of the engine's venues, the default (first) one first. */
  venueIds(): string[] {
    return [...this.bindings.keys()];
  }

  /** Opens a position: its entry order goes through the risk gate; its plan is applied once the entry fills. */
  openPosition(request: OpenPositionRequest): PositionHandle {
    this.assertStarted();
    const venueId = request.venue ?? this.defaultVenueId();
    const instrument = this.instrument(venueId, request.symbol);
    const existing = this.positions.currentFor(venueId, request.symbol);
    if (existing !== undefined) {
      const context = existing.getSnapshot().context;
      throw new OrderStateError(context.positionId, String(positionView(existing).status), `a ${context.direction} position in ${request.symbol} is already open (${context.positionId}); close it or add to it with an order`);
    }
    const positionId = this.positions.nextPositionId();
    const entryOrderId = `${positionId}.e1`;
    const entry = request.entry ?? { type: 'market' as const };
    const order: OrderRequestInput = {
      clientOrderId: entryOrderId,
      venue: venueId,
      symbol: request.symbol,
      side: request.direction === 'long' ? 'buy' : 'sell',
      type: entry.type,
      quantity: request.quantity,
      ...(entry.type === 'limit' ? { price: entry.price } : {}),
      parentId: positionId,
    };
    // Validate before the position exists, so bad input starts nothing.
    validateOrderRequest(parseOrderRequest(order), { instrument, now: this.clock.now(), marketPrice: this.marketPrice(request.symbol, venueId) });
    if (request.margin !== undefined) {
      try {
        liquidationPrice({ direction: request.direction, entryPrice: '1', leverage: request.margin.leverage, maintenanceMarginRate: request.margin.maintenanceMarginRate });
      } catch (error) {
        throw new OrderRequestError([`margin: ${(error as Error).message}`]);
      }
    }
    const input: PositionMachineInput = {
      positionId,
      venue: venueId,
      symbol: request.symbol,
      direction: request.direction,
      createdAt: this.clock.now(),
      plan: request.plan,
      inputs: request.inputs,
      tickSize: instrument.spec.tickSize,
      lotSize: instrument.spec.lotSize,
      feeRate: instrument.takerFee.gt(instrument.makerFee) ? instrument.spec.takerFee : instrument.spec.makerFee,
      entryOrderId,
      margin: request.margin,
    };
    const actor = this.positions.start(input);
    const handle = this.submitOrder(order);
    return { positionId, entryOrderId, actor, denial: handle.denial };
  }

  /** Closes a position in full (or `quantity` of it) at market, through the same gate. */
  closePosition(positionId: string, options: { quantity?: DecimalString; reason?: ExitReason } = {}): PositionView {
    this.assertStarted();
    const actor = this.requirePosition(positionId);
    const view = positionView(actor);
    if (view.status === 'closed') throw new OrderStateError(positionId, 'closed', `position ${positionId} is already closed`);
    if (options.quantity !== undefined) {
      const quantity = decimal(options.quantity);
      if (!quantity.gt(ZERO) || quantity.gt(view.quantity)) {
        throw new OrderRequestError([`quantity to close must be above 0 and at most the position's ${view.quantity}, got ${options.quantity}`]);
      }
      const [working] = workingExits(actor.getSnapshot().context);
      if (working !== undefined && quantity.lt(view.quantity)) {
        throw new OrderStateError(positionId, view.status, `position ${positionId} has exit order ${working} working; a partial close waits until it has ended (a full close replaces it)`);
      }
    }
    actor.send({ type: 'close', reason: options.reason ?? 'manual', quantity: options.quantity });
    return positionView(actor);
  }

  /** Moves a position's stop (it must stay on the loss side of the market). */
  updateStop(positionId: string, stopPrice: DecimalString): PositionView {
    this.assertStarted();
    const actor = this.requirePosition(positionId);
    const view = positionView(actor);
    const market = this.marketPrice(view.symbol, view.venue);
    const price = decimal(stopPrice);
    const wrongSide = market !== undefined && (view.direction === 'long' ? price.gte(market) : price.lte(market));
    if (view.status !== 'open' || view.stopOrderId === undefined) {
      throw new OrderStateError(positionId, view.status, `position ${positionId} has no working stop to move (it is ${view.status})`);
    }
    if (view.stopPhase === 'trailing') {
      throw new OrderStateError(positionId, view.status, `position ${positionId} is trailing its stop (now ${view.stopPrice ?? 'not yet set'}); the trailing stop moves it, a manual price would not reach the order`);
    }
    if (wrongSide) throw new OrderRequestError([`stop price ${stopPrice} is not below the market (${market!.toFixed()}) for a ${view.direction} position`.replace('below', view.direction === 'long' ? 'below' : 'above')]);
    this.checkManualAmend(view);
    actor.send({ type: 'updateStop', stopPrice: decimal(stopPrice).toFixed() });
    return positionView(actor);
  }

  updateTakeProfit(positionId: string, price: DecimalString): PositionView {
    this.assertStarted();
    const actor = this.requirePosition(positionId);
    const view = positionView(actor);
    if (view.status !== 'open' || !view.takeProfitOrderIds.some((orderId) => view.workingOrderIds.includes(orderId))) {
      throw new OrderStateError(positionId, view.status, `position ${positionId} has no working take-profit to move`);
    }
    this.checkManualAmend(view);
    actor.send({ type: 'updateTakeProfit', price: decimal(price).toFixed() });
    return positionView(actor);
  }

  /**
   * A manual stop or take-profit change is an amendment through the same gate: refused here, with the reason,
   * rather than recorded on the position and then denied on its way to the order. Protective orders are
   * amended even when halted, as reduce-only orders pass.
   */
  private checkManualAmend(view: PositionView): void {
    const tradingState = this.tradingState() === 'halted' ? 'reducing' : this.tradingState();
    const denial = checkAmend({ recentAmends: this.recentAmends.inWindow(this.clock.now()), now: this.clock.now(), tradingState }, this.riskLimits);
    if (denial !== undefined) throw new OrderStateError(view.positionId, view.status, `${denial.reason}: ${denial.message}`);
  }

  getPosition(positionId: string): PositionView | undefined {
    const actor = this.positions.get(positionId);
    return actor === undefined ? undefined : positionView(actor, this.markOf(actor));
  }

  listPositions(filter: { symbol?: string; status?: string; open?: boolean } = {}): PositionView[] {
    const views: PositionView[] = [];
    for (const actor of this.positions.all()) {
      const view = positionView(actor, this.markOf(actor));
      if (filter.symbol !== undefined && view.symbol !== filter.symbol) continue;
      if (filter.status !== undefined && view.status !== filter.status) continue;
      if (filter.open !== undefined && (view.status !== 'closed') !== filter.open) continue;
      views.push(view);
    }
    return views;
  }

  /** The latest market price of a position's instrument, if any has been seen. */
  private markOf(actor: PositionActor): DecimalString | undefined {
    const context = actor.getSnapshot().context;
    return this.marketPrice(context.symbol, context.venue)?.toFixed();
  }

  getPositionActor(positionId: string): PositionActor | undefined {
    return this.positions.get(positionId);
  }

  /** From a strategy's signal to a working protected position: size, plan, risk gate, entry. */
  submitSignal(signal: Signal): SignalOutcome {
    this.assertStarted();
    const signalTime = this.clock.now();
    const venueId = signal.venue ?? this.defaultVenueId();
    const instrument = this.instrument(venueId, signal.symbol);
    const current = this.positions.currentFor(venueId, signal.symbol);
    const quote = instrument.quote;
    const planned = planSignal(signal, {
      instrument,
      marketPrice: this.marketPrice(signal.symbol, venueId)?.toFixed(),
      equity: this.valuation(quote).equity,
      openDirection: current === undefined ? undefined : current.getSnapshot().context.direction,
      openPositions: () => this.positions.openPositions().filter((position) => position.venue === venueId),
      defaults: this.signalDefaults,
    });
    if (planned.kind === 'refused') return { status: 'refused', reason: planned.reason };
    if (planned.kind === 'close') {
      const positionId = current!.getSnapshot().context.positionId;
      this.closePosition(positionId, { reason: 'signal' });
      return { status: 'closing', positionId };
    }
    const handle = this.openPosition({ symbol: signal.symbol, venue: venueId, direction: planned.direction, quantity: planned.quantity, plan: planned.plan, inputs: planned.inputs });
    this.execution.signaled(handle.entryOrderId, signalTime);
    if (handle.denial !== undefined) return { status: 'denied', positionId: handle.positionId, denial: handle.denial };
    return { status: 'opened', positionId: handle.positionId, entryOrderId: handle.entryOrderId, quantity: planned.quantity, stopPrice: planned.stopPrice };
  }

  /** Kill switch: nothing new passes, working entry orders are canceled, protective orders stay. */
  halt(reason: string): void {
    this.assertStarted();
    this.portfolio.send({ type: 'halt', reason });
    this.cancelEntryOrders();
  }

  /** Only orders that reduce exposure pass. */
  reduceOnly(reason: string): void {
    this.assertStarted();
    this.portfolio.send({ type: 'reduce', reason });
  }

  resume(): void {
    this.assertStarted();
    this.portfolio.send({ type: 'resume' });
  }

  /** Emergency close-all: halts, cancels entries, closes every position at market; stops stay until closed. */
  closeAll(reason = 'emergency close-all'): void {
    this.halt(reason);
    for (const actor of [...this.positions.all()]) {
      if (positionView(actor).status !== 'closed') actor.send({ type: 'close', reason: 'emergency' });
    }
  }

  tradingState(): TradingStateName {
    return this.portfolio.getSnapshot().value as TradingStateName;
  }

  account(quoteCurrency?: string): AccountView {
    const snapshot = this.portfolio.getSnapshot();
    const quote = quoteCurrency ?? this.defaultQuote();
    const valuation = this.valuation(quote);
    return {
      tradingState: snapshot.value as TradingStateName,
      reason: snapshot.context.reason,
      balances: snapshot.context.ledger.balances,
      equity: valuation.equity,
      exposure: valuation.exposure,
      exposureBySymbol: valuation.bySymbol,
      openPositions: this.positions.openCount(),
      faults: snapshot.context.faults.length,
    };
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
    return [...this.reconciliationQueue];
  }

  private routeReport(report: ExecutionReport): void {
    const actor = this.orders.get(report.clientOrderId);
    if (actor === undefined) {
      // Reconciliation adopts such orders; until then they are loud, never silently dropped.
      this.logger.warn({ report }, `execution report for unknown order ${report.clientOrderId} from ${report.venue}`);
      return;
    }
    const event = Object.assign({}, report, { type: `venue.${report.type}` }) as OrderMachineEvent;
    if (!actor.getSnapshot().can(event)) {
      this.logger.debug({ report, state: actor.getSnapshot().value }, `report ${report.type} ignored in state ${String(actor.getSnapshot().value)}`);
      return;
    }
    actor.send(event);
  }

  private publish(draft: DomainEventDraft): void {
    // Object.assign rather than spread-then-add: the latter costs microseconds per event on Node 20.
    const event = Object.assign({}, draft, { sequence: ++this.sequence, timestamp: this.clock.now() }) as DomainEvent;
    // Journaled first (before bookkeeping publishes later events): one group commit at the end of the turn.
    this.history.record(event);
    if (event.type === 'OrderFilled' && this.snapshots !== undefined) {
      this.snapshots.fill(event, this.orders.get(event.orderId)?.getSnapshot().context.request.side ?? 'unknown');
    }
    // Bookkeeping can make other actors announce events of their own (a fill opens a position): those get
    // later sequence numbers, so subscribers are served from a queue, in sequence order, once it settles.
    this.outbox.push(event);
    this.react(event);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.outbox.shift(); next !== undefined; next = this.outbox.shift()) {
        for (const listener of this.listeners) {
          try {
            listener(next);
          } catch (error) {
            this.logger.error({ err: error, event: next.type, sequence: next.sequence }, 'a domain event listener threw');
          }
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  /**
   * The engine's own bookkeeping on each event: trigger index, deadlines, the ledger, positions and loss
   * limits. It runs inside the emitting actor's transition, so it must never throw: a fault is recorded.
   */
  private react(event: DomainEvent): void {
    try {
      this.reactTo(event);
    } catch (error) {
      this.logger.error({ err: error, event: event.type, sequence: event.sequence }, 'engine bookkeeping failed on an event');
      this.portfolio.send({ type: 'fault', actorId: 'engine', message: `${event.type} #${event.sequence}: ${(error as Error).message}`, at: this.clock.now(), restoredTo: 'n/a' });
    }
  }

  private reactTo(event: DomainEvent): void {
    this.execution.observe(event);
    switch (event.type) {
      case 'OrderEmulated': {
        const context = this.orders.get(event.orderId)!.getSnapshot().context;
        this.binding(event.venue).triggers.add(triggerEntryOf(context, event.triggerPrice));
        return;
      }
      case 'OrderUpdated': {
        const triggers = this.binding(event.venue).triggers;
        const context = this.orders.get(event.orderId)?.getSnapshot().context;
        // A new stop price on a held stop re-sorts it; trailing stops move inside the index itself.
        if (context && triggers.has(event.orderId) && context.request.type !== 'trailingStop') {
          triggers.add(triggerEntryOf(context, event.triggerPrice));
        }
        // A trailing stop that protects a position tells the position where its stop now is.
        const ownerId = this.positions.ownerOf(event.orderId);
        if (ownerId !== undefined && context?.request.type === 'trailingStop' && event.triggerPrice !== undefined) {
          this.positions.get(ownerId)?.send({ type: 'stopMoved', stopPrice: event.triggerPrice });
        }
        return;
      }
      case 'OrderFilled': {
        const context = this.orders.get(event.orderId)!.getSnapshot().context;
        const instrument = this.instrument(event.venue, event.symbol);
        const side = context.request.side;
        this.portfolio.send({
          type: 'ledger.fill', orderId: event.orderId, side, base: instrument.base, quote: instrument.quote,
          quantity: event.fillQuantity, price: event.fillPrice, fee: event.fee, feeCurrency: event.feeCurrency,
        });
        this.positions.applyFill(event, side, instrument.quote, instrument.spec.tickSize, instrument.spec.lotSize, instrument.spec.takerFee);
        if (event.remainingQuantity === '0') this.orderEnded(event.orderId, event.venue, 'filled');
        this.checkLossLimits(instrument.quote);
        return;
      }
      case 'OrderTriggered':
        this.binding(event.venue).triggers.remove(event.orderId);
        this.clearDeadline(event.orderId);
        return;
      case 'OrderDenied':
      case 'OrderRejected':
      case 'OrderCanceled':
      case 'OrderExpired':
        this.orderEnded(event.orderId, event.venue, event.type.slice('Order'.length).toLowerCase());
        return;
      case 'PositionOpened': {
        const protection = this.positions.get(event.positionId)?.getSnapshot().context.protection;
        const side = event.direction === 'long' ? 'sell' : 'buy';
        const triggers = this.binding(event.venue).triggers;
        // Break-even and trailing activation wait in the trigger index like a take-profit on the exit side.
        if (protection?.breakEven) triggers.add({ orderId: `${event.positionId}#breakEven`, symbol: event.symbol, side, type: 'takeProfit', triggerPrice: protection.breakEven.triggerPrice });
        if (protection?.trailing) triggers.add({ orderId: `${event.positionId}#trailing`, symbol: event.symbol, side, type: 'takeProfit', triggerPrice: protection.trailing.activationPrice });
        if (event.planError) this.logger.error({ positionId: event.positionId, planError: event.planError }, `position ${event.positionId} opened without its plan: ${event.planError}`);
        return;
      }
      case 'PositionChanged':
        // After an exit ended with quantity left, and after a late fill (which resets the count of failed exits).
        if ((event.change === 'exitRetryPending' || event.change === 'size') && this.awaitsExitRetry(event.positionId)) {
          this.awaitExitRetry(event.venue, event.symbol, event.positionId);
        } else if (event.change === 'exitFailed') {
          this.logger.error(
            { positionId: event.positionId, symbol: event.symbol, quantity: event.quantity },
            `position ${event.positionId}: ${MAX_FAILED_EXITS} exits in a row ended without a fill; ${event.quantity} ${event.symbol} is still held and nothing is working to close it (close it again to retry)`,
          );
        }
        return;
      case 'PositionClosed': {
        const triggers = this.binding(event.venue).triggers;
        triggers.remove(`${event.positionId}#breakEven`);
        triggers.remove(`${event.positionId}#trailing`);
        this.positions.closed(event.positionId);
        return;
      }
      default:
        return;
    }
  }

  /** An order reached a terminal state: its deadline, trigger and reservation go, and its position is told. */
  private orderEnded(orderId: string, venueId: string, status: string): void {
    this.binding(venueId).triggers.remove(orderId);
    this.clearDeadline(orderId);
    this.portfolio.send({ type: 'ledger.release', orderId });
    this.positions.orderEnded(orderId, status);
  }

  /** Only a closing position can be waiting to send its exit again (checked first: can() runs the chart's guards). */
  private awaitsExitRetry(positionId: string): boolean {
    const snapshot = this.positions.get(positionId)?.getSnapshot();
    return snapshot !== undefined && snapshot.value === 'closing' && snapshot.can({ type: 'retryExit' });
  }

  private awaitExitRetry(venueId: string, symbol: string, positionId: string): void {
    const retries = this.binding(venueId).exitRetries;
    retries.set(symbol, (retries.get(symbol) ?? new Set<string>()).add(positionId));
  }

  /** Sends again the exits that ended with quantity left, now that the market has moved. */
  private retryExits(binding: VenueBinding, symbol: string): void {
    const waiting = binding.exitRetries.get(symbol);
    if (waiting === undefined) return;
    binding.exitRetries.delete(symbol);
    for (const positionId of waiting) this.positions.get(positionId)?.send({ type: 'retryExit' });
  }

  private onTriggered(id: string, marketPrice: Decimal): void {
    const separator = id.indexOf('#');
    if (separator < 0) {
      // A position's stop: its take-profits are canceled before the stop's order is sent, so on a spot venue
      // the cancel reaches the venue first and frees the quantity the stop sells.
      const ownerId = this.positions.ownerOf(id);
      const owner = ownerId === undefined ? undefined : this.positions.get(ownerId);
      if (owner !== undefined && owner.getSnapshot().context.stopOrderId === id) owner.send({ type: 'stopTriggered' });
      this.orders.get(id)?.send({ type: 'trigger', marketPrice: marketPrice.toFixed() });
      return;
    }
    const position = this.positions.get(id.slice(0, separator));
    const kind = id.slice(separator + 1);
    position?.send({ type: kind === 'breakEven' ? 'breakEvenReached' : 'trailingActivated', marketPrice: marketPrice.toFixed() });
  }

  /** The portfolio's one gate: the pre-trade checks for an order, with the ledger and positions as they are. */
  private gate(request: OrderRequest, venueId: string, instrument: Instrument, referencePrice: Decimal, marketPrice: Decimal | undefined): Denial | undefined {
    const position = this.positions.currentFor(venueId, request.symbol)?.getSnapshot().context;
    const positionQuantity = position === undefined ? '0' : signedQuantity(position.direction, position.quantity);
    const portfolio = this.portfolio.getSnapshot();
    let tradingState = portfolio.value as TradingStateName;
    // A halt must never block a position's own protection or its exit: those orders pass as when reducing.
    if (tradingState === 'halted' && request.reduceOnly && request.parentId !== undefined && this.positions.get(request.parentId) !== undefined) {
      tradingState = 'reducing';
    }
    // Valuing every balance and position is O(instruments + positions): only done when a limit needs it.
    const limits = this.riskLimits;
    const valuation = limits.maxPositionValuePercentOfEquity !== undefined || limits.maxLeverage !== undefined
      ? this.valuation(instrument.quote)
      : { equity: undefined, exposure: '0' };
    return checkOrder(
      orderRiskInput(request, {
        tradingState,
        ledger: portfolio.context.ledger,
        instrument,
        referencePrice,
        lastPrice: marketPrice,
        positionQuantity,
        equity: valuation.equity ?? '0',
        totalExposure: valuation.exposure,
        openPositions: this.positions.openCount(),
        recentSubmits: this.recentSubmits.inWindow(this.clock.now()),
        now: this.clock.now(),
      }),
      this.riskLimits,
    );
  }

  private reducesExposure(request: OrderRequest, venueId: string): boolean {
    const position = this.positions.currentFor(venueId, request.symbol)?.getSnapshot().context;
    if (position === undefined) return false;
    return orderReducesExposure(request.side, request.quantity, signedQuantity(position.direction, position.quantity));
  }

  /** Equity in `quote` (balances valued at the last prices) and the exposure of open positions. */
  private valuation(quote: string): { equity?: DecimalString; exposure: DecimalString; bySymbol: Record<string, DecimalString> } {
    const prices: Record<string, DecimalString> = {};
    for (const binding of this.bindings.values()) {
      for (const instrument of binding.instruments.values()) {
        if (instrument.quote !== quote) continue;
        const price = this.marketPriceOf(binding, instrument.symbol);
        if (price !== undefined) prices[instrument.base] = price.toFixed();
      }
    }
    let exposure = ZERO;
    const bySymbol: Record<string, DecimalString> = {};
    for (const actor of this.positions.all()) {
      const context = actor.getSnapshot().context;
      if (context.quantity === '0') continue;
      const mark = this.marketPrice(context.symbol, context.venue) ?? decimal(context.averageEntryPrice ?? '0');
      const value = notionalExposure(context as NetPosition, mark.toFixed());
      bySymbol[context.symbol] = value;
      exposure = exposure.plus(value);
    }
    let equity: DecimalString | undefined;
    try {
      equity = ledgerEquity(this.portfolio.getSnapshot().context.ledger, quote, prices);
    } catch {
      // A balance with no price yet (no market data) leaves equity unknown rather than guessed.
      equity = undefined;
    }
    return { equity, exposure: exposure.toFixed(), bySymbol };
  }

  /** After a fill: record equity for the day and the peak, and halt on a loss limit. */
  private checkLossLimits(quote: string): void {
    // Without a loss limit there is nothing to halt on, and no reason to value the account on every fill.
    if (this.riskLimits.dailyLossLimit === undefined && this.riskLimits.maxDrawdownPercent === undefined) return;
    const equity = this.valuation(quote).equity;
    if (equity === undefined) return;
    this.portfolio.send({ type: 'equity.observed', equity, day: new Date(this.clock.now()).toISOString().slice(0, 10) });
    const context = this.portfolio.getSnapshot().context;
    if (this.tradingState() === 'halted' || context.dayStartEquity === undefined || context.peakEquity === undefined) return;
    const breach = checkLossLimits({ dayStartEquity: context.dayStartEquity, peakEquity: context.peakEquity, equity }, this.riskLimits);
    if (breach !== undefined) {
      this.logger.error({ breach }, `trading halted: ${breach.message}`);
      this.portfolio.send({ type: 'halt', reason: `${breach.reason}: ${breach.message}` });
      this.cancelEntryOrders();
    }
  }

  /** Working orders that add exposure (entries, scale-ins, plain orders) are canceled; reduce-only ones stay. */
  private cancelEntryOrders(): void {
    for (const [orderId, actor] of this.orders) {
      const snapshot = actor.getSnapshot();
      if (snapshot.context.request.reduceOnly) continue;
      if (snapshot.can({ type: 'cancel' })) actor.send({ type: 'cancel' });
      void orderId;
    }
  }

  private cancelIfWorking(orderId: string): void {
    const actor = this.orders.get(orderId);
    if (actor !== undefined && actor.getSnapshot().can({ type: 'cancel' })) actor.send({ type: 'cancel' });
  }

  /** A position's amendment (resize, break-even): refused ones are logged, the position keeps its plan. */
  private amendQuietly(orderId: string, changes: { quantity?: DecimalString; stopPrice?: DecimalString; price?: DecimalString }): void {
    const actor = this.orders.get(orderId);
    if (actor === undefined) return;
    const context = actor.getSnapshot().context;
    const wanted: Record<string, DecimalString> = {};
    // The position asks for what should remain working; the order's quantity is its total, fills included.
    const total = changes.quantity === undefined ? undefined : decimal(changes.quantity).plus(context.filledQuantity);
    if (total !== undefined && !total.eq(context.quantity)) wanted.quantity = total.toFixed();
    if (changes.stopPrice !== undefined && changes.stopPrice !== context.stopPrice && context.request.type !== 'trailingStop') wanted.stopPrice = changes.stopPrice;
    if (changes.price !== undefined && changes.price !== context.price) wanted.price = changes.price;
    if (Object.keys(wanted).length === 0 || !actor.getSnapshot().can({ type: 'amend' })) return;
    this.amendingForPosition = true;
    try {
      this.amendOrder(orderId, wanted);
    } catch (error) {
      this.logger.error({ err: error, orderId, changes: wanted }, `could not amend ${orderId} for its position: ${(error as Error).message}`);
    } finally {
      this.amendingForPosition = false;
    }
  }

  /**
   * A protective stop that cannot be placed (most often: the market is already through it) must not leave the
   * position unprotected: the position is closed at market, which is what the stop would have done.
   */
  private protectiveOrderRefused(positionId: string, intent: PositionOrderIntent, error: Error): void {
    this.logger.error({ err: error, positionId, intent }, `position ${positionId}: ${intent.role} order ${intent.clientOrderId} refused: ${error.message}`);
    if (intent.role === 'stop') {
      const actor = this.positions.get(positionId);
      if (actor !== undefined && positionView(actor).status === 'open') actor.send({ type: 'close', reason: 'stop' });
    }
  }

  /**
   * Supervision: a child that threw is restored from the snapshot it had before the failing event (XState keeps
   * it on the errored snapshot), marked for reconciliation with the venue, and the fault is recorded.
   */
  private restoreChild(actorId: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (actorId.startsWith('order:')) {
      const orderId = actorId.slice('order:'.length);
      const failed = this.orders.get(orderId);
      if (failed === undefined) return;
      const snapshot = failed.getSnapshot();
      const restored = createActor(this.orderLogic, {
        parent: this.portfolio,
        id: actorId,
        snapshot: { ...snapshot, status: 'active', error: undefined } as typeof snapshot,
        // Ignored when restoring from a snapshot; the type asks for it.
        input: { request: snapshot.context.request, venue: snapshot.context.venue, emulated: snapshot.context.emulated, createdAt: snapshot.context.createdAt },
      });
      this.orders.set(orderId, restored);
      restored.on('*', (event) => this.publish(event));
      this.snapshots?.track(actorId, 'order', restored, [...this.snapshots.flagsOf(actorId)]);
      restored.start();
      this.reconciliationQueue.add(orderId);
      this.logger.error({ orderId, err: error }, `order ${orderId} threw and was restored to ${String(snapshot.value)}: ${message}`);
      this.portfolio.send({ type: 'fault', actorId, message, at: this.clock.now(), restoredTo: String(snapshot.value) });
      return;
    }
    if (actorId.startsWith('position:')) {
      const restoredTo = this.positions.restoreAfterFault(actorId.slice('position:'.length));
      if (restoredTo !== undefined) {
        this.logger.error({ actorId, err: error }, `${actorId} threw and was restored to ${restoredTo}: ${message}`);
        this.portfolio.send({ type: 'fault', actorId, message, at: this.clock.now(), restoredTo });
        return;
      }
    }
    this.logger.error({ actorId, err: error }, `${actorId} threw: ${message}`);
    this.portfolio.send({ type: 'fault', actorId, message, at: this.clock.now(), restoredTo: 'not restored' });
  }

  private requirePosition(positionId: string): PositionActor {
    const actor = this.positions.get(positionId);
    if (actor === undefined) throw new UnknownPositionError(positionId);
    return actor;
  }

  private defaultQuote(): string {
    const binding = this.binding(this.defaultVenueId());
    const first = binding.instruments.values().next().value;
    return first?.quote ?? 'USD';
  }

  private sendToVenue(context: OrderContext): void {
    const orderId = context.clientOrderId;
    // Recovery moved this order to `submitted` to match the venue; it is never sent again.
    if (this.suppressedSends.has(orderId)) return;
    const venue = this.binding(context.venue).venue;
    const order = toVenueOrder(context, venue.capabilities);
    if (this.store !== undefined) {
      // The intent joins this turn's commit, and the order leaves only once that commit is on disk.
      const payload: IntentPayload = { request: context.request, emulated: context.emulated, createdAt: context.createdAt, releasedAs: context.releasedAs, sent: order };
      if (!this.store.queueIntent({ clientOrderId: orderId, venue: venue.id, request: payload, createdAt: this.clock.now() })) {
        this.logger.error({ orderId }, `order ${orderId} was already sent once (its intent is on record): not sent again`);
        return;
      }
      this.snapshots!.intentSent(orderId);
    }
    this.dispatch(() => venue.submit(order));
  }

  /**
   * With a store, a venue command waits for the group commit of the turn that decided it (the outbox
   * pattern): the intent, the order's events and its snapshot are on disk before the order leaves, so a
   * crash can lose a decision but never an order the venue has. Commands keep their order (submit, then a
   * cancel of the same order). Without a store they go at once.
   */
  private dispatch(command: () => void): void {
    if (this.store === undefined) {
      command();
      return;
    }
    this.venueCommands.push(command);
    this.store.schedule();
  }

  private releaseVenueCommands(): void {
    for (const command of this.venueCommands.splice(0)) {
      try {
        command();
      } catch (error) {
        // The order stays where it is (submitted, pendingCancel ...) until the venue or reconciliation says.
        this.logger.error({ err: error }, `a venue command failed: ${(error as Error).message}`);
      }
    }
  }

  /** GTD deadlines are absolute clock times: the venue holds them when it can, the engine otherwise. */
  private armDeadline(orderId: string, request: OrderRequest): void {
    if (request.expireAt === undefined) return;
    const handle = this.clock.setTimeout(() => {
      this.deadlines.delete(orderId);
      const actor = this.orders.get(orderId);
      if (actor === undefined) return;
      const snapshot = actor.getSnapshot();
      const venue = this.binding(snapshot.context.venue).venue;
      if (snapshot.value !== 'emulated' && venueHoldsExpiry(snapshot.context, venue.capabilities)) return;
      if (snapshot.can({ type: 'deadlineReached' })) actor.send({ type: 'deadlineReached' });
    }, request.expireAt - this.clock.now());
    this.deadlines.set(orderId, handle);
  }

  private clearDeadline(orderId: string): void {
    const handle = this.deadlines.get(orderId);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.deadlines.delete(orderId);
  }

  /** Refuses what the venue cannot do and we cannot emulate; returns whether the order is held locally. */
  private checkCapabilities(venue: Venue, request: OrderRequest): boolean {
    const capabilities = venue.capabilities;
    const native = capabilities.orderTypes.includes(request.type);
    const issues: string[] = [];
    if (!native && !TRIGGERED_ORDER_TYPES.includes(request.type)) issues.push(`venue ${venue.id} does not support ${request.type} orders`);
    if (request.timeInForce !== 'GTD' && !capabilities.timeInForce.includes(request.timeInForce)) {
      issues.push(`venue ${venue.id} does not support time in force ${request.timeInForce}`);
    }
    if (request.postOnly && !capabilities.postOnly) issues.push(`venue ${venue.id} does not support post-only orders`);
    if (issues.length > 0) throw new OrderRequestError(issues);
    return !native;
  }

  private marketPriceOf(binding: VenueBinding, symbol: string): Decimal | undefined {
    const data = binding.lastMarketData.get(symbol);
    if (data === undefined) return undefined;
    if (data.type === 'trade') return data.price;
    if (data.type === 'bar') return data.close;
    const bid = data.bids[0]?.price;
    const ask = data.asks[0]?.price;
    if (bid !== undefined && ask !== undefined) return bid.plus(ask).div('2');
    return bid ?? ask;
  }

  /** The side-specific price a trailing stop starts from: the bid for a sell, the ask for a buy. */
  private referencePrice(binding: VenueBinding, request: OrderRequest): Decimal | undefined {
    const data = binding.lastMarketData.get(request.symbol);
    if (data === undefined || data.type !== 'quote') return undefined;
    return request.side === 'sell' ? data.bids[0]?.price : data.asks[0]?.price;
  }

  private nextClientOrderId(): string {
    let id: string;
    do id = `${this.clientOrderIdPrefix}-${++this.generatedIds}`;
    while (this.orders.has(id));
    return id;
  }

  private requireOrder(orderId: string): OrderActor {
    const actor = this.orders.get(orderId);
    if (actor === undefined) throw new UnknownOrderError(orderId);
    return actor;
  }

  private binding(venueId: string): VenueBinding {
    const binding = this.bindings.get(venueId);
    if (binding === undefined) throw new UnknownVenueError(venueId, [...this.bindings.keys()]);
    return binding;
  }

  private defaultVenueId(): string {
    return this.bindings.keys().next().value!;
  }

  private assertStarted(): void {
    if (this.lifecycle !== 'started') throw new EngineStateError(`the engine is ${this.lifecycle}; call start() first`);
  }
}

const TERMINAL_STATES: ReadonlySet<OrderStateName> = new Set(['filled', 'canceled', 'expired', 'rejected', 'denied']);

/** A snapshot written by another version of its machine cannot be trusted to restore: refused, never guessed. */
function checkVersion(record: SnapshotRecord, path: string): void {
  const expected = MACHINE_VERSIONS[record.machineId as keyof typeof MACHINE_VERSIONS];
  if (expected === undefined) throw new EngineStateError(`store ${path}: snapshot of ${record.actorId} is of an unknown machine "${record.machineId}"`);
  if (record.machineVersion !== expected) {
    throw new EngineStateError(`store ${path}: snapshot of ${record.actorId} was written by ${record.machineId} machine version ${record.machineVersion}, this fillstate runs version ${expected} and has no migration for it`);
  }
}

/** The price an order's cost and checks are judged at: its own price, its trigger, or the market. */
function referencePriceOf(request: OrderRequest, marketPrice: Decimal | undefined): Decimal | undefined {
  const own = request.price ?? request.stopPrice ?? request.activationPrice;
  return own !== undefined ? decimal(own) : marketPrice;
}

function trailingPlanOf(request: OrderRequest): TrailingPlan {
  return {
    side: request.side,
    trailingOffset: request.trailingOffset,
    trailingPercent: request.trailingPercent,
    activationPrice: request.activationPrice,
  };
}

function triggerEntryOf(context: OrderContext, triggerPrice: string | undefined) {
  const request = context.request;
  const trailing = request.type === 'trailingStop';
  return {
    orderId: context.clientOrderId,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    triggerPrice: triggerPrice ?? context.triggerPrice,
    trailing: trailing ? trailingPlanOf(request) : undefined,
    trailingState: trailing && context.watermark !== undefined && context.triggerPrice !== undefined
      ? { watermark: context.watermark, triggerPrice: context.triggerPrice }
      : undefined,
  };
}

const TERMINAL_REFUSAL: Partial<Record<OrderStateName, string>> = {
  filled: 'it is filled',
  canceled: 'it is canceled',
  expired: 'it has expired',
  rejected: 'the venue rejected it',
  denied: 'the risk checks denied it',
};

function refusalMessage(orderId: string, state: OrderStateName, verb: 'canceled' | 'amended'): string {
  const terminal = TERMINAL_REFUSAL[state];
  if (terminal) return `order ${orderId} cannot be ${verb}: ${terminal}, and a finished order accepts no commands`;
  if (state === 'pendingCancel') return `order ${orderId} cannot be ${verb}: a cancel is already in flight`;
  if (state === 'pendingUpdate') return `order ${orderId} cannot be ${verb}: an amendment is already in flight`;
  return `order ${orderId} cannot be ${verb} while it is ${state}`;
}

