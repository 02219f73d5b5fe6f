// The emulator: stops, take-profits and trailing stops the venue cannot hold, and the levels of positions'
// plans (break-even, trailing activation), wait in each venue's trigger index; this part keeps the index in
// step with the events and turns a crossed trigger into the one event its actor waits for.
import type { OrderContext } from '../../machines/order.ts';
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
}

export class LocalTriggers implements TriggerSink {
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
    onOrderEnded(bus, ({ orderId, venue }) => venues.triggers(venue).remove({ kind: 'order', orderId }));
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
      this.armPlanLevels(snapshot.context.positionId, { breakEven: open.stop === 'initial', trailing: open.stop !== 'trailing' });
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
    this.host.orders.get(orderId)?.send({ type: 'trailingAdvanced', ...state });
  }

  private armPlanLevels(positionId: string, which: { breakEven: boolean; trailing: boolean }): void {
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
      triggers.add({ target: { kind: 'trailingActivation', positionId }, symbol: context.symbol, side, type: 'takeProfit', triggerPrice: protection.trailing.activationPrice });
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
