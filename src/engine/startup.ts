// Start-up is recovery (one code path; a new file is recovery of nothing): actors come back from their
// snapshots, orders the venue has are adopted without being sent again, and faults are supervised.
import type { Logger } from 'pino';
import type { AnyActorRef } from 'xstate';
import type { AccountReport, ExecutionReport } from '../../adapters/venue.ts';
import type { OrderStateName } from '../../machines/order.ts';
import { PORTFOLIO_RESTORABLE_VERSIONS } from '../../machines/portfolio.ts';
import type { Clock } from '../domain/clock.ts';
import type { OrderRequest } from '../domain/order-request.ts';
import type { JournalStore } from '../store/journal-store.ts';
import type { SnapshotRecord } from '../store/records.ts';
import { referencePriceOf } from './commands/orders.ts';
import type { Deadlines } from './deadlines.ts';
import { EngineStateError } from './errors.ts';
import type { OrderRegistry } from './order-registry.ts';
import { isTerminal } from './order-registry.ts';
import { MACHINE_VERSIONS, type SnapshotWriter } from './persistence.ts';
import type { PositionBook } from './positions.ts';
import type { ReconciliationHost, RecoveryFlag } from './recovery.ts';
import type { VenueBinding, VenueBook } from './venues.ts';
import { decimal, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { Ledger } from '../domain/ledger.ts';
import type { MarketData } from '../domain/market-data.ts';

export interface StartupHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: JournalStore | undefined;
  readonly snapshots: SnapshotWriter | undefined;
  readonly venues: VenueBook;
  readonly orders: OrderRegistry;
  readonly positions: PositionBook;
  readonly deadlines: Deadlines;
  readonly portfolio: () => AnyActorRef;
  /** What an order reserves (the risk gate's rule: spot balances, perpetual margin), or undefined for nothing. */
  reservationFor(request: OrderRequest, venueId: string, instrument: Instrument, referencePrice: Decimal): { currency: string; amount: DecimalString } | undefined;
  route(report: ExecutionReport): void;
  fault(actorId: string, message: string, restoredTo: string): void;
  /** Restores an algorithm's or order list's actor that threw; undefined when it is none of theirs. */
  restoreParent(actorId: string): string | undefined;
}

export class Startup {
  /** Orders restored after a fault whose outcome at the venue must be checked before trusting them. */
  readonly toReconcile = new Set<string>();

  constructor(private readonly host: StartupHost) {}

  /**
   * Restores working orders and open positions from their snapshots (the portfolio was restored at
   * construction). Finished ones stay in the store: closed positions give back only their trade records.
   */
  restoreActors(): { restoredOrders: number; restoredPositions: number } {
    const { store, snapshots, orders, positions } = this.host;
    if (store === undefined) return { restoredOrders: 0, restoredPositions: 0 };
    let restoredOrders = 0;
    let restoredPositions = 0;
    const flags = store.orderFlags();
    for (const record of store.recentFinishedOrderSnapshots(orders.viewsKept)) {
      checkVersion(record, store.path);
      orders.rememberFinished(record);
    }
    for (const record of store.closedPositionSnapshots()) {
      checkVersion(record, store.path);
      positions.restoreTrade(record.snapshot);
    }
    for (const record of store.liveSnapshots()) {
      if (record.machineId === 'portfolio') continue;
      checkVersion(record, store.path);
      if (record.machineId === 'position') {
        positions.restore(record.snapshot);
        restoredPositions++;
        continue;
      }
      const context = (record.snapshot as { context: { clientOrderId: string } }).context;
      orders.restore(record, flags.get(context.clientOrderId));
      restoredOrders++;
    }
    for (const intent of store.intents('sent')) snapshots!.intentSent(intent.clientOrderId);
    return { restoredOrders, restoredPositions };
  }

  reconciliationHost(): ReconciliationHost {
    const { orders, store, snapshots, clock, logger } = this.host;
    return {
      logger,
      now: () => clock.now(),
      order: (orderId: string) => {
        const actor = orders.get(orderId);
        if (actor === undefined) return undefined;
        const snapshot = actor.getSnapshot();
        return { state: snapshot.value as OrderStateName, context: snapshot.context };
      },
      liveOrders: (venueId: string) => {
        const ids: string[] = [];
        for (const [orderId, actor] of orders.entries()) {
          const snapshot = actor.getSnapshot();
          if (snapshot.context.venue === venueId && !isTerminal(snapshot.value as OrderStateName)) ids.push(orderId);
        }
        return ids;
      },
      route: (report: ExecutionReport) => this.host.route(report),
      adopt: (request, venueId, options) => this.adoptOrder(request, venueId, options),
      flag: (orderId: string, flag: RecoveryFlag) => snapshots?.flag(`order:${orderId}`, flag),
      resolveIntent: (orderId, status, note) => {
        snapshots?.intentResolved(orderId);
        store?.resolveIntent(orderId, status, clock.now(), note);
      },
    };
  }

  /**
   * Supervision: a child that threw is restored from the snapshot it had before the failing event, marked for
   * reconciliation with the venue, and the fault is recorded.
   */
  superviseChild(actorId: string, owner: { orderId?: string; positionId?: string }, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const { orderId, positionId } = owner;
    const restoredTo = orderId !== undefined
      ? this.host.orders.replaceAfterFault(orderId)
      : positionId !== undefined ? this.host.positions.restoreAfterFault(positionId) : this.host.restoreParent(actorId);
    if (orderId !== undefined && restoredTo !== undefined) this.toReconcile.add(orderId);
    this.host.logger.error({ actorId, err: error }, restoredTo === undefined ? `${actorId} threw: ${message}` : `${actorId} threw and was restored to ${restoredTo}: ${message}`);
    this.host.fault(actorId, message, restoredTo ?? 'not restored');
  }

  /**
   * Recovery: brings an order the venue has (or may have) to `submitted`/`triggered` without sending it. An
   * existing local order (pending or emulated in the last commit) moves on; an unknown one is created.
   */
  private adoptOrder(request: OrderRequest & { readonly clientOrderId: string }, venueId: string, options: { emulated: boolean; createdAt: number }): void {
    const { orders, venues } = this.host;
    const orderId = request.clientOrderId;
    let actor = orders.get(orderId);
    if (actor === undefined) {
      actor = orders.create({ request, venue: venueId, emulated: options.emulated, createdAt: options.createdAt });
      const instrument = venues.binding(venueId).instruments.get(request.symbol);
      const referencePrice = referencePriceOf(request, venues.marketPrice(venueId, request.symbol));
      const reservation = instrument !== undefined && referencePrice !== undefined ? this.host.reservationFor(request, venueId, instrument, referencePrice) : undefined;
      if (reservation !== undefined) this.host.portfolio().send({ type: 'ledger.reserve', orderId, currency: reservation.currency, amount: reservation.amount });
      this.host.deadlines.arm(orderId, request);
    }
    if (actor.getSnapshot().value === 'emulated') venues.triggers(venueId).remove({ kind: 'order', orderId });
    actor.send({ type: 'adopt' });
  }
}

/** A snapshot written by another version of its machine cannot be trusted to restore: refused, never guessed. */
export function checkVersion(record: SnapshotRecord, path: string): void {
  const expected = MACHINE_VERSIONS[record.machineId as keyof typeof MACHINE_VERSIONS];
  if (expected === undefined) throw new EngineStateError(`store ${path}: snapshot of ${record.actorId} is of an unknown machine "${record.machineId}"`);
  if (record.machineId === 'portfolio' && PORTFOLIO_RESTORABLE_VERSIONS.includes(record.machineVersion)) return;
  if (record.machineVersion !== expected) {
    throw new EngineStateError(`store ${path}: snapshot of ${record.actorId} was written by ${record.machineId} machine version ${record.machineVersion}, this fillstate runs version ${expected} and has no migration for it`);
  }
}

/** Where a connected venue's feeds go: each enters the engine as a turn of its own. */
export interface VenueFeeds {
  report(report: ExecutionReport): void;
  marketData(binding: VenueBinding, data: MarketData): void;
  linkLive(venueId: string): void;
  /** A margin venue's funding, liquidation and position reports. */
  account?(report: AccountReport): void;
}

/**
 * Connects every venue, loads its instruments and subscribes to its reports, market data and link status.
 * Returns the venues' balance totals per currency (a new ledger is loaded from them).
 */
export async function connectVenues(venues: VenueBook, feeds: VenueFeeds): Promise<Record<string, DecimalString>> {
  const balances: Record<string, DecimalString> = {};
  for (const binding of venues.all()) {
    const venue = binding.venue;
    await venue.connect();
    for (const balance of await venue.balances()) {
      balances[balance.currency] = decimal(balances[balance.currency] ?? '0').plus(balance.total).toFixed();
    }
    for (const instrument of venue.instruments()) binding.instruments.set(instrument.symbol, instrument);
    binding.unsubscribe.push(venue.onExecutionReport((report) => feeds.report(report)));
    const unsubscribeAccount = feeds.account === undefined ? undefined : venue.onAccountReport?.((report) => feeds.account!(report));
    if (unsubscribeAccount !== undefined) binding.unsubscribe.push(unsubscribeAccount);
    binding.unsubscribe.push(venue.subscribeMarketData([...binding.instruments.keys()], (data) => feeds.marketData(binding, data)));
    const unsubscribeLink = venue.onLinkStatus?.((status) => {
      if (status.state === 'live') feeds.linkLive(venue.id);
    });
    if (unsubscribeLink !== undefined) binding.unsubscribe.push(unsubscribeLink);
  }
  return balances;
}

/** Venue balance totals that differ from a restored ledger (currency -> venue, ledger). */
export function balanceDifferences(ledger: Ledger, venueTotals: Readonly<Record<string, DecimalString>>): Record<string, { venue: string; ledger: string }> {
  const differences: Record<string, { venue: string; ledger: string }> = {};
  for (const [currency, total] of Object.entries(venueTotals)) {
    const mine = ledger.balances[currency]?.total ?? '0';
    if (!decimal(mine).eq(decimal(total))) differences[currency] = { venue: total, ledger: mine };
  }
  return differences;
}
