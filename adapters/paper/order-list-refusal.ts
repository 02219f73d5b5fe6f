// Whether a venue can hold a list as one native OCO: a pure rule on the list and the venue's capabilities,
// shared by the paper venue and the WebSocket venue client (which asks it of the paper server's capabilities).
import type { VenueCapabilities, VenueOrderList } from '../venue.ts';

/** The venue the rule is asked for: its id (named in the reasons) and what it holds. */
export interface OrderListHolder {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
}

/**
 * Why `venue` cannot hold `list` as a list of its own, or undefined when it can. A leg must be an order the
 * venue holds itself, on the list's symbol, able to rest until a sibling fills (no market, IOC or FOK leg).
 */
export function orderListRefusal(list: VenueOrderList, venue: OrderListHolder): string | undefined {
  if (!(venue.capabilities.orderLists ?? []).includes(list.kind)) return `${venue.id} does not hold ${String(list.kind)} lists`;
  if (list.orders.length < 2) return `a one-cancels-other list needs at least two legs, got ${list.orders.length}`;
  const seen = new Set<string>();
  for (const leg of list.orders) {
    if (seen.has(leg.clientOrderId)) return `leg ${leg.clientOrderId} appears twice in the list: every leg needs its own clientOrderId`;
    seen.add(leg.clientOrderId);
    if (leg.symbol !== list.symbol) return `leg ${leg.clientOrderId} is on ${leg.symbol}, not on the list's symbol ${list.symbol}`;
    if (leg.type === 'market') return `leg ${leg.clientOrderId} is a market order: it fills at once, so there is nothing for it to cancel or be canceled by`;
    if (!venue.capabilities.orderTypes.includes(leg.type)) return `leg ${leg.clientOrderId} is a ${leg.type} order, which ${venue.id} does not hold itself`;
    if (leg.timeInForce === 'IOC' || leg.timeInForce === 'FOK') {
      return `leg ${leg.clientOrderId} is ${leg.timeInForce}: a leg must be able to rest until a sibling fills`;
    }
  }
  return undefined;
}
