// What the ccxt venue reads back from the exchange: the REST backfill that compares every working order with
// the exchange's record, an order found there that this process did not send (adopted), and answers in the
// Venue contract's shapes.
import type { VenueFill, VenueOrderStatus } from '../venue.ts';
import type { OrderKeeper, TrackedOrder } from './order-book-keeper.ts';
import type { OrderWrites, VenueCore } from './order-writes.ts';
import type { RawFill, RawOrderState } from './profile.ts';

/** Backfill: every order we hold as working is compared with the exchange; resolves with the reports it delivered. */
export async function runBackfill(core: VenueCore, writes: OrderWrites, isTraded: (symbol: string) => boolean): Promise<number> {
  const working = core.keeper.working();
  if (working.length === 0) return 0;
  const open = new Map((await core.rest.fetchOpenOrderStates(isTraded)).map((state) => [state.exchangeClientOrderId, state]));
  let delivered = 0;
  for (const order of working) {
    if (order.terminal !== undefined) continue;
    let state = open.get(order.exchangeClientOrderId);
    // Not open any more (filled, canceled, expired while we were away), or still in flight: asked one by one.
    if (state === undefined || order.inFlight) state = await core.rest.fetchOrderState(order.exchangeClientOrderId, order.symbol, order.type);
    if (state === undefined) {
      if (order.inFlight) await writes.resolveInFlight(order);
      continue;
    }
    const fillsBefore = order.tradeIds.size;
    const wasAccepted = order.accepted;
    const wasTerminal = order.terminal;
    await writes.catchUp(order, state);
    if (order.tradeIds.size > fillsBefore || order.accepted !== wasAccepted || order.terminal !== wasTerminal) delivered += 1 + (order.tradeIds.size - fillsBefore);
  }
  return delivered;
}

/** An order found at the exchange that we did not send in this process (restart, or another session). */
export function adoptOrder(keeper: OrderKeeper, now: number, clientOrderId: string, state: RawOrderState): TrackedOrder {
  return keeper.track({
    clientOrderId,
    symbol: state.symbol,
    side: state.side,
    type: state.type,
    exchangeClientOrderId: state.exchangeClientOrderId,
    venueOrderId: state.venueOrderId,
    inFlight: false,
    sentAt: now,
    quantity: state.quantity,
    ...(state.price !== undefined ? { price: state.price } : {}),
    ...(state.stopPrice !== undefined ? { stopPrice: state.stopPrice } : {}),
    accepted: true,
    heldApart: state.heldApart === true,
    // A conditional order found past its trigger has had it (its `triggered` report was due before the restart).
    triggered: state.heldApart === false,
  });
}

export function statusOf(clientOrderId: string, state: RawOrderState): VenueOrderStatus {
  return {
    clientOrderId,
    venueOrderId: state.venueOrderId,
    symbol: state.symbol,
    side: state.side,
    type: state.type,
    status: state.status,
    quantity: state.quantity,
    filledQuantity: state.filledQuantity,
    ...(state.price !== undefined ? { price: state.price } : {}),
  };
}

export function toVenueFill(clientOrderId: string, fill: RawFill): VenueFill {
  return { clientOrderId, tradeId: fill.tradeId, quantity: fill.quantity, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency, liquidity: fill.liquidity, timestamp: fill.timestamp };
}
