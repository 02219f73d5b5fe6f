// GTD deadlines: absolute clock times, held by the venue when it can and by the engine otherwise. A deadline
// that passes while an amend or cancel is in flight is kept and acted on once that request has resolved.
import type { OrderStateName } from '../../machines/order.ts';
import type { OrderRequest } from '../domain/order-request.ts';
import type { Clock, TimerHandle } from '../domain/clock.ts';
import type { DomainEventBus } from './event-bus.ts';
import { isTerminal, type OrderRegistry } from './order-registry.ts';
import { onOrderEnded } from './reactions/order-ended.ts';
import { venueHoldsExpiry } from './venue-order.ts';
import type { VenueBook } from './venues.ts';

export class Deadlines {
  private readonly timers = new Map<string, TimerHandle>();
  /** Deadlines that passed while the order could not take them (a request in flight). */
  private readonly overdue = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly orders: OrderRegistry,
    private readonly venues: VenueBook,
    /** Timer callbacks enter the engine as a turn of their own (effects run before it returns). */
    private readonly run: (work: () => void) => void,
  ) {}

  install(bus: DomainEventBus): void {
    onOrderEnded(bus, ({ orderId }) => this.clear(orderId));
    // The request in flight resolved: an overdue deadline is acted on now.
    const settle = (event: { orderId: string }) => {
      if (this.overdue.has(event.orderId)) this.reached(event.orderId);
    };
    bus.on('OrderUpdated', settle);
    bus.on('OrderModifyRejected', settle);
    bus.on('OrderCancelRejected', settle);
    bus.on('OrderAccepted', settle);
  }

  get size(): number {
    return this.timers.size + this.overdue.size;
  }

  arm(orderId: string, request: OrderRequest): void {
    if (request.expireAt === undefined || this.timers.has(orderId)) return;
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(orderId);
      this.run(() => this.reached(orderId));
    }, Math.max(0, request.expireAt - this.clock.now()));
    this.timers.set(orderId, handle);
  }

  clear(orderId: string): void {
    this.overdue.delete(orderId);
    const handle = this.timers.get(orderId);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.timers.delete(orderId);
  }

  /** Restart: every working order with a deadline is armed again (a passed one fires at once). */
  rearm(): void {
    for (const [orderId, actor] of this.orders.entries()) {
      const snapshot = actor.getSnapshot();
      if (!isTerminal(snapshot.value as OrderStateName)) this.arm(orderId, snapshot.context.request);
    }
  }

  stop(): void {
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
  }

  private reached(orderId: string): void {
    const actor = this.orders.get(orderId);
    if (actor === undefined) {
      this.overdue.delete(orderId);
      return;
    }
    const snapshot = actor.getSnapshot();
    const venue = this.venues.venue(snapshot.context.venue);
    if (snapshot.value !== 'emulated' && venueHoldsExpiry(snapshot.context, venue.capabilities)) {
      this.overdue.delete(orderId);
      return;
    }
    if (snapshot.can({ type: 'deadlineReached' })) {
      this.overdue.delete(orderId);
      actor.send({ type: 'deadlineReached' });
      return;
    }
    this.overdue.add(orderId);
  }
}
