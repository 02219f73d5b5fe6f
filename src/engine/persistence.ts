// The engine's durable side: the event history (the store's journal, or a bounded ring without a store) and
// the snapshots of every changed actor, written with the events of the same turn in one group commit.
import type { AnyActorRef } from 'xstate';
import { ORDER_MACHINE_VERSION, TERMINAL_ORDER_STATES, type OrderContext, type OrderStateName } from '../../machines/order.ts';
import { PORTFOLIO_MACHINE_VERSION, type PortfolioContext } from '../../machines/portfolio.ts';
import { POSITION_MACHINE_VERSION, type PositionContext } from '../../machines/position.ts';
import { ALGO_MACHINE_VERSION } from '../../machines/algos/algo-setup.ts';
import { ORDER_LIST_MACHINE_VERSION } from '../../machines/order-list.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { JournalStore } from '../store/journal-store.ts';
import type { SnapshotRecord } from '../store/records.ts';

/** Events kept in memory when the engine runs without a store. */
export const DEFAULT_EVENT_HISTORY = 100_000;

/** Asked for events the engine no longer holds: the client must re-sync from current state (orders, positions). */
export class EventsUnavailableError extends Error {
  constructor(
    readonly afterSequence: number,
    readonly oldestAvailable: number,
  ) {
    super(`events after sequence ${afterSequence} are no longer held (the oldest kept is ${oldestAvailable}): re-read current state instead of resuming`);
    this.name = 'EventsUnavailableError';
  }
}

export interface EventHistory {
  record(event: DomainEvent): void;
  /** Events after `afterSequence`, oldest first, at most `limit`. Throws EventsUnavailableError if some were dropped. */
  eventsSince(afterSequence: number, limit: number): DomainEvent[];
  lastSequence(): number;
}

/** Without a store: the last `capacity` events in a ring; older ones are gone and asking for them throws. */
export class MemoryEventHistory implements EventHistory {
  private readonly ring: Array<DomainEvent | undefined>;
  private last = 0;

  constructor(private readonly capacity = DEFAULT_EVENT_HISTORY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event history capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array(capacity);
  }

  record(event: DomainEvent): void {
    this.ring[event.sequence % this.capacity] = event;
    this.last = event.sequence;
  }

  eventsSince(afterSequence: number, limit: number): DomainEvent[] {
    checkRange(afterSequence, limit);
    const oldest = Math.max(1, this.last - this.capacity + 1);
    if (afterSequence + 1 < oldest) throw new EventsUnavailableError(afterSequence, oldest);
    const events: DomainEvent[] = [];
    for (let sequence = afterSequence + 1; sequence <= this.last && events.length < limit; sequence++) {
      events.push(this.ring[sequence % this.capacity]!);
    }
    return events;
  }

  lastSequence(): number {
    return this.last;
  }
}

/** With a store: the journal is the history, whole. */
export class StoreEventHistory implements EventHistory {
  constructor(private readonly store: JournalStore) {}

  record(event: DomainEvent): void {
    this.store.append(event);
  }

  eventsSince(afterSequence: number, limit: number): DomainEvent[] {
    checkRange(afterSequence, limit);
    return this.store.eventsSince(afterSequence, limit);
  }

  lastSequence(): number {
    return this.store.lastSequence();
  }
}

function checkRange(afterSequence: number, limit: number): void {
  if (!Number.isInteger(afterSequence) || afterSequence < 0) throw new RangeError(`afterSequence must be a non-negative integer, got ${afterSequence}`);
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

/** `algo` and `orderList`: execution algorithms and order lists (src/engine/algos). */
export type TrackedKind = 'order' | 'position' | 'portfolio' | 'algo' | 'orderList';

interface Tracked {
  readonly kind: TrackedKind;
  readonly actor: AnyActorRef;
  flags?: string[];
}

/** Version written with each machine's snapshots; a snapshot with another version is refused at restore. */
export const MACHINE_VERSIONS: Readonly<Record<TrackedKind, number>> = {
  order: ORDER_MACHINE_VERSION,
  position: POSITION_MACHINE_VERSION,
  portfolio: PORTFOLIO_MACHINE_VERSION,
  algo: ALGO_MACHINE_VERSION,
  orderList: ORDER_LIST_MACHINE_VERSION,
};

/**
 * Marks actors dirty when they change and, at the start of each group commit, writes the snapshot of each
 * dirty one plus its row in the orders/positions/balances tables. So one commit holds a turn's events and
 * the snapshots that include them: a crash leaves the file at a turn boundary, never half a turn.
 */
export class SnapshotWriter {
  private readonly tracked = new Map<string, Tracked>();
  private readonly dirty = new Set<string>();
  /** Intents committed and not yet known to have reached the venue. */
  private readonly unacknowledged = new Set<string>();
  private readonly detach: () => void;

  constructor(
    private readonly store: JournalStore,
    private readonly sequence: () => number,
    private readonly now: () => number,
  ) {
    this.detach = store.beforeCommit(() => this.writeDirty());
  }

  /**
   * Tracks an actor (started or about to start) and writes its snapshot at the next commit; a restored one
   * (`restored`) is written again only once it changes.
   */
  track(actorId: string, kind: TrackedKind, actor: AnyActorRef, flags?: string[], restored = false): void {
    const entry: Tracked = { kind, actor, flags };
    this.tracked.set(actorId, entry);
    actor.subscribe({
      next: () => {
        // A replaced actor (supervision) keeps its old subscription: only the registered one counts.
        if (this.tracked.get(actorId) !== entry) return;
        this.dirty.add(actorId);
        this.store.schedule();
      },
      error: () => {},
    });
    if (restored) return;
    this.dirty.add(actorId);
    this.store.schedule();
  }

  /** Adds a recovery mark (adopted, unknownAtVenue ...) to an order's row. */
  flag(actorId: string, flag: string): void {
    const entry = this.tracked.get(actorId);
    if (entry === undefined) return;
    entry.flags = [...(entry.flags ?? []), flag];
    this.dirty.add(actorId);
    this.store.schedule();
  }

  /**
   * Stops tracking an actor that leaves memory (finished, past its grace period). Its last change is written
   * first, at the next commit, so the store keeps exactly what memory had.
   */
  untrack(actorId: string): void {
    const entry = this.tracked.get(actorId);
    if (entry === undefined) return;
    if (this.dirty.has(actorId)) this.writeOne(actorId, entry, this.sequence(), this.now());
    this.dirty.delete(actorId);
    this.tracked.delete(actorId);
  }

  get trackedCount(): number {
    return this.tracked.size;
  }

  flagsOf(actorId: string): readonly string[] {
    return this.tracked.get(actorId)?.flags ?? [];
  }

  intentSent(clientOrderId: string): void {
    this.unacknowledged.add(clientOrderId);
  }

  /** Recovery resolved the intent itself (adopted, unknown at the venue): no acknowledgement is written over it. */
  intentResolved(clientOrderId: string): void {
    this.unacknowledged.delete(clientOrderId);
  }

  /** A fill seen in the event stream, for the fills table (unique per venue and tradeId). */
  fill(event: Extract<DomainEvent, { type: 'OrderFilled' }>): void {
    this.store.putFill({
      venue: event.venue,
      tradeId: event.tradeId,
      clientOrderId: event.orderId,
      symbol: event.symbol,
      side: event.side,
      quantity: event.fillQuantity,
      price: event.fillPrice,
      fee: event.fee,
      feeCurrency: event.feeCurrency,
      liquidity: event.liquidity,
      late: event.late,
      timestamp: event.timestamp,
      sequence: event.sequence,
    });
  }

  close(): void {
    this.detach();
  }

  private writeDirty(): void {
    if (this.dirty.size === 0) return;
    const lastSequence = this.sequence();
    const now = this.now();
    for (const actorId of this.dirty) {
      const entry = this.tracked.get(actorId);
      if (entry !== undefined) this.writeOne(actorId, entry, lastSequence, now);
    }
    this.dirty.clear();
  }

  private writeOne(actorId: string, entry: Tracked, lastSequence: number, now: number): void {
    const snapshot = entry.actor.getSnapshot() as { value: unknown; context: unknown; status: string };
    // An actor that threw is replaced by supervision; its errored snapshot is never written.
    if (snapshot.status === 'error') return;
    const record: SnapshotRecord = {
      actorId,
      machineId: entry.kind,
      machineVersion: MACHINE_VERSIONS[entry.kind],
      snapshot: entry.actor.getPersistedSnapshot(),
      lastSequence,
      updatedAt: now,
    };
    this.store.putSnapshot(record);
    if (entry.kind === 'order') this.writeOrder(snapshot.value as OrderStateName, snapshot.context as OrderContext, entry.flags, now);
    else if (entry.kind === 'position') this.writePosition(snapshot.value, snapshot.context as PositionContext, now);
    else if (entry.kind === 'portfolio') this.writeBalances(snapshot.context as PortfolioContext, now);
  }

  private writeOrder(state: OrderStateName, context: OrderContext, flags: readonly string[] | undefined, now: number): void {
    const request = context.request;
    const terminal = TERMINAL_ORDER_STATES.includes(state);
    this.store.putOrder({
      clientOrderId: context.clientOrderId,
      venue: context.venue,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      status: state,
      live: !terminal,
      quantity: context.quantity,
      filledQuantity: context.filledQuantity,
      averagePrice: context.averagePrice,
      price: context.price,
      stopPrice: context.stopPrice,
      parentId: request.parentId,
      request,
      flags,
      createdAt: context.createdAt,
      updatedAt: now,
    });
    if (this.unacknowledged.has(context.clientOrderId) && (terminal || context.venueOrderId !== undefined || context.filledQuantity !== '0')) {
      this.unacknowledged.delete(context.clientOrderId);
      this.store.resolveIntent(context.clientOrderId, 'acknowledged', now);
    }
  }

  private writePosition(value: unknown, context: PositionContext, now: number): void {
    this.store.putPosition({
      positionId: context.positionId,
      venue: context.venue,
      symbol: context.symbol,
      direction: context.direction,
      status: typeof value === 'string' ? value : 'open',
      quantity: context.quantity,
      averageEntryPrice: context.averageEntryPrice,
      realizedPnl: context.realizedPnl,
      fees: context.fees,
      updatedAt: now,
    });
  }

  private writeBalances(context: PortfolioContext, now: number): void {
    for (const [currency, balance] of Object.entries(context.ledger.balances)) {
      this.store.putBalance({ currency, total: balance.total, reserved: balance.reserved, updatedAt: now });
    }
  }
}
