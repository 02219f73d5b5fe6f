// The ccxt venue's native order lists: whether the exchange can hold a list as one (its shape, and each leg as
// an order of its own), the one request that places every leg, and the one that cancels them all. Reports
// stay per leg: each leg is an ordinary tracked order, so fills, stream updates, status queries after a lost
// answer and the backfill are the single orders' own.
import type { VenueOrderList } from '../venue.ts';
import type { TrackedOrder, TrackedOrderList } from './order-book-keeper.ts';
import { admitOrder, type Admission } from './order-admission.ts';
import type { OrderWrites, VenueCore } from './order-writes.ts';

export class OrderListWrites {
  /** Lists whose cancel is on its way, with the legs a cancel was asked for meanwhile (one request cancels them all). */
  private readonly canceling = new Map<string, Set<string>>();

  constructor(
    private readonly core: VenueCore,
    private readonly writes: OrderWrites,
  ) {}

  /** Why the exchange cannot hold this list as one, or undefined when it can. Pure: nothing is sent. */
  refusal(list: VenueOrderList, admission: Admission): string | undefined {
    const protocol = this.core.profile.orderLists;
    if (protocol === undefined || admission.capabilities.orderLists?.includes(list.kind) !== true) return `venue ${this.core.id} does not hold ${String(list.kind).toUpperCase()} lists itself`;
    const shape = protocol.shapeIssue(list);
    if (shape !== undefined) return shape;
    const legIds = new Set<string>();
    for (const leg of list.orders) {
      const admitted = admitOrder(admission, leg);
      if ('refusal' in admitted) return `leg ${leg.clientOrderId}: ${admitted.refusal}`;
      if (legIds.has(admitted.exchangeClientOrderId)) return `legs share the client order id ${leg.clientOrderId}`;
      legIds.add(admitted.exchangeClientOrderId);
    }
    const listId = this.core.profile.exchangeClientOrderId(list.listId);
    if ('issue' in listId) return `list id: ${listId.issue}`;
    if (legIds.has(listId.id)) return `list id ${list.listId} is also a leg's client order id; the exchange needs them distinct`;
    return undefined;
  }

  /** Sends every leg in one request, or reports every leg rejected with the reason (`unsent`: why nothing may be sent now). */
  submit(list: VenueOrderList, admission: Admission, unsent: string | undefined): void {
    const reason = unsent ?? this.refusal(list, admission);
    if (reason !== undefined) {
      for (const leg of list.orders) this.core.deliver({ venue: this.core.id, clientOrderId: leg.clientOrderId, timestamp: this.core.clock.now(), type: 'rejected', reason: unsent === undefined ? `refused before sending: ${reason}` : reason });
      return;
    }
    const exchangeId = (id: string) => {
      const mapped = this.core.profile.exchangeClientOrderId(id);
      return 'id' in mapped ? mapped.id : id;
    };
    const tracked: TrackedOrderList = { listId: list.listId, exchangeListId: exchangeId(list.listId), legs: list.orders.map((leg) => leg.clientOrderId) };
    const legs = list.orders.map((leg) =>
      this.core.keeper.track({
        clientOrderId: leg.clientOrderId,
        symbol: leg.symbol,
        side: leg.side,
        type: leg.type,
        exchangeClientOrderId: exchangeId(leg.clientOrderId),
        inFlight: true,
        sentAt: this.core.clock.now(),
        quantity: leg.quantity,
        ...(leg.price !== undefined ? { price: leg.price } : {}),
        ...(leg.stopPrice !== undefined ? { stopPrice: leg.stopPrice } : {}),
        list: tracked,
      }),
    );
    void this.send(list, legs, tracked);
  }

  private async send(list: VenueOrderList, legs: readonly TrackedOrder[], tracked: TrackedOrderList): Promise<void> {
    const protocol = this.core.profile.orderLists!;
    let answer: unknown;
    try {
      answer = await this.core.rest.call('createOrderList', 'write', () => protocol.place(this.core.exchange, list, { list: tracked.exchangeListId, legs: legs.map((leg) => leg.exchangeClientOrderId) }));
    } catch (error) {
      // Refused, rate limited or unknown: each leg as a single order would be (a lost answer is asked about per leg).
      for (const leg of legs) this.writes.onSubmitFailed(leg, error);
      return;
    }
    const states = protocol.legStates(answer);
    for (const leg of legs) {
      const state = states.find((candidate) => candidate.exchangeClientOrderId === leg.exchangeClientOrderId);
      if (state !== undefined) this.writes.applyState(leg, this.core.rest.withUnifiedSymbol(state), 'canceled at the exchange');
      else this.writes.resolveLater(leg);
    }
  }

  /** Cancels the list `order` is a leg of, in one request: every leg still working is reported canceled. */
  async cancel(order: TrackedOrder): Promise<void> {
    const list = order.list!;
    const asked = this.canceling.get(list.listId);
    if (asked !== undefined) {
      // The list's cancel is on its way: this leg goes with it.
      asked.add(order.clientOrderId);
      this.writes.requestCancel(order.clientOrderId, 'canceled by client');
      return;
    }
    this.canceling.set(list.listId, new Set());
    try {
      await this.cancelList(order, list);
    } finally {
      this.canceling.delete(list.listId);
    }
  }

  private async cancelList(order: TrackedOrder, list: TrackedOrderList): Promise<void> {
    const legs = list.legs.map((id) => this.core.keeper.get(id)).filter((leg): leg is TrackedOrder => leg !== undefined);
    const others = legs.filter((leg) => leg !== order && leg.terminal === undefined);
    this.writes.requestCancel(order.clientOrderId, 'canceled by client');
    for (const other of others) this.writes.requestCancel(other.clientOrderId, `canceled with OCO list ${list.listId}: its leg ${order.clientOrderId} was canceled by client`);
    let answer: unknown;
    try {
      answer = await this.core.rest.call('cancelOrderList', 'write', () => this.core.profile.orderLists!.cancel(this.core.exchange, order.symbol, list.exchangeListId));
    } catch (error) {
      const alsoAsked = [...this.canceling.get(list.listId)!];
      await this.writes.onCancelFailed(order.clientOrderId, error, others.map((other) => other.clientOrderId).filter((id) => !alsoAsked.includes(id)));
      // The legs asked for meanwhile get their own answer (the state found, a refusal, or a cancel sent again).
      for (const id of alsoAsked) await this.writes.onCancelFailed(id, error);
      return;
    }
    for (const state of this.core.profile.orderLists!.legStates(answer)) {
      const leg = legs.find((candidate) => candidate.exchangeClientOrderId === state.exchangeClientOrderId);
      if (leg !== undefined) await this.writes.catchUp(leg, this.core.rest.withUnifiedSymbol(state));
    }
  }
}
