// The engine's positions: one actor per position, netted per venue and instrument. Routes every fill to the
// instrument's current position (splitting a flip into a close and a new position), tells positions when
// their orders end, and carries out the orders they ask for through the engine's risk gate.
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { positionMachine, type PositionContext, type PositionMachineInput } from '../../machines/position.ts';
import { tradeRecordOfPosition, type TradeRecord } from '../analytics/trade-record.ts';
import { decimal, type DecimalString } from '../domain/decimal.ts';
import type { OrderEvent, PositionEventDraft } from '../domain/events.ts';
import { applyPositionFill, type PositionFill } from '../domain/position-accounting.ts';
import { releaseActor } from './actor-release.ts';
import { positionViewOf, type PositionView } from './position-view.ts';
import type { PositionOrderIntent } from '../domain/position-orders.ts';
import type { OrderRequestInput } from '../domain/order-request.ts';

export type PositionActor = Actor<typeof positionMachine>;
export { positionView, positionViewOf, type PositionView } from './position-view.ts';

/** What the position book needs from the engine: the gate, the clock and the event stream. */
export interface PositionHost {
  now(): number;
  parent(): AnyActorRef;
  /** Runs work after the current transition (a position's orders leave only once its transition is done). */
  defer(work: () => void): void;
  submit(request: OrderRequestInput): void;
  cancel(orderId: string): void;
  amend(orderId: string, changes: { quantity?: DecimalString; stopPrice?: DecimalString; price?: DecimalString }): void;
  publish(draft: PositionEventDraft): void;
  /** A protective order could not be placed: the host decides what keeps the position safe. */
  refused(positionId: string, intent: PositionOrderIntent, error: Error): void;
  /** A position actor was created or restored (`restored`), before it starts (the engine persists its snapshots). */
  created?(actor: PositionActor, restored: boolean): void;
}

export class PositionBook {
  private readonly positions = new Map<string, PositionActor>();
  /** The open (or opening) position per `venue:symbol`: netting means at most one. */
  private readonly currentByKey = new Map<string, PositionActor>();
  private readonly owners = new Map<string, string>();
  private readonly closedTrades: TradeRecord[] = [];
  /** Final views of closed positions that left memory (or were not restored), newest last, bounded. */
  private readonly closedViews = new Map<string, PositionView>();
  private readonly toReconcile = new Set<string>();
  private readonly logic;
  private generated = 0;

  constructor(
    private readonly host: PositionHost,
    private readonly idPrefix: string,
  ) {
    this.logic = positionMachine.provide({
      actions: {
        placeOrders: ({ context }, intents) => {
          for (const intent of intents) this.owners.set(intent.clientOrderId, context.positionId);
          host.defer(() => {
            for (const intent of intents) this.place(context, intent);
          });
        },
        cancelOrders: (_, orderIds) =>
          host.defer(() => {
            for (const orderId of orderIds) this.host.cancel(orderId);
          }),
        amendOrder: (_, { orderId, ...changes }) => {
          if (orderId !== '') host.defer(() => this.host.amend(orderId, changes));
        },
        amendOrders: (_, amendments) =>
          host.defer(() => {
            for (const { orderId, quantity } of amendments) this.host.amend(orderId, { quantity });
          }),
      },
    });
  }

  get size(): number {
    return this.positions.size;
  }

  nextPositionId(): string {
    let id: string;
    do id = `${this.idPrefix}-p${++this.generated}`;
    while (this.positions.has(id));
    return id;
  }

  /** Starts a position (in `opening`) that its entry order, or the fill that follows, will open. */
  start(input: PositionMachineInput): PositionActor {
    const key = `${input.venue}:${input.symbol}`;
    if (this.currentByKey.has(key)) throw new Error(`a position in ${input.symbol} on ${input.venue} is already open: ${this.currentByKey.get(key)!.getSnapshot().context.positionId}`);
    const actor = createActor(this.logic, { parent: this.host.parent(), id: `position:${input.positionId}`, input });
    actor.on('*', (event) => this.host.publish(event));
    this.positions.set(input.positionId, actor);
    this.currentByKey.set(key, actor);
    if (input.entryOrderId) this.owners.set(input.entryOrderId, input.positionId);
    this.host.created?.(actor, false);
    actor.start();
    return actor;
  }

  /**
   * Restores a position from its persisted snapshot (recovery): no entry actions run again, and the book's
   * indexes (current position per instrument, order owners, closed trades) are rebuilt from its context.
   */
  restore(persisted: unknown): PositionActor {
    const saved = (persisted as { context: PositionContext }).context;
    // `input` is ignored when restoring from a snapshot; the type asks for it.
    const actor = createActor(this.logic, { parent: this.host.parent(), id: `position:${saved.positionId}`, snapshot: persisted as never, input: saved });
    const context = actor.getSnapshot().context;
    actor.on('*', (event) => this.host.publish(event));
    this.positions.set(context.positionId, actor);
    const closed = actor.getSnapshot().value === 'closed';
    if (!closed) this.currentByKey.set(`${context.venue}:${context.symbol}`, actor);
    for (const orderId of ordersOf(context)) this.owners.set(orderId, context.positionId);
    if (closed) {
      const record = tradeRecordOfPosition(context);
      if (record) this.keepTrade(record);
    }
    this.host.created?.(actor, true);
    actor.start();
    return actor;
  }

  /**
   * Supervision: a position actor that threw is replaced by one restored from the snapshot it had before the
   * failing event (XState keeps it on the errored snapshot), under the same id, in every index. Returns the
   * state it was restored to, or undefined for an unknown position.
   */
  restoreAfterFault(positionId: string): string | undefined {
    const failed = this.positions.get(positionId);
    if (failed === undefined) return undefined;
    const snapshot = failed.getSnapshot();
    const actor = createActor(this.logic, {
      parent: this.host.parent(),
      id: failed.id,
      snapshot: { ...snapshot, status: 'active', error: undefined } as typeof snapshot,
      // Ignored when restoring from a snapshot; the type asks for it.
      input: snapshot.context,
    });
    actor.on('*', (event) => this.host.publish(event));
    this.positions.set(positionId, actor);
    const key = `${snapshot.context.venue}:${snapshot.context.symbol}`;
    if (this.currentByKey.get(key) === failed) this.currentByKey.set(key, actor);
    this.toReconcile.add(positionId);
    this.host.created?.(actor, false);
    actor.start();
    return JSON.stringify(snapshot.value);
  }

  /** Positions restored after a fault: their orders and quantity are to be checked against the venue. */
  positionsToReconcile(): string[] {
    return [...this.toReconcile];
  }

  /** The position whose actor has this id (supervision names a failed child by its actor id). */
  positionIdOfActor(actorId: string): string | undefined {
    for (const [positionId, actor] of this.positions) if (actor.id === actorId) return positionId;
    return undefined;
  }

  get(positionId: string): PositionActor | undefined {
    return this.positions.get(positionId);
  }

  /** The open (or opening) positions: at most one per venue and instrument. */
  current(): IterableIterator<PositionActor> {
    return this.currentByKey.values();
  }

  currentFor(venue: string, symbol: string): PositionActor | undefined {
    return this.currentByKey.get(`${venue}:${symbol}`);
  }

  all(): IterableIterator<PositionActor> {
    return this.positions.values();
  }

  /** The instrument and direction of every open (or opening) position. */
  openPositions(): { symbol: string; venue: string; direction: 'long' | 'short' }[] {
    const open: { symbol: string; venue: string; direction: 'long' | 'short' }[] = [];
    for (const actor of this.currentByKey.values()) {
      const context = actor.getSnapshot().context;
      open.push({ symbol: context.symbol, venue: context.venue, direction: context.direction });
    }
    return open;
  }

  openCount(): number {
    return this.currentByKey.size;
  }

  trades(): readonly TradeRecord[] {
    return this.closedTrades;
  }

  ownerOf(orderId: string): string | undefined {
    return this.owners.get(orderId);
  }

  /**
   * A fill on an instrument changes its one position: adds to it, reduces it, or — larger than it and the
   * other way — closes it and starts a new one with exactly the excess (fees split pro rata).
   */
  applyFill(event: Extract<OrderEvent, { type: 'OrderFilled' }>, quoteCurrency: string, tickSize: DecimalString, lotSize: DecimalString, feeRate: DecimalString): void {
    const side = event.side;
    const fill: PositionFill = {
      side,
      quantity: event.fillQuantity,
      price: event.fillPrice,
      // A fee charged in another currency (e.g. a fee token) is the ledger's business, not the position's PnL.
      fee: event.feeCurrency === quoteCurrency ? event.fee : '0',
    };
    const timestamp = event.timestamp;
    const key = `${event.venue}:${event.symbol}`;
    let position = this.currentByKey.get(key);
    if (position !== undefined) {
      const context = position.getSnapshot().context;
      if (context.quantity === '0' && context.direction !== (side === 'buy' ? 'long' : 'short')) {
        // Netting: a fill the other way on a position that holds nothing yet (its entry still working)
        // supersedes it. Its entry is canceled (it ends without opening) and the fill starts a new position.
        position.send({ type: 'close', reason: 'manual' });
        this.currentByKey.delete(key);
        position = undefined;
      }
    }
    if (position === undefined) {
      const opened = this.startFromFill(event.venue, event.symbol, side, timestamp, tickSize, lotSize, feeRate);
      opened.send({ type: 'fill', orderId: event.orderId, timestamp, ...fill });
      opened.send({ type: 'entryComplete' });
      return;
    }
    const result = applyPositionFill(position.getSnapshot().context, fill);
    if (!result.flipped) {
      position.send({ type: 'fill', orderId: event.orderId, timestamp, ...fill });
      return;
    }
    const closing = result.closing!;
    const opening = result.opening!;
    position.send({ type: 'fill', orderId: event.orderId, timestamp, side, quantity: closing.quantity, price: closing.price, fee: closing.fee });
    // The closed side stops being current now: its PositionClosed reaction comes after this fill's.
    this.forget(position);
    const flipped = this.startFromFill(event.venue, event.symbol, side, timestamp, tickSize, lotSize, feeRate);
    flipped.send({ type: 'fill', orderId: event.orderId, timestamp, side, quantity: opening.quantity, price: opening.price, fee: opening.fee });
    flipped.send({ type: 'entryComplete' });
  }

  /** An order of a position reached a terminal state. */
  orderEnded(orderId: string, status: string): void {
    const positionId = this.owners.get(orderId);
    if (positionId === undefined) return;
    const actor = this.positions.get(positionId)!;
    const context = actor.getSnapshot().context;
    if (orderId === context.entryOrderId) actor.send({ type: 'entryComplete' });
    else actor.send({ type: 'orderEnded', orderId, status });
    // An entry that ended without a fill (canceled, denied, rejected) ends its position without it opening:
    // it stops being the instrument's current position, so the next fill opens or changes the right one.
    if (actor.getSnapshot().value === 'closed' && actor.getSnapshot().context.openedAt === undefined) this.forget(actor);
  }

  /** Bookkeeping once a position announced it closed: it stops being current, and its trade is recorded. */
  closed(positionId: string): TradeRecord | undefined {
    const actor = this.positions.get(positionId);
    if (actor === undefined) return undefined;
    this.forget(actor);
    const record = tradeRecordOfPosition(actor.getSnapshot().context);
    if (record) this.keepTrade(record);
    return record;
  }

  /** A closed position leaves memory (after its grace period); its trade record stays. */
  evict(positionId: string): void {
    const actor = this.positions.get(positionId);
    if (actor === undefined || actor.getSnapshot().value !== 'closed') return;
    const context = actor.getSnapshot().context;
    for (const orderId of ordersOf(context)) if (this.owners.get(orderId) === positionId) this.owners.delete(orderId);
    this.keepClosedView(positionViewOf(actor.getSnapshot()));
    this.positions.delete(positionId);
    this.toReconcile.delete(positionId);
    releaseActor(actor);
  }

  /** Rebuilds the trade record of a closed position from its saved context, without an actor (restart). */
  restoreTrade(persisted: unknown): void {
    const saved = persisted as { value: unknown; context: PositionContext };
    const record = tradeRecordOfPosition(saved.context);
    if (record) this.keepTrade(record);
    this.keepClosedView(positionViewOf(saved));
  }

  /** A closed position no longer in memory, if it is among the recent ones kept. */
  closedView(positionId: string): PositionView | undefined {
    return this.closedViews.get(positionId);
  }

  closedViewsOldestFirst(): IterableIterator<PositionView> {
    return this.closedViews.values();
  }

  private keepClosedView(view: PositionView): void {
    this.closedViews.delete(view.positionId);
    this.closedViews.set(view.positionId, view);
    if (this.closedViews.size > MAX_TRADES_KEPT) this.closedViews.delete(this.closedViews.keys().next().value!);
  }

  private keepTrade(record: TradeRecord): void {
    this.closedTrades.push(record);
    // Trade records are small, but a daemon running for months must not keep every one: the store has them all.
    if (this.closedTrades.length > MAX_TRADES_KEPT) this.closedTrades.splice(0, this.closedTrades.length - MAX_TRADES_KEPT);
  }

  private forget(actor: PositionActor): void {
    const context = actor.getSnapshot().context;
    const key = `${context.venue}:${context.symbol}`;
    if (this.currentByKey.get(key) === actor) this.currentByKey.delete(key);
  }

  private startFromFill(venue: string, symbol: string, side: 'buy' | 'sell', now: number, tickSize: DecimalString, lotSize: DecimalString, feeRate: DecimalString): PositionActor {
    return this.start({
      positionId: this.nextPositionId(),
      venue,
      symbol,
      direction: side === 'buy' ? 'long' : 'short',
      createdAt: now,
      tickSize,
      lotSize,
      feeRate,
    });
  }

  private place(context: PositionContext, intent: PositionOrderIntent): void {
    const { role: _role, ...order } = intent;
    try {
      this.host.submit({ ...order, symbol: context.symbol, venue: context.venue, parentId: context.positionId });
    } catch (error) {
      this.host.refused(context.positionId, intent, error as Error);
    }
  }
}

/** Trade records (and closed positions' views) kept in memory, newest; older ones are in the store. */
const MAX_TRADES_KEPT = 10_000;

function ordersOf(context: PositionContext): string[] {
  const ids = [context.entryOrderId, context.stopOrderId, ...context.takeProfitOrderIds, ...context.scaleInOrderIds, ...context.exitOrderIds, ...context.workingOrderIds];
  return ids.filter((orderId): orderId is string => orderId !== undefined);
}

