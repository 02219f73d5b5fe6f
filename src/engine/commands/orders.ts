// Order commands: submit, amend and cancel, for clients and for the engine's own parts (positions). Every
// order passes the portfolio's risk gate; a denial leaves its audit events and no actor.
import type { Logger } from 'pino';
import type { Venue } from '../../../adapters/venue.ts';
import type { OrderContext, OrderStateName } from '../../../machines/order.ts';
import { validateAmendment } from '../../domain/amendment.ts';
import { decimal, type Decimal, type DecimalString } from '../../domain/decimal.ts';
import type { Clock } from '../../domain/clock.ts';
import { OrderRequestError, parseOrderRequest, TRIGGERED_ORDER_TYPES, validateOrderRequest, type OrderRequest, type OrderRequestInput, type VenueListMembership } from '../../domain/order-request.ts';
import { advanceTrailing } from '../../domain/triggers.ts';
import type { Denial } from '../../risk/checks.ts';
import type { Deadlines } from '../deadlines.ts';
import { OrderStateError, UnknownOrderError, VenueUnavailableError } from '../errors.ts';
import { trailingPlanOf } from '../local-triggers.ts';
import type { OrderActor, OrderRegistry } from '../order-registry.ts';
import type { PositionBook } from '../positions.ts';
import type { RiskGate } from '../risk-gate.ts';
import type { VenueBook } from '../venues.ts';
import type { AnyActorRef } from 'xstate';

/** Ids the engine gives its own orders and positions begin with this; a client's clientOrderId may not. */
export const ENGINE_ID_NAMESPACE = 'fs-';

export interface OrderHandle {
  readonly orderId: string;
  /** The order's actor; absent when the gate denied it (a denial leaves no actor, only its audit events). */
  readonly actor?: OrderActor;
  /** False when a request repeated an existing clientOrderId: the existing order is returned, none is made. */
  readonly created: boolean;
  /** Set when the portfolio's risk gate denied the order: nothing was sent or reserved. */
  readonly denial?: Denial;
}

/** Who asks: a client (API, library) or one of the engine's own parts on behalf of a position, an algorithm or an order list. */
export type Requester =
  | { readonly kind: 'client' }
  | { readonly kind: 'position'; readonly positionId: string }
  | { readonly kind: 'algo'; readonly parentId: string; readonly venueList?: VenueListMembership };

const CLIENT: Requester = { kind: 'client' };

/** The algorithm or order list that placed an order as one of its children. */
export interface OrderParent {
  readonly id: string;
  readonly kind: 'algo' | 'orderList';
}
/** Denials remembered for retries of the same clientOrderId (the newest). */
const DENIALS_KEPT = 10_000;

export interface OrderCommandHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly venues: VenueBook;
  readonly orders: OrderRegistry;
  readonly positions: PositionBook;
  readonly gate: RiskGate;
  readonly deadlines: Deadlines;
  readonly portfolio: () => AnyActorRef;
  readonly idPrefix: string;
}

export class OrderCommands {
  private generated = 0;
  private readonly denials = new Map<string, Denial>();
  /** The algorithm or order list a working order belongs to (set by the parent book once it is assembled). */
  private parentOf: (orderId: string) => OrderParent | undefined = () => undefined;

  constructor(private readonly host: OrderCommandHost) {}

  /** Algorithms' and order lists' children are theirs to amend and cancel: clients are refused (refuseOwned). */
  attachParents(parentOf: (orderId: string) => OrderParent | undefined): void {
    this.parentOf = parentOf;
  }

  /** Validates and places an order. Throws OrderRequestError (or an engine error) and changes nothing if bad. */
  submit(input: OrderRequestInput, requester: Requester = CLIENT): OrderHandle {
    const { venues, orders, gate, clock } = this.host;
    const request = parseOrderRequest(input);
    if (request.clientOrderId !== undefined) {
      if (requester.kind === 'client' && request.clientOrderId.startsWith(ENGINE_ID_NAMESPACE)) {
        throw new OrderRequestError([`clientOrderId may not begin with "${ENGINE_ID_NAMESPACE}": ids there are the engine's own (orders of positions and algorithms)`]);
      }
      const existing = this.existing(request.clientOrderId);
      if (existing !== undefined) return existing;
    }
    const venueId = request.venue ?? venues.defaultVenueId();
    const binding = venues.binding(venueId);
    const instrument = venues.instrument(venueId, request.symbol);
    const marketPrice = venues.marketPrice(venueId, request.symbol);
    validateOrderRequest(request, { instrument, now: clock.now(), marketPrice });
    const emulated = checkCapabilities(binding.venue, request);
    const link = venues.linkStatus(venueId);
    if (link.state !== 'live' && !emulated) {
      throw new VenueUnavailableError(venueId, link.state, link.lastError);
    }
    const referencePrice = referencePriceOf(request, marketPrice);
    if (referencePrice === undefined) {
      throw new OrderRequestError([`no market price for ${request.symbol} yet: the cost of a ${request.type} order cannot be checked`]);
    }
    const clientOrderId = request.clientOrderId ?? this.nextClientOrderId();
    const now = clock.now();
    const denial = gate.checkOrder(request, venueId, instrument, referencePrice, marketPrice);
    const trailingStart = emulated && request.type === 'trailingStop' && marketPrice !== undefined
      ? advanceTrailing(trailingPlanOf(request), undefined, venues.referencePrice(venueId, request) ?? marketPrice, instrument.tickSize)
      : undefined;
    // A venue list's legs carry their list as data, so the gateway sends them as one command.
    const venueList = requester.kind === 'algo' && requester.venueList !== undefined ? { venueList: requester.venueList } : {};
    const input_ = { request: { ...request, clientOrderId, ...venueList }, venue: venueId, emulated, createdAt: now, triggerPrice: trailingStart?.triggerPrice, watermark: trailingStart?.watermark };
    if (denial !== undefined) {
      // Denied by the portfolio: its audit events (initialized, denied) are journaled; no actor stays.
      orders.recordDenied(input_, `${denial.reason}: ${denial.message}`);
      this.remember(clientOrderId, denial);
      return { orderId: clientOrderId, created: true, denial };
    }
    const actor = orders.create(input_);
    gate.submitted();
    const reservation = gate.reservationFor(request, venueId, instrument, referencePrice);
    if (reservation !== undefined) this.host.portfolio().send({ type: 'ledger.reserve', orderId: clientOrderId, currency: reservation.currency, amount: reservation.amount });
    this.host.deadlines.arm(clientOrderId, request);
    actor.send({ type: 'submit' });
    return { orderId: clientOrderId, actor, created: true };
  }

  /** Changes price, quantity or stop price, through the venue (or locally for an emulated order). */
  amend(orderId: string, changes: unknown, requester: Requester = CLIENT): OrderHandle {
    const actor = this.require(orderId);
    this.refuseOwned(orderId, actor, requester, 'amended');
    const snapshot = actor.getSnapshot();
    const context = snapshot.context;
    const state = snapshot.value as OrderStateName;
    if (!snapshot.can({ type: 'amend' })) throw new OrderStateError(orderId, state, refusalMessage(orderId, state, 'amended'));
    const venue = this.host.venues.venue(context.venue);
    if (state !== 'emulated' && !venue.capabilities.amend) {
      throw new OrderStateError(orderId, state, `venue ${venue.id} cannot amend orders; cancel and place a new one`);
    }
    // As for submits, a halt does not freeze a position's own protective orders (resize, break-even).
    const protective = context.request.reduceOnly && context.request.parentId !== undefined && this.host.positions.get(context.request.parentId) !== undefined;
    const denial = this.host.gate.checkAmend(protective, requester.kind === 'position');
    if (denial !== undefined) throw new OrderStateError(orderId, state, `${denial.reason}: ${denial.message}`);
    const amendment = validateAmendment(changes, { type: context.request.type, filledQuantity: context.filledQuantity, quantity: context.quantity }, this.host.venues.instrument(context.venue, context.request.symbol));
    this.host.gate.amended();
    actor.send({ type: 'amend', ...amendment });
    return { orderId, actor, created: false };
  }

  /** Cancels an order: at the venue if it is there, locally if it never left. */
  cancel(orderId: string, requester: Requester = CLIENT): OrderHandle {
    const actor = this.require(orderId);
    this.refuseOwned(orderId, actor, requester, 'canceled');
    const snapshot = actor.getSnapshot();
    const state = snapshot.value as OrderStateName;
    if (!snapshot.can({ type: 'cancel' })) throw new OrderStateError(orderId, state, refusalMessage(orderId, state, 'canceled'));
    actor.send({ type: 'cancel' });
    return { orderId, actor, created: false };
  }

  /** The engine's own cancel (a position's orders, a halt's entries): quietly nothing when not cancelable. */
  cancelIfWorking(orderId: string): void {
    const actor = this.host.orders.get(orderId);
    if (actor !== undefined && actor.getSnapshot().can({ type: 'cancel' })) actor.send({ type: 'cancel' });
  }

  /** A position's amendment (resize, break-even): refused ones are logged, the position keeps its plan. */
  amendForPosition(positionId: string, orderId: string, changes: { quantity?: DecimalString; stopPrice?: DecimalString; price?: DecimalString }): void {
    const actor = this.host.orders.get(orderId);
    if (actor === undefined) return;
    const context = actor.getSnapshot().context;
    const wanted: Record<string, DecimalString> = {};
    // The position asks for what should remain working; the order's quantity is its total, fills included.
    const total = changes.quantity === undefined ? undefined : decimal(changes.quantity).plus(context.filledQuantity);
    if (total !== undefined && !total.eq(context.quantity)) wanted.quantity = total.toFixed();
    if (changes.stopPrice !== undefined && changes.stopPrice !== context.stopPrice && context.request.type !== 'trailingStop') wanted.stopPrice = changes.stopPrice;
    if (changes.price !== undefined && changes.price !== context.price) wanted.price = changes.price;
    if (Object.keys(wanted).length === 0 || !actor.getSnapshot().can({ type: 'amend' })) return;
    try {
      this.amend(orderId, wanted, { kind: 'position', positionId });
    } catch (error) {
      this.host.logger.error({ err: error, orderId, changes: wanted }, `could not amend ${orderId} for its position: ${(error as Error).message}`);
    }
  }

  /** Working orders that add exposure (entries, scale-ins, plain orders) are canceled; reduce-only ones stay. */
  cancelEntryOrders(): void {
    for (const actor of [...this.host.orders.values()]) {
      const snapshot = actor.getSnapshot();
      if (snapshot.context.request.reduceOnly) continue;
      if (snapshot.can({ type: 'cancel' })) actor.send({ type: 'cancel' });
    }
  }

  /**
   * A held order is released hours after it passed the gate: it passes again, priced at the market now. A
   * position's protective (reduce-only) order always passes. Its own reservation is not counted against it.
   * Returns the denial's sentence, or undefined when it may go.
   */
  recheckRelease(context: OrderContext, marketPrice: Decimal): string | undefined {
    const { venues, positions, gate } = this.host;
    const request = context.request;
    if (request.reduceOnly && request.parentId !== undefined && positions.get(request.parentId) !== undefined) return undefined;
    const instrument = venues.instrument(context.venue, request.symbol);
    const portfolio = this.host.portfolio();
    portfolio.send({ type: 'ledger.release', orderId: context.clientOrderId });
    const denial = gate.checkOrder(request, context.venue, instrument, marketPrice, marketPrice);
    if (denial !== undefined) return `${denial.reason}: ${denial.message}`;
    const reservation = this.host.gate.reservationFor(request, context.venue, instrument, referencePriceOf(request, marketPrice) ?? marketPrice);
    if (reservation !== undefined) portfolio.send({ type: 'ledger.reserve', orderId: context.clientOrderId, currency: reservation.currency, amount: reservation.amount });
    return undefined;
  }

  /** The denial a clientOrderId got, if it was denied (for retries and views). */
  denialOf(orderId: string): Denial | undefined {
    return this.denials.get(orderId);
  }

  private existing(clientOrderId: string): OrderHandle | undefined {
    const actor = this.host.orders.get(clientOrderId);
    if (actor !== undefined) return { orderId: clientOrderId, actor, created: false };
    const denial = this.denials.get(clientOrderId);
    if (denial !== undefined) return { orderId: clientOrderId, created: false, denial };
    if (!this.host.orders.known(clientOrderId)) return undefined;
    // Finished and gone from memory (or known only to the store): the retry is answered, nothing is made.
    const revived = this.host.orders.revive(clientOrderId);
    return { orderId: clientOrderId, actor: revived, created: false };
  }

  private remember(orderId: string, denial: Denial): void {
    this.denials.set(orderId, denial);
    if (this.denials.size > DENIALS_KEPT) this.denials.delete(this.denials.keys().next().value!);
  }

  private refuseOwned(orderId: string, actor: OrderActor, requester: Requester, verb: 'amended' | 'canceled'): void {
    if (requester.kind !== 'client') return;
    const owner = this.host.positions.ownerOf(orderId);
    const parent = owner === undefined ? this.parentOf(orderId) : undefined;
    if (owner === undefined && parent === undefined) return;
    const state = String(actor.getSnapshot().value);
    if (parent !== undefined) {
      const what = parent.kind === 'algo' ? 'algorithm' : 'order list';
      throw new OrderStateError(orderId, state, `order ${orderId} belongs to ${what} ${parent.id} and cannot be ${verb} through the order routes: pause, amend or cancel the ${what} instead`);
    }
    throw new OrderStateError(orderId, state, `order ${orderId} belongs to position ${owner} and cannot be ${verb} through the order routes: use the position's close, stop and take-profit commands`);
  }

  private require(orderId: string): OrderActor {
    const actor = this.host.orders.get(orderId) ?? this.host.orders.revive(orderId);
    if (actor === undefined) throw new UnknownOrderError(orderId);
    return actor;
  }

  private nextClientOrderId(): string {
    let id: string;
    do id = `${ENGINE_ID_NAMESPACE}${this.host.idPrefix}-${++this.generated}`;
    while (this.host.orders.has(id));
    return id;
  }
}

/** Refuses what the venue cannot do and we cannot emulate; returns whether the order is held locally. */
export function checkCapabilities(venue: Venue, request: OrderRequest): boolean {
  const capabilities = venue.capabilities;
  const native = capabilities.orderTypes.includes(request.type);
  const issues: string[] = [];
  if (!native && !TRIGGERED_ORDER_TYPES.includes(request.type)) issues.push(`venue ${venue.id} does not support ${request.type} orders`);
  if (request.timeInForce !== 'GTD' && !capabilities.timeInForce.includes(request.timeInForce)) {
    issues.push(`venue ${venue.id} does not support time in force ${request.timeInForce}`);
  }
  if (request.postOnly && !capabilities.postOnly) issues.push(`venue ${venue.id} does not support post-only orders`);
  if (issues.length > 0) throw new OrderRequestError(issues);
  return !native;
}

/** The price an order's cost and checks are judged at: its own price, its trigger, or the market. */
export function referencePriceOf(request: OrderRequest, marketPrice: Decimal | undefined): Decimal | undefined {
  const own = request.price ?? request.stopPrice ?? request.activationPrice;
  return own !== undefined ? decimal(own) : marketPrice;
}

const TERMINAL_REFUSAL: Partial<Record<OrderStateName, string>> = {
  filled: 'it is filled',
  canceled: 'it is canceled',
  expired: 'it has expired',
  rejected: 'the venue rejected it',
  denied: 'the risk checks denied it',
};

function refusalMessage(orderId: string, state: OrderStateName, verb: 'canceled' | 'amended'): string {
  const terminal = TERMINAL_REFUSAL[state];
  if (terminal) return `order ${orderId} cannot be ${verb}: ${terminal}, and a finished order accepts no commands`;
  if (state === 'pendingCancel') return `order ${orderId} cannot be ${verb}: a cancel is already in flight`;
  if (state === 'pendingUpdate') return `order ${orderId} cannot be ${verb}: an amendment is already in flight`;
  return `order ${orderId} cannot be ${verb} while it is ${state}`;
}
