// Builds the engine's parts and wires them: who defers to the turn queue, who publishes to the event bus,
// and which reaction listens to which event type. The facade (engine.ts) only calls into what is made here.
import { createActor, type Actor } from 'xstate';
import { pino, type Logger } from 'pino';
import type { ExecutionReport } from '../../adapters/venue.ts';
import type { OrderMachineEvent } from '../../machines/order.ts';
import { portfolioMachine, type TradingStateName } from '../../machines/portfolio.ts';
import { ExecutionTracker, withArrivalPrice } from '../analytics/execution-tracker.ts';
import { SystemClock, type Clock } from '../domain/clock.ts';
import type { JournalStore } from '../store/journal-store.ts';
import { assembleParents } from './algos/assemble-parents.ts';
import type { ParentBook } from './algos/parent-book.ts';
import type { AlgoCommands } from './commands/algos.ts';
import type { OrderListCommands } from './commands/order-lists.ts';
import { ENGINE_ID_NAMESPACE, OrderCommands } from './commands/orders.ts';
import { PositionCommands } from './commands/positions.ts';
import { AccountReports, installAccountReactions } from './account-reports.ts';
import { Deadlines } from './deadlines.ts';
import type { EngineOptions } from './engine.ts';
import { DomainEventBus } from './event-bus.ts';
import { GracePeriod } from './grace-period.ts';
import { DEFAULT_TRAILING_FLUSH_MS, LocalTriggers } from './local-triggers.ts';
import { DEFAULT_FINISHED_GRACE_MS, DEFAULT_FINISHED_VIEWS_KEPT, OrderRegistry } from './order-registry.ts';

import { MemoryEventHistory, SnapshotWriter, StoreEventHistory, type EventHistory } from './persistence.ts';
import { PositionBook } from './positions.ts';
import { installLedgerReactions } from './reactions/ledger.ts';
import { installLossLimits } from './reactions/loss-limits.ts';
import { ExitRetries } from './reactions/exit-retries.ts';
import { onOrderEnded } from './reactions/order-ended.ts';
import { installPositionReactions } from './reactions/positions.ts';
import { RiskGate, signedQuantity } from './risk-gate.ts';
import { checkVersion, Startup } from './startup.ts';
import { StopHandOver } from './stop-hand-over.ts';
import { TurnQueue } from './turn.ts';
import { Valuation } from './valuation.ts';
import { VenueGateway } from './venue-gateway.ts';
import { VenueBook } from './venues.ts';
import { Views } from './views.ts';

/** The orders the engine's execution quality covers by default: as many as the finished views it keeps. */
const DEFAULT_EXECUTION_ORDERS_KEPT = DEFAULT_FINISHED_VIEWS_KEPT;

/** Every part of one engine, made once by assembleEngine. */
export class EngineParts {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly portfolio!: Actor<typeof portfolioMachine>;
  readonly store: JournalStore | undefined;
  readonly queue: TurnQueue;
  readonly bus!: DomainEventBus;
  readonly history!: EventHistory;
  readonly venues!: VenueBook;
  readonly gateway!: VenueGateway;
  readonly orders!: OrderRegistry;
  readonly positions!: PositionBook;
  readonly closedPositions!: GracePeriod;
  readonly valuation!: Valuation;
  readonly gate!: RiskGate;
  readonly deadlines!: Deadlines;
  readonly triggers!: LocalTriggers;
  readonly exitRetries!: ExitRetries;
  readonly orderCommands!: OrderCommands;
  readonly positionCommands!: PositionCommands;
  readonly startup!: Startup;
  readonly views!: Views;
  readonly stopHandOver!: StopHandOver;
  /** Margin venues' account reports (funding, liquidations, positions) turned into domain events. */
  readonly accountReports!: AccountReports;
  /** Execution quality (fill rate, slippage, signal-to-fill time), built from the event stream. */
  readonly execution!: ExecutionTracker;
  readonly restoredPortfolio!: boolean;
  /** Execution algorithms and order lists (src/engine/algos), and their commands. */
  readonly parents!: ParentBook;
  readonly algoCommands!: AlgoCommands;
  readonly orderListCommands!: OrderListCommands;

  constructor(options: EngineOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? pino({ level: 'warn', base: { component: 'engine' } }, pino.destination({ fd: 2, sync: true }));
    this.store = options.store;
    this.queue = new TurnQueue(this.logger);
    assemble(this as Mutable<EngineParts>, options);
  }

  /** A venue report reaches its order; a finished order that left memory is brought back from the store. */
  route(report: ExecutionReport): void {
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

  haltTrading(reason: string): void {
    this.portfolio.send({ type: 'halt', reason });
    this.orderCommands.cancelEntryOrders();
  }

  supervise(actorId: string, error: unknown): void {
    this.startup.superviseChild(actorId, { orderId: this.orders.orderIdOfActor(actorId), positionId: this.positions.positionIdOfActor(actorId) }, error);
  }

  recordFault(actorId: string, message: string, restoredTo: string): void {
    this.portfolio.send({ type: 'fault', actorId, message, at: this.clock.now(), restoredTo });
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function assemble(parts: Mutable<EngineParts>, options: EngineOptions): void {
  parts.history = parts.store !== undefined ? new StoreEventHistory(parts.store) : new MemoryEventHistory(options.eventHistory);
  parts.bus = new DomainEventBus({
    queue: parts.queue,
    history: parts.history,
    logger: parts.logger,
    now: () => parts.clock.now(),
    reactionFailed: (event, error) => parts.recordFault('engine', `${event.type} #${event.sequence}: ${error.message}`, 'n/a'),
  });
  const snapshots = parts.store !== undefined ? new SnapshotWriter(parts.store, () => parts.bus.lastSequence(), () => parts.clock.now()) : undefined;
  if (snapshots !== undefined) parts.bus.record((event) => event.type === 'OrderFilled' && snapshots.fill(event));
  parts.venues = new VenueBook(options.venues, {
    triggered: (target, price) => parts.triggers.triggered(target, price),
    trailingAdvanced: (orderId, state) => parts.triggers.trailingAdvanced(orderId, state),
  });
  const portfolioSnapshot = parts.store?.snapshot('portfolio');
  parts.restoredPortfolio = portfolioSnapshot !== undefined;
  if (portfolioSnapshot !== undefined) checkVersion(portfolioSnapshot, parts.store!.path);
  parts.portfolio = createActor(
    portfolioMachine.provide({
      actions: {
        // Runs after the portfolio's transition: supervision restores actors, never inside another's step.
        superviseChild: (_, { actorId, error }) => parts.queue.defer(() => parts.supervise(actorId, error)),
      },
    }),
    { clock: parts.clock, id: 'portfolio', snapshot: portfolioSnapshot?.snapshot as never },
  );
  snapshots?.track('portfolio', 'portfolio', parts.portfolio);
  const portfolio = () => parts.portfolio;
  const gateway = new VenueGateway(parts.venues, parts.logger, parts.store, snapshots, () => parts.clock.now(), (report) => parts.route(report));
  parts.gateway = gateway;
  const graceMs = options.finishedGraceMs ?? DEFAULT_FINISHED_GRACE_MS;
  parts.orders = new OrderRegistry({
    queue: parts.queue, gateway, clock: parts.clock, logger: parts.logger, store: parts.store, snapshots, portfolio,
    // An order sent carries its arrival price in the journal, so a report read from the store gives the live figures.
    publish: (draft) => parts.bus.publish(withArrivalPrice(draft, (symbol, venue) => parts.venues.marketPrice(venue, symbol)?.toFixed())),
    finishedGraceMs: graceMs,
    finishedViewsKept: options.finishedOrdersKept ?? DEFAULT_FINISHED_VIEWS_KEPT,
  });
  const idPrefix = options.clientOrderIdPrefix ?? parts.clock.now().toString(36);
  parts.positions = new PositionBook(
    {
      now: () => parts.clock.now(),
      parent: portfolio,
      defer: (work) => parts.queue.defer(work),
      submit: (request) => parts.orderCommands.submit(request, { kind: 'position', positionId: request.parentId! }),
      cancel: (orderId) => parts.orderCommands.cancelIfWorking(orderId),
      amend: (orderId, changes) => parts.orderCommands.amendForPosition(parts.positions.ownerOf(orderId) ?? '', orderId, changes),
      publish: (draft) => parts.bus.publish(draft),
      refused: (positionId, intent, error) => parts.positionCommands.protectiveOrderRefused(positionId, intent.role, intent.clientOrderId, error),
      created: (actor, restored) => snapshots?.track(actor.id, 'position', actor, undefined, restored),
    },
    `${ENGINE_ID_NAMESPACE}${idPrefix}`,
  );
  parts.closedPositions = new GracePeriod(parts.clock, graceMs, (positionId) => {
    snapshots?.untrack(`position:${positionId}`);
    parts.positions.evict(positionId);
  });
  parts.valuation = new Valuation(parts.venues, parts.positions, portfolio);
  parts.gate = new RiskGate(
    {
      tradingState: () => parts.portfolio.getSnapshot().value as TradingStateName,
      ledger: () => parts.portfolio.getSnapshot().context.ledger,
      positionQuantity: (venueId, symbol) => {
        const position = parts.positions.currentFor(venueId, symbol)?.getSnapshot().context;
        return position === undefined ? '0' : signedQuantity(position.direction, position.quantity);
      },
      // An order list's reduce-only legs (a bracket's exits) protect what it bought, like a position's.
      isPosition: (parentId) => parts.positions.get(parentId) !== undefined || parts.parents.holdsProtection(parentId),
      openPositions: () => parts.positions.openCount(),
      value: (quote) => parts.valuation.of(quote),
      now: () => parts.clock.now(),
      positionLeverage: (parentId, venueId, symbol) =>
        (parentId !== undefined ? parts.positions.get(parentId) : parts.positions.currentFor(venueId, symbol))?.getSnapshot().context.margin?.leverage,
      mark: (venueId, symbol) => parts.venues.marketPrice(venueId, symbol),
    },
    options.risk ?? {},
  );
  parts.deadlines = new Deadlines(parts.clock, parts.orders, parts.venues, (work) => parts.queue.run(work));
  parts.triggers = new LocalTriggers({
    venues: parts.venues,
    orders: parts.orders,
    positions: parts.positions,
    recheckRelease: (context, marketPrice) => parts.orderCommands.recheckRelease(context, marketPrice),
    releaseDenied: (orderId, reason) => {
      parts.logger.warn({ orderId, reason }, `held order ${orderId} was not released: ${reason}`);
      parts.orderCommands.cancelIfWorking(orderId);
    },
    defer: (work) => parts.queue.defer(work),
    run: (work) => parts.queue.run(work),
    clock: parts.clock,
    trailingFlushMs: options.trailingFlushMs ?? DEFAULT_TRAILING_FLUSH_MS,
  });
  parts.exitRetries = new ExitRetries(parts.positions, parts.logger);
  parts.execution = new ExecutionTracker((symbol, venue) => parts.venues.marketPrice(venue, symbol)?.toFixed(), options.executionOrdersKept ?? DEFAULT_EXECUTION_ORDERS_KEPT);
  parts.orderCommands = new OrderCommands({
    clock: parts.clock, logger: parts.logger, venues: parts.venues, orders: parts.orders, positions: parts.positions,
    gate: parts.gate, deadlines: parts.deadlines, portfolio, idPrefix,
  });
  parts.positionCommands = new PositionCommands({
    clock: parts.clock, venues: parts.venues, positions: parts.positions, orders: parts.orderCommands, gate: parts.gate,
    valuation: parts.valuation, execution: parts.execution, signalDefaults: options.signals ?? {}, logger: parts.logger,
  });
  parts.startup = new Startup({
    clock: parts.clock, logger: parts.logger, store: parts.store, snapshots, venues: parts.venues, orders: parts.orders,
    positions: parts.positions, deadlines: parts.deadlines, portfolio,
    reservationFor: (request, venueId, instrument, referencePrice) => parts.gate.reservationFor(request, venueId, instrument, referencePrice),
    route: (report) => parts.route(report),
    fault: (actorId, message, restoredTo) => parts.recordFault(actorId, message, restoredTo),
    restoreParent: (actorId) => parts.parents.restoreAfterFault(actorId),
  });
  parts.stopHandOver = new StopHandOver({ positions: parts.positions, orders: parts.orders, venues: parts.venues });
  parts.accountReports = new AccountReports({
    venues: parts.venues, positions: parts.positions, logger: parts.logger,
    ledger: () => parts.portfolio.getSnapshot().context.ledger,
    publish: (draft) => parts.bus.publish(draft),
    run: (work) => parts.queue.run(work),
  });
  parts.views = new Views(parts.orders, parts.positions, parts.venues, parts.valuation, portfolio, (orderId) => parts.triggers.pendingLevel(orderId));
  installReactions(parts, options);
  Object.assign(parts, assembleParents({ ...parts, portfolio: parts.portfolio }, snapshots, `${ENGINE_ID_NAMESPACE}${idPrefix}`));
}

/** Each concern subscribes to the event types it needs; order matters only where one builds on another. */
function installReactions(parts: EngineParts, options: EngineOptions): void {
    const bus = parts.bus;
    for (const type of ['AlgoStarted', 'OrderInitialized', 'OrderDenied', 'OrderSubmitted', 'OrderTriggered', 'OrderUpdated', 'OrderFilled'] as const) {
      bus.on(type, (event) => parts.execution.observe(event));
    }
    installLedgerReactions(bus, parts.venues, parts.portfolio, (venueId, instrument, parentId) => parts.gate.leverageFor(venueId, instrument, parentId).toFixed());
    installPositionReactions(bus, parts.positions, parts.venues, parts.logger, (positionId) => parts.closedPositions.start(positionId));
    installAccountReactions(bus, parts.positions);
    parts.triggers.install(bus);
    parts.deadlines.install(bus);
    parts.exitRetries.install(bus);
    onOrderEnded(bus, ({ orderId }) => parts.orders.finished(orderId));
    installLossLimits(bus, {
      portfolio: () => parts.portfolio, valuation: parts.valuation, venues: parts.venues, clock: parts.clock, logger: parts.logger, limits: options.risk ?? {},
      halt: (reason) => parts.haltTrading(reason),
    });
}
