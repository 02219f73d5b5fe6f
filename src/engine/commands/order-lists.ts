// Order-list commands: submit an OTO, OCO, OUO or bracket (checked whole, every leg as an order, before
// anything is sent), cancel it (legs canceled, fills kept), and the views. Lists are held by the engine.
import type { Venue } from '../../../adapters/venue.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Decimal } from '../../domain/decimal.ts';
import type { Instrument } from '../../domain/instrument.ts';
import { OrderListError, parseOrderListSpec, type OrderListInput, type OrderListSpec } from '../../domain/order-list.ts';
import { OrderRequestError, parseOrderRequest, validateOrderRequest, type OrderRequest } from '../../domain/order-request.ts';
import { childOrderId } from '../../domain/algo-children.ts';
import { AlgoStateError, UnknownAlgoError } from '../algos/errors.ts';
import type { ParentBook, ParentEntry } from '../algos/parent-book.ts';
import { matchingViews, type OrderListStatus, type OrderListView } from '../algos/parent-view.ts';
import { requestToVenueOrder } from '../venue-order.ts';
import type { VenueBook } from '../venues.ts';
import { describeState } from './algos.ts';
import { checkCapabilities } from './orders.ts';

type WithoutListId<T> = T extends unknown ? Omit<T, 'listId'> : never;

/** An order list as a client asks for it (see src/domain/order-list.ts); the engine gives its id (`fs-...`). */
export type OrderListRequest = WithoutListId<OrderListInput> & { readonly venue?: string };

export interface OrderListFilter {
  readonly kind?: string;
  readonly symbol?: string;
  readonly status?: OrderListStatus;
  readonly live?: boolean;
}

export interface OrderListCommandHost {
  readonly clock: Clock;
  readonly venues: VenueBook;
  readonly book: ParentBook;
}

export class OrderListCommands {
  constructor(private readonly host: OrderListCommandHost) {}

  /** Checks the list and each of its legs as an order, then sends its first orders. Throws OrderListError. */
  submit(input: OrderListRequest): OrderListView {
    const { venues, book, clock } = this.host;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new OrderListError(['the request must be an object']);
    const raw = input as Record<string, unknown>;
    if ('listId' in raw) throw new OrderListError(['listId is given by the engine (an id in its "fs-" namespace): leave it out']);
    const venueId = typeof raw.venue === 'string' ? raw.venue : venues.defaultVenueId();
    const binding = venues.binding(venueId);
    const instrument = typeof raw.symbol === 'string' ? binding.instruments.get(raw.symbol) : undefined;
    const id = book.nextId('orderList');
    const spec = parseOrderListSpec(Object.assign({}, raw, { listId: id, venue: venueId }), instrument);
    const { issues, requests } = checkLegs(spec, instrument!, binding.venue, venues.marketPrice(venueId, spec.symbol), clock.now());
    if (issues.length > 0) throw new OrderListError(issues);
    const engineHolds = whyEngineHolds(spec, binding.venue, requests);
    const held = engineHolds === undefined ? { heldAtVenue: true } : { heldByEngineBecause: engineHolds };
    const entry = book.createOrderList(venueId, Object.assign({ spec, createdAt: clock.now() }, held));
    return book.orderListView(entry);
  }

  cancel(listId: string, reason?: string): OrderListView {
    const entry = this.require(listId);
    const event = { type: 'cancel' as const, at: this.host.clock.now(), reason };
    const snapshot = entry.actor.getSnapshot();
    if (!snapshot.can(event)) throw new AlgoStateError(listId, JSON.stringify(snapshot.value), `order list ${listId} cannot be canceled while it is ${describeState(snapshot.value)}`);
    this.host.book.send(entry, event);
    return this.host.book.orderListView(entry);
  }

  get(listId: string): OrderListView | undefined {
    const entry = this.host.book.get(listId);
    return entry?.kind === 'orderList' ? this.host.book.orderListView(entry) : undefined;
  }

  list(filter: OrderListFilter = {}): OrderListView[] {
    const book = this.host.book;
    return matchingViews(book.entries('orderList').map((entry) => book.orderListView(entry)), filter);
  }

  private require(listId: string): ParentEntry {
    const entry = this.host.book.get(listId);
    if (entry === undefined || entry.kind !== 'orderList') throw new UnknownAlgoError(listId, 'order list');
    return entry;
  }
}

/** A leg as the order it becomes, and whether the engine would hold it (a stop the venue cannot). */
interface LegRequest {
  readonly request: OrderRequest;
  readonly emulated: boolean;
}

/**
 * Each leg as the order it would become (contingent legs at the trigger's quantity): what the instrument or
 * the venue would refuse (notional, order type, time in force) is refused for the whole list now. Returns the
 * legs' requests (trigger first) when none is refused.
 */
function checkLegs(spec: OrderListSpec, instrument: Instrument, venue: Venue, marketPrice: Decimal | undefined, now: number): { issues: string[]; requests: LegRequest[] } {
  const issues: string[] = [];
  const requests: LegRequest[] = [];
  const legs = spec.trigger === undefined ? spec.legs : [spec.trigger, ...spec.legs];
  for (const leg of legs) {
    const quantity = leg.quantity ?? spec.trigger?.quantity;
    const request = { symbol: spec.symbol, side: leg.side, type: leg.type, quantity, price: leg.price, stopPrice: leg.stopPrice, timeInForce: leg.timeInForce, postOnly: leg.postOnly, reduceOnly: leg.reduceOnly };
    try {
      const parsed = parseOrderRequest(request);
      validateOrderRequest(parsed, { instrument, now, marketPrice });
      requests.push({ request: parsed, emulated: checkCapabilities(venue, parsed) });
    } catch (error) {
      if (!(error instanceof OrderRequestError)) throw error;
      for (const issue of error.issues) issues.push(`${leg.role}: ${issue}`);
    }
  }
  return { issues, requests };
}

/**
 * Why the engine, not the venue, holds this list; undefined when the venue takes it as a list of its own:
 * only an OCO, on a venue that says it holds OCO lists, with every leg an order it holds, and a shape it takes.
 */
function whyEngineHolds(spec: OrderListSpec, venue: Venue, requests: readonly LegRequest[]): string | undefined {
  if (spec.kind !== 'oco') return `venues hold OCO lists only: the engine holds ${spec.kind === 'bracket' ? 'a bracket' : `an ${spec.kind.toUpperCase()}`}`;
  if (!venue.capabilities.orderLists?.includes('oco') || venue.submitList === undefined) return `venue ${venue.id} does not hold OCO lists`;
  const emulated = spec.legs.filter((_, index) => requests[index]!.emulated).map((leg) => `${leg.role} (${leg.type})`);
  if (emulated.length > 0) return `venue ${venue.id} does not hold ${emulated.join(', ')} itself`;
  const orders = requests.map(({ request }, index) => requestToVenueOrder(request, childOrderId(spec.listId, index + 1), venue.capabilities));
  const refusal = venue.orderListRefusal?.({ listId: spec.listId, kind: 'oco', symbol: spec.symbol, orders });
  return refusal === undefined ? undefined : `venue ${venue.id} does not take this list as one: ${refusal}`;
}
