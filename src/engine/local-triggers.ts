// The emulator: stops, take-profits and trailing stops the venue cannot hold, and the levels of positions'
// plans (break-even, trailing activation), wait in each venue's trigger index; this part keeps the index in
// step with the events and turns a crossed trigger into the one event its actor waits for.
import type { OrderContext } from '../../machines/order.ts';
import { trailingActivationOf } from '../../machines/position.ts';
import type { Clock, TimerHandle } from '../domain/clock.ts';
import type { Decimal, DecimalString } from '../domain/decimal.ts';
import type { TrailingPlan, TrailingState } from '../domain/triggers.ts';
import type { OrderRequest } from '../domain/order-request.ts';
import type { DomainEventBus } from './event-bus.ts';
import type { OrderRegistry } from './order-registry.ts';
import type { PositionBook } from './positions.ts';
import { onOrderEnded } from './reactions/order-ended.ts';
import type { TriggerSink, TriggerTarget } from './trigger-index.ts';
import type { VenueBook } from './venues.ts';

export interface LocalTriggerHost {
  readonly venues: VenueBook;
  readonly orders: OrderRegistry;
  readonly positions: PositionBook;
  /**
   * A held order is about to be released to the venue: it passes the risk gate again (it may be hours later,
   * the account may be halted or full). Returns the denial's sentence, or undefined when it may go.
   */
  recheckRelease(context: OrderContext, marketPrice: Decimal): string | undefined;
  /** The release was denied: the order ends here with the reason, nothing is sent. */
  releaseDenied(orderId: string, reason: string): void;
  /** Runs work after what is already queued (the engine's turn queue). */
  defer(work: () => void): void;
  /** Runs work as a turn of its own (timer callbacks). */
  run(work: () => void): void;
  readonly clock: Clock;
  readonly trailingFlushMs: number;
}

/** How often (clock ms) the trailing stops' moves in the index are written to their actors, by default. */
export const DEFAULT_TRAILING_FLUSH_MS = 1_000;

export class LocalTriggers implements TriggerSink {
  /**
   * Trailing levels moved in the index and not yet told to their actors. A move changes nothing the venue
   * holds, so it costs no transition and no journal write per tick: the latest level is written on a timer,
   * and always before the stop fires or the engine stops.
   */
  private readonly pendingTrailing = new Map<string, TrailingState>();
  private flushTimer: TimerHandle | undefined;

  constructor(private readonly host: LocalTriggerHost) {}

  install(bus: DomainEventBus): void {
    const { venues, orders, positions } = this.host;
    bus.on('OrderEmulated', (event) => {
      const context = orders.get(event.orderId)?.getSnapshot().context;
      if (context !== undefined) venues.triggers(event.venue).add(triggerEntryOf(context, event.triggerPrice));
    });
    bus.on('OrderUpdated', (event) => {
      const triggers = venues.triggers(event.venue);
      const context = orders.get(event.orderId)?.getSnapshot().context;
      if (context === undefined) return;
      const target = { kind: 'order', orderId: event.orderId } as const;
      // A new stop price on a held stop re-sorts it; trailing stops move inside the index itself.
      if (triggers.has(target) && context.request.type !== 'trailingStop') triggers.add(triggerEntryOf(context, event.triggerPrice));
      // A trailing stop that protects a position tells the position where its stop now is.
      const ownerId = positions.ownerOf(event.orderId);
      if (ownerId !== undefined && context.request.type === 'trailingStop' && event.triggerPrice !== undefined) {
        positions.get(ownerId)?.send({ type: 'stopMoved', stopPrice: event.triggerPrice });
      }
    });
    bus.on('OrderTriggered', (event) => venues.triggers(event.venue).remove({ kind: 'order', orderId: event.orderId }));
    onOrderEnded(bus, ({ orderId, venue }) => {
      venues.triggers(venue).remove({ kind: 'order', orderId });
      this.pendingTrailing.delete(orderId);
    });
    bus.on('PositionOpened', (event) => this.armPlanLevels(event.positionId, { breakEven: true, trailing: true }));
    bus.on('PositionClosed', (event) => {
      const triggers = venues.triggers(event.venue);
      triggers.remove({ kind: 'breakEven', positionId: event.positionId });
      triggers.remove({ kind: 'trailingActivation', positionId: event.positionId });
    });
  }

  /** Restart: held orders and plan levels are armed again from their actors' context. */
  rearm(): void {
    const { venues, orders, positions } = this.host;
    for (const actor of orders.values()) {
      const snapshot = actor.getSnapshot();
      if (snapshot.value === 'emulated') venues.triggers(snapshot.context.venue).add(triggerEntryOf(snapshot.context, undefined));
    }
    for (const actor of positions.current()) {
      const snapshot = actor.getSnapshot();
      const open = typeof snapshot.value === 'object' ? (snapshot.value as { open?: { stop?: string } }).open : undefined;
      if (open === undefined) continue;
      this.armPlanLevels(snapshot.context.positionId, { breakEven: open.stop === 'initial', trailing: open.stop !== 'trailing', resumeTrailing: open.stop === 'handedOver' });
    }
  }

  triggered(target: TriggerTarget, marketPrice: Decimal): void {
    const { orders, positions } = this.host;
    if (target.kind !== 'order') {
      const type = target.kind === 'breakEven' ? 'breakEvenReached' : 'trailingActivated';
      positions.get(target.positionId)?.send({ type, marketPrice: marketPrice.toFixed() });
      return;
    }
    const actor = orders.get(target.orderId);
    if (actor === undefined) return;
    this.flushTrailing(target.orderId);
    const context = actor.getSnapshot().context;
    const ownerId = positions.ownerOf(target.orderId);
    const owner = ownerId === undefined ? undefined : positions.get(ownerId);
    if (owner !== undefined && owner.getSnapshot().context.stopOrderId === target.orderId) {
      // A position's stop: its take-profits are canceled before the stop's order is sent, so on a spot venue
      // the cancel reaches the venue first and frees the quantity the stop sells. The stop is released after
      // the position's cancels have run, so their venue commands are queued ahead of its send.
      owner.send({ type: 'stopTriggered' });
      this.host.defer(() => actor.send({ type: 'trigger', marketPrice: marketPrice.toFixed() }));
      return;
    }
    const denial = this.host.recheckRelease(context, marketPrice);
    if (denial !== undefined) {
      this.host.releaseDenied(target.orderId, denial);
      return;
    }
    actor.send({ type: 'trigger', marketPrice: marketPrice.toFixed() });
  }

  trailingAdvanced(orderId: string, state: TrailingState): void {
    this.pendingTrailing.set(orderId, state);
    if (this.flushTimer !== undefined) return;
    this.flushTimer = this.host.clock.setTimeout(() => {
      this.flushTimer = undefined;
      this.host.run(() => this.flushTrailing());
    }, this.host.trailingFlushMs);
  }

  /** The level a trailing stop has in the index, when its actor has not been told yet (views show it). */
  pendingLevel(orderId: string): TrailingState | undefined {
    return this.pendingTrailing.get(orderId);
  }

  /** Tells actors (one, or all) the latest level of their trailing stop. */
  flushTrailing(orderId?: string): void {
    const ids = orderId === undefined ? [...this.pendingTrailing.keys()] : this.pendingTrailing.has(orderId) ? [orderId] : [];
    for (const id of ids) {
      const state = this.pendingTrailing.get(id)!;
      this.pendingTrailing.delete(id);
      this.host.orders.get(id)?.send({ type: 'trailingAdvanced', ...state });
    }
  }

  stop(): void {
    if (this.flushTimer !== undefined) this.host.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private armPlanLevels(positionId: string, which: { breakEven: boolean; trailing: boolean; resumeTrailing?: boolean }): void {
    const context = this.host.positions.get(positionId)?.getSnapshot().context;
    const protection = context?.protection;
    if (context === undefined || protection === undefined) return;
    const side = context.direction === 'long' ? 'sell' : 'buy';
    const triggers = this.host.venues.triggers(context.venue);
    // Break-even and trailing activation wait in the trigger index like a take-profit on the exit side.
    if (which.breakEven && protection.breakEven) {
      triggers.add({ target: { kind: 'breakEven', positionId }, symbol: context.symbol, side, type: 'takeProfit', triggerPrice: protection.breakEven.triggerPrice });
    }
    if (which.trailing && protection.trailing) {
      // A stop handed to the venue at a trailing level resumes trailing where that level would next move.
      const triggerPrice = which.resumeTrailing === true ? trailingActivationOf(context)! : protection.trailing.activationPrice;
      triggers.add({ target: { kind: 'trailingActivation', positionId }, symbol: context.symbol, side, type: 'takeProfit', triggerPrice });
    }
  }
}

export function trailingPlanOf(request: OrderRequest): TrailingPlan {
  return {
    side: request.side,
    trailingOffset: request.trailingOffset,
    trailingPercent: request.trailingPercent,
    activationPrice: request.activationPrice,
  };
}

function triggerEntryOf(context: OrderContext, triggerPrice: DecimalString | undefined) {
  const request = context.request;
  const trailing = request.type === 'trailingStop';
  return {
    target: { kind: 'order', orderId: context.clientOrderId } as const,
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
