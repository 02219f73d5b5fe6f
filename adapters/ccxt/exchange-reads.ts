// What the ccxt venue reads back from the exchange: the REST backfill that compares every working order with
// the exchange's record, one order's status and fills, the open orders, an order found there that this
// process did not send (adopted), all in the Venue contract's shapes.
import type { VenueFill, VenueOrderStatus } from '../venue.ts';
import { expiredByList, type OrderKeeper, type TrackedOrder } from './order-book-keeper.ts';
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
    // A leg of a list: the exchange keeps the linkage (a fill of one leg cancels the others there).
    ...(state.orderListId !== undefined ? { venueListId: state.orderListId } : {}),
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
    // A list leg the exchange ended for its list is canceled, as the stream reports it.
    status: expiredByList(state) ? 'canceled' : state.status,
    quantity: state.quantity,
    filledQuantity: state.filledQuantity,
    ...(state.price !== undefined ? { price: state.price } : {}),
  };
}

export function toVenueFill(clientOrderId: string, fill: RawFill): VenueFill {
  return { clientOrderId, tradeId: fill.tradeId, quantity: fill.quantity, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency, liquidity: fill.liquidity, timestamp: fill.timestamp };
}

/** The exchange's status of one order; an order working there that this process did not send is adopted. */
export async function readOrderStatus(core: VenueCore, clientOrderId: string): Promise<VenueOrderStatus | undefined> {
  const order = core.keeper.get(clientOrderId);
  const exchangeId = order?.exchangeClientOrderId ?? core.exchangeIdOf(clientOrderId);
  if (exchangeId === undefined) return undefined;
  const state = await core.rest.fetchOrderState(exchangeId, order?.symbol, order?.type);
  if (state === undefined) return undefined;
  if (order === undefined && core.keeper.isWorking(state.status)) adoptOrder(core.keeper, core.clock.now(), clientOrderId, state);
  return statusOf(clientOrderId, state);
}

/** Every open order at the exchange in the traded symbols, those this process did not send adopted. */
export async function readOpenOrders(core: VenueCore, isTraded: (symbol: string) => boolean): Promise<readonly VenueOrderStatus[]> {
  const states = await core.rest.fetchOpenOrderStates(isTraded);
  return states.map((state) => {
    const order = core.keeper.byExchangeClientOrderId(state.exchangeClientOrderId) ?? adoptOrder(core.keeper, core.clock.now(), core.profile.engineClientOrderId(state.exchangeClientOrderId), state);
    return statusOf(order.clientOrderId, state);
  });
}

/** Every fill of one order (of each exchange order it has been, across cancel-replaces), oldest first. */
export async function readOrderFills(core: VenueCore, clientOrderId: string): Promise<readonly VenueFill[]> {
  const tracked = core.keeper.get(clientOrderId);
  let symbol = tracked?.symbol;
  const venueOrderIds = tracked === undefined ? [] : [...tracked.formerVenueOrderIds, ...(tracked.venueOrderId !== undefined ? [tracked.venueOrderId] : [])];
  if (tracked === undefined || venueOrderIds.length === 0) {
    // Not sent by this process (a restart): the exchange's record of the order names its id.
    const exchangeId = tracked?.exchangeClientOrderId ?? core.exchangeIdOf(clientOrderId);
    const state = exchangeId === undefined ? undefined : await core.rest.fetchOrderState(exchangeId, symbol, tracked?.type);
    if (state === undefined) return [];
    symbol = state.symbol;
    venueOrderIds.push(state.venueOrderId);
  }
  const fills: VenueFill[] = [];
  for (const venueOrderId of new Set(venueOrderIds)) {
    for (const fill of await core.rest.fetchFills(symbol!, venueOrderId)) fills.push(toVenueFill(clientOrderId, fill));
  }
  return fills.sort((a, b) => a.timestamp - b.timestamp);
}
