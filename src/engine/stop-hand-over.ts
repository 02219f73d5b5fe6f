// Before the engine stops: the trailing stops it holds itself go to the venue as native stops at their
// trailing level, so a stopped daemon leaves no position with a stop nobody can fire; and which positions are
// left unprotected anyway, with the reason.
import type { OrderRegistry } from './order-registry.ts';
import type { PositionBook } from './positions.ts';
import type { VenueBook } from './venues.ts';

/** A position whose trailing stop now stands at the venue as a native stop. */
export interface HandedStop {
  readonly positionId: string;
  readonly symbol: string;
  /** The native stop order placed for it. */
  readonly orderId: string;
  readonly stopPrice: string;
}

/** An open position with no stop the venue holds: nothing protects it while the engine is down. */
export interface UnprotectedPosition {
  readonly positionId: string;
  readonly symbol: string;
  readonly stopOrderId?: string;
  readonly stopPrice?: string;
  readonly reason: string;
}

export interface StopHandOverReport {
  /** Native stops the venue confirmed. */
  readonly handedOver: readonly HandedStop[];
  readonly unprotected: readonly UnprotectedPosition[];
}

export interface StopHandOverHost {
  readonly positions: PositionBook;
  readonly orders: OrderRegistry;
  readonly venues: VenueBook;
}

/** Order states in which an order is held by the venue (or on its way there and not refused). */
const AT_VENUE = new Set(['open', 'partial', 'pendingUpdate', 'pendingCancel', 'triggered']);

export class StopHandOver {
  constructor(private readonly host: StopHandOverHost) {}

  /**
   * Tells each position whose trailing stop is held here, on a venue that holds stop orders and whose link is
   * live, to hand it over (the caller has flushed the trailing levels first). Returns the stops placed.
   */
  handOver(): HandedStop[] {
    const handed: HandedStop[] = [];
    for (const actor of this.host.positions.current()) {
      const snapshot = actor.getSnapshot();
      const context = snapshot.context;
      if (stopPhaseOf(snapshot.value) !== 'trailing' || context.stopPrice === undefined) continue;
      if (this.isHeldHere(context.stopOrderId) !== true) continue;
      const venue = this.host.venues.venue(context.venue);
      if (!venue.capabilities.orderTypes.includes('stop') || this.host.venues.linkStatus(context.venue).state !== 'live') continue;
      actor.send({ type: 'handStopToVenue', stopPrice: context.stopPrice });
      const after = actor.getSnapshot().context;
      handed.push({ positionId: context.positionId, symbol: context.symbol, orderId: after.stopOrderId!, stopPrice: after.stopPrice! });
    }
    return handed;
  }

  /** Whether the venue has answered for this order: accepted it, or refused or ended it. */
  answered(orderId: string): boolean {
    const state = this.host.orders.get(orderId)?.getSnapshot().value;
    return state === undefined || (state !== 'pending' && state !== 'submitted');
  }

  /** Open positions with no stop at the venue, each with why. */
  unprotected(): UnprotectedPosition[] {
    const unprotected: UnprotectedPosition[] = [];
    for (const actor of this.host.positions.current()) {
      const snapshot = actor.getSnapshot();
      const context = snapshot.context;
      // Open, or closing with its exit still on the way (the stop stays until the exit fills).
      if ((stopPhaseOf(snapshot.value) === undefined && snapshot.value !== 'closing') || context.quantity === '0') continue;
      const stop = context.stopOrderId === undefined ? undefined : this.host.orders.get(context.stopOrderId)?.getSnapshot().value;
      if (stop !== undefined && AT_VENUE.has(String(stop))) continue;
      const venue = this.host.venues.venue(context.venue);
      const reason =
        context.stopOrderId === undefined ? 'the position has no stop'
        : stop === 'emulated' ? (venue.capabilities.orderTypes.includes('stop') ? `its ${context.stopKind === 'trailing' ? 'trailing ' : ''}stop is held by this engine, not at the venue` : `venue ${venue.id} cannot hold a stop order: the stop is held by this engine`)
        : stop === 'pending' || stop === 'submitted' ? 'its stop was sent but the venue has not confirmed it'
        : `its stop order is ${String(stop ?? 'gone')}`;
      unprotected.push({
        positionId: context.positionId,
        symbol: context.symbol,
        ...(context.stopOrderId === undefined ? {} : { stopOrderId: context.stopOrderId }),
        ...(context.stopPrice === undefined ? {} : { stopPrice: context.stopPrice }),
        reason,
      });
    }
    return unprotected;
  }

  private isHeldHere(orderId: string | undefined): boolean | undefined {
    if (orderId === undefined) return undefined;
    return this.host.orders.get(orderId)?.getSnapshot().value === 'emulated';
  }
}

/** The position's stop phase while it is open (initial, breakEven, trailing, handedOver); undefined otherwise. */
function stopPhaseOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? (value as { open?: { stop?: string } }).open?.stop : undefined;
}
