// The ccxt venue's writes: submit, cancel, amend (in place or cancel-replace), and what follows an answer —
// an order's state applied as reports, an unknown outcome asked about by clientOrderId until the exchange
// knows (never resent), a duplicate id taken over or refused, and an order brought up to the exchange's state.
import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../src/domain/clock.ts';
import { decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { ExecutionReport, VenueOrder, VenueOrderStatus } from '../venue.ts';
import { NotSent, type ExchangeRest } from './exchange-rest.ts';
import type { OrderKeeper, TrackedOrder } from './order-book-keeper.ts';
import type { ExchangeProfile, RawOrderState } from './profile.ts';

/** What the parts of a ccxt venue share: its exchange, profile, REST access, order keeper, and delivery. */
export interface VenueCore {
  readonly id: string;
  readonly exchange: Exchange;
  readonly profile: ExchangeProfile;
  readonly rest: ExchangeRest;
  readonly keeper: OrderKeeper;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Also how long an order not found after an unknown outcome may still appear. */
  readonly recvWindowMs: number;
  /** After an unknown outcome, the first status query comes after this. */
  readonly resolveDelayMs: number;
  instrument(symbol: string): Instrument | undefined;
  deliver(report: ExecutionReport): void;
  cancel(clientOrderId: string): void;
  queryOrder(clientOrderId: string): Promise<VenueOrderStatus | undefined>;
  exchangeIdOf(clientOrderId: string): string | undefined;
}

export class OrderWrites {
  /** Orders we asked to cancel, with the reason their cancel is reported with (the client's, not the exchange's). */
  private readonly cancelRequested = new Map<string, string>();
  private readonly resolveTimers = new Map<string, TimerHandle>();
  /** Cancels the whole list a leg belongs to (set by a venue that sends lists). */
  listCancel: ((order: TrackedOrder) => Promise<void>) | undefined;

  constructor(private readonly core: VenueCore) {}

  /** Stops the status queries still pending. */
  stop(): void {
    for (const timer of this.resolveTimers.values()) this.core.clock.clearTimeout(timer);
    this.resolveTimers.clear();
  }

  applyState(order: TrackedOrder, state: RawOrderState, cancelReason: string): number {
    const reports = this.core.keeper.reportsForState(order, state, this.cancelReasonOf(order, state, cancelReason));
    for (const report of reports) this.core.deliver(report);
    this.afterResolved(order);
    return reports.length;
  }

  /** Why an order is canceled: asked by the client (or with a leg of its list), by its list at the exchange, or `fallback`. */
  private cancelReasonOf(order: TrackedOrder, state: RawOrderState, fallback: string): string {
    if (order.cancelWanted) return 'canceled by client';
    const requested = this.cancelRequested.get(order.clientOrderId);
    if (requested !== undefined) return requested;
    if (state.orderListId !== undefined) order.venueListId ??= state.orderListId;
    return this.core.keeper.listCancelReason(order) ?? fallback;
  }

  /** A cancel is asked for the order: when it comes, it is reported with `reason`. */
  requestCancel(clientOrderId: string, reason: string): void {
    this.cancelRequested.set(clientOrderId, reason);
  }

  /** An order whose outcome just became known: a cancel asked for meanwhile is sent now. */
  afterResolved(order: TrackedOrder): void {
    if (order.inFlight) return;
    const timer = this.resolveTimers.get(order.clientOrderId);
    if (timer !== undefined) {
      this.core.clock.clearTimeout(timer);
      this.resolveTimers.delete(order.clientOrderId);
    }
    if (order.cancelWanted) {
      order.cancelWanted = false;
      if (order.terminal === undefined) this.core.cancel(order.clientOrderId);
    }
    if (order.terminal !== undefined) this.cancelRequested.delete(order.clientOrderId);
  }

  async sendSubmit(order: TrackedOrder, request: VenueOrder): Promise<void> {
    const instrument = this.core.instrument(request.symbol)!;
    const params = this.core.profile.orderParams(request, order.exchangeClientOrderId);
    try {
      const created = await this.core.rest.call('createOrder', 'write', () =>
        this.core.exchange.createOrder(instrument.symbol, this.core.profile.ccxtOrderType(request.type, request), request.side, request.quantity as unknown as number, request.price as unknown as number | undefined, params),
      );
      const state = this.core.profile.orderFromRaw((created as { info: unknown }).info);
      if (state !== undefined) this.applyState(order, this.core.rest.withUnifiedSymbol(state), 'canceled at the exchange');
      else order.inFlight = false;
    } catch (error) {
      this.onSubmitFailed(order, error);
    }
  }

  /** A submit that failed: refused (reported), rate limited (not placed), a taken id, or an unknown outcome (asked about). */
  onSubmitFailed(order: TrackedOrder, error: unknown): void {
    const base = { venue: this.core.id, clientOrderId: order.clientOrderId, timestamp: this.core.clock.now() };
    if (error instanceof NotSent) {
      this.core.keeper.finish(order, 'rejected');
      this.core.deliver({ ...base, type: 'rejected', reason: `not sent: ${error.message}` });
      return;
    }
    const verdict = this.core.profile.classifyError(error);
    switch (verdict.kind) {
      case 'rateLimited':
        // A rate-limited write was not placed (the exchange refused it before its matching engine saw it).
        this.core.keeper.finish(order, 'rejected');
        this.core.deliver({ ...base, type: 'rejected', reason: `rate limited by the exchange, not placed: ${verdict.reason}` });
        return;
      case 'clockSkew':
        void this.core.rest.resyncAfterRefusedTimestamp();
        this.core.keeper.finish(order, 'rejected');
        this.core.deliver({ ...base, type: 'rejected', reason: `the exchange refused the timestamp (clock skew), not placed: ${verdict.reason}` });
        return;
      case 'duplicate':
        // An order with this id is at the exchange already: it is ours or it is refused; never a second one.
        order.inFlight = true;
        void this.resolveDuplicate(order, verdict.reason);
        return;
      case 'refused':
      case 'credentials':
      case 'notFound':
        this.core.keeper.finish(order, 'rejected');
        this.core.deliver({ ...base, type: 'rejected', reason: verdict.reason });
        return;
      case 'ambiguous':
        this.core.logger.warn({ clientOrderId: order.clientOrderId, reason: verdict.reason }, `venue ${this.core.id}: submit of ${order.clientOrderId} has an unknown outcome; asking the exchange, not resending`);
        order.inFlight = true;
        this.scheduleResolve(order, this.core.resolveDelayMs);
    }
  }

  private async resolveDuplicate(order: TrackedOrder, reason: string): Promise<void> {
    let state: RawOrderState | undefined;
    try {
      state = await this.core.rest.fetchOrderState(order.exchangeClientOrderId, order.symbol, order.type);
    } catch {
      this.scheduleResolve(order, this.core.resolveDelayMs);
      return;
    }
    if (state !== undefined && sameTerms(order, state)) {
      this.core.logger.warn({ clientOrderId: order.clientOrderId }, `venue ${this.core.id}: ${order.clientOrderId} is already at the exchange (${reason}); taking its state, not placing another`);
      await this.catchUp(order, state);
      return;
    }
    this.core.keeper.finish(order, 'rejected');
    this.core.deliver({ venue: this.core.id, clientOrderId: order.clientOrderId, timestamp: this.core.clock.now(), type: 'rejected', reason: `clientOrderId ${order.clientOrderId} is taken at the exchange by another order: ${reason}` });
  }

  /** An order sent whose answer did not say its state: the exchange is asked by clientOrderId. */
  resolveLater(order: TrackedOrder): void {
    order.inFlight = true;
    this.scheduleResolve(order, this.core.resolveDelayMs);
  }

  /** An unknown outcome: ask the exchange by clientOrderId until it knows, or the receive window has passed without it. */
  private scheduleResolve(order: TrackedOrder, delayMs: number): void {
    const previous = this.resolveTimers.get(order.clientOrderId);
    if (previous !== undefined) this.core.clock.clearTimeout(previous);
    this.resolveTimers.set(
      order.clientOrderId,
      this.core.clock.setTimeout(() => {
        this.resolveTimers.delete(order.clientOrderId);
        void this.resolveInFlight(order);
      }, delayMs),
    );
  }

  async resolveInFlight(order: TrackedOrder): Promise<void> {
    if (!order.inFlight) return;
    let state: RawOrderState | undefined;
    try {
      state = await this.core.rest.fetchOrderState(order.exchangeClientOrderId, order.symbol, order.type);
    } catch (error) {
      this.core.logger.warn({ err: error, clientOrderId: order.clientOrderId }, `venue ${this.core.id}: status query for ${order.clientOrderId} failed; asking again`);
      this.scheduleResolve(order, Math.max(this.core.resolveDelayMs, 1000));
      return;
    }
    if (!order.inFlight) return;
    if (state !== undefined) {
      await this.catchUp(order, state);
      return;
    }
    // Not found: once the receive window has passed, the exchange can no longer take the request.
    const windowEnds = order.sentAt + this.core.recvWindowMs + 1000;
    if (this.core.clock.now() >= windowEnds) {
      this.core.keeper.finish(order, 'rejected');
      this.core.deliver({ venue: this.core.id, clientOrderId: order.clientOrderId, timestamp: this.core.clock.now(), type: 'rejected', reason: `never placed: not found at the exchange by clientOrderId after the receive window (${this.core.recvWindowMs} ms); not resent` });
      return;
    }
    this.scheduleResolve(order, Math.max(this.core.resolveDelayMs, windowEnds - this.core.clock.now()));
  }

  async sendCancel(clientOrderId: string): Promise<void> {
    const order = this.core.keeper.get(clientOrderId);
    const exchangeId = order?.exchangeClientOrderId ?? this.core.exchangeIdOf(clientOrderId) ?? clientOrderId;
    const symbol = order?.symbol ?? (await this.core.queryOrder(clientOrderId).catch(() => undefined))?.symbol;
    const refuse = (reason: string) => this.core.deliver({ venue: this.core.id, clientOrderId, timestamp: this.core.clock.now(), type: 'cancelRejected', reason });
    if (symbol === undefined) return refuse(`order ${clientOrderId} is not known at ${this.core.id}`);
    if (order?.terminal !== undefined) return refuse(`order ${clientOrderId} is already ${order.terminal}`);
    if (order?.list !== undefined && this.listCancel !== undefined) return this.listCancel(order);
    this.cancelRequested.set(clientOrderId, 'canceled by client');
    try {
      // Found only by the query above (a restart): the order was adopted then.
      const [venueOrderId, params] = this.cancelTarget(order ?? this.core.keeper.get(clientOrderId), exchangeId);
      const canceled = await this.core.rest.call('cancelOrder', 'write', () => this.core.exchange.cancelOrder(venueOrderId as unknown as string, symbol, params));
      const state = this.core.profile.orderFromRaw((canceled as { info: unknown }).info);
      const tracked = this.core.keeper.get(clientOrderId);
      if (state !== undefined && tracked !== undefined) await this.catchUp(tracked, this.core.rest.withUnifiedSymbol(state));
    } catch (error) {
      await this.onCancelFailed(clientOrderId, error);
    }
  }

  /**
   * A cancel that failed: rate limited (sent again after the ban), unknown (the stream or backfill tells), or
   * refused (the exchange's state of the order is applied; the refusal reported unless it is canceled).
   * `alsoAsked`: other orders the same request would have canceled (the legs of its list).
   */
  async onCancelFailed(clientOrderId: string, error: unknown, alsoAsked: readonly string[] = []): Promise<void> {
    const refuse = (reason: string) => this.core.deliver({ venue: this.core.id, clientOrderId, timestamp: this.core.clock.now(), type: 'cancelRejected', reason });
    if (error instanceof NotSent) {
      // Rate-limited: the cancel waits for the ban to pass rather than being dropped.
      const retryAt = this.core.rest.bannedUntil;
      this.core.clock.setTimeout(() => this.core.cancel(clientOrderId), Math.max(100, retryAt - this.core.clock.now()));
      return;
    }
    const verdict = this.core.profile.classifyError(error);
    if (verdict.kind === 'rateLimited') {
      this.core.clock.setTimeout(() => this.core.cancel(clientOrderId), Math.max(100, this.core.rest.bannedUntil - this.core.clock.now()));
      return;
    }
    if (verdict.kind === 'ambiguous') {
      // The stream or the next backfill says whether it was canceled.
      this.core.logger.warn({ clientOrderId, reason: verdict.reason }, `venue ${this.core.id}: cancel of ${clientOrderId} has an unknown outcome`);
      return;
    }
    // Refused (already filled, already canceled, unknown): the exchange's own state is fetched and applied.
    const tracked = this.core.keeper.get(clientOrderId);
    if (tracked !== undefined) {
      const state = await this.core.rest.fetchOrderState(tracked.exchangeClientOrderId, tracked.symbol, tracked.type).catch(() => undefined);
      if (state !== undefined) await this.catchUp(tracked, state);
      if (tracked.terminal === 'canceled') return;
    }
    for (const id of [clientOrderId, ...alsoAsked]) this.cancelRequested.delete(id);
    refuse(`the exchange refused the cancel: ${verdict.reason}`);
  }

  /**
   * How a cancel names the order: by client order id, in the conditional book while it waits there; once it
   * has triggered out of it, the regular order it became by that order's id (which may carry another client id).
   */
  private cancelTarget(order: TrackedOrder | undefined, exchangeId: string): [string | undefined, Record<string, unknown>] {
    const apart = order !== undefined && this.core.profile.heldApart?.(order.type) === true;
    if (!apart) return [undefined, this.core.profile.byClientOrderId(exchangeId)];
    if (order.heldApart || order.venueOrderId === undefined) return [undefined, { ...this.core.profile.byClientOrderId(exchangeId), ...this.core.profile.conditionalParams?.() }];
    return [order.venueOrderId, {}];
  }

  async amendInPlace(order: TrackedOrder, quantity: DecimalString, price: DecimalString | undefined): Promise<void> {
    const refuse = (reason: string) => this.core.deliver({ venue: this.core.id, clientOrderId: order.clientOrderId, timestamp: this.core.clock.now(), type: 'amendRejected', reason });
    try {
      const edited = await this.core.rest.call('editOrder', 'write', () =>
        this.core.exchange.editOrder(order.venueOrderId!, order.symbol, this.core.profile.ccxtOrderType(order.type), order.side, quantity as unknown as number, price as unknown as number | undefined, {}),
      );
      let state = this.core.profile.orderFromRaw((edited as { info: unknown }).info);
      // An answer with ids only (OKX): the terms are read back; the stream tells too, reported once either way.
      if (state === undefined) state = await this.core.rest.fetchOrderState(order.exchangeClientOrderId, order.symbol, order.type).catch(() => undefined);
      if (state !== undefined && (state.quantity !== order.quantity || state.price !== order.price)) {
        this.core.deliver({ venue: this.core.id, clientOrderId: order.clientOrderId, timestamp: this.core.clock.now(), type: 'amended', quantity: state.quantity, ...(state.price !== undefined ? { price: state.price } : {}) });
        order.quantity = state.quantity;
        if (state.price !== undefined) order.price = state.price;
      }
    } catch (error) {
      const verdict = error instanceof NotSent ? { reason: error.message } : this.core.profile.classifyError(error);
      refuse(`the exchange refused the amendment: ${verdict.reason}`);
    }
  }

  /**
   * Spot has no in-place change of price: the order is canceled and a new one placed for the remaining
   * quantity, atomically at the exchange (cancel-replace, stop on failure). The new order carries a derived
   * client order id; its reports are the same engine order's.
   */
  async cancelReplace(order: TrackedOrder, quantity: DecimalString, price: DecimalString | undefined): Promise<void> {
    const base = { venue: this.core.id, clientOrderId: order.clientOrderId };
    const replacementId = this.core.profile.replacementClientOrderId(order.clientOrderId, order.generation + 1);
    if (replacementId === undefined) {
      this.core.deliver({ ...base, timestamp: this.core.clock.now(), type: 'amendRejected', reason: `clientOrderId ${order.clientOrderId} is too long to derive a replacement id` });
      return;
    }
    const remaining = decimal(quantity).minus(order.filledQuantity).toFixed();
    const previousId = order.exchangeClientOrderId;
    // Renamed first: the stream's reports for the replacement may arrive before the REST answer.
    this.core.keeper.rename(order, replacementId);
    order.generation++;
    try {
      const replaced = await this.core.rest.call('editOrder', 'write', () =>
        this.core.exchange.editOrder(undefined as unknown as string, order.symbol, this.core.profile.ccxtOrderType(order.type), order.side, remaining as unknown as number, price as unknown as number | undefined, {
          cancelOrigClientOrderId: previousId,
          newClientOrderId: replacementId,
        }),
      );
      const info = (replaced as { info: unknown }).info as Record<string, unknown>;
      const placed = this.core.profile.orderFromRaw(info.newOrderResponse ?? info);
      if (placed !== undefined) order.venueOrderId = placed.venueOrderId;
      order.quantity = quantity;
      if (price !== undefined) order.price = price;
      this.core.deliver({ ...base, timestamp: this.core.clock.now(), type: 'amended', quantity, ...(price !== undefined ? { price } : {}) });
    } catch (error) {
      const failure = error instanceof NotSent ? undefined : this.core.profile.cancelReplaceFailure(error);
      if (failure?.canceled === true) {
        // The old order is gone and no replacement works: the engine's order ends canceled, with the reason.
        this.core.keeper.finish(order, 'canceled');
        this.core.deliver({ ...base, timestamp: this.core.clock.now(), type: 'canceled', reason: `cancel-replace: ${failure.reason}` });
        return;
      }
      // Nothing changed at the exchange (or we cannot tell yet): back to the old id; the stream/backfill says more.
      order.generation--;
      order.formerExchangeIds.pop();
      order.exchangeClientOrderId = previousId;
      order.venueOrderId = order.formerVenueOrderIds.pop();
      const reason = failure?.reason ?? (error instanceof NotSent ? error.message : this.core.profile.classifyError(error).reason);
      this.core.deliver({ ...base, timestamp: this.core.clock.now(), type: 'amendRejected', reason: `cancel-replace: ${reason}` });
      const state = await this.core.rest.fetchOrderState(previousId, order.symbol, order.type).catch(() => undefined);
      if (state !== undefined) await this.catchUp(order, state);
    }
  }

  /** Brings one order up to the exchange's state: missed fills first (by tradeId), then its status. */
  async catchUp(order: TrackedOrder, state: RawOrderState): Promise<number> {
    let delivered = 0;
    if (state.exchangeClientOrderId === order.exchangeClientOrderId) order.venueOrderId ??= state.venueOrderId;
    const ownFilled = decimal(order.filledQuantity);
    if (decimal(state.filledQuantity).gt(ownFilled) || (state.status === 'filled' && order.terminal === undefined)) {
      const venueOrderIds = [...order.formerVenueOrderIds, state.venueOrderId];
      for (const venueOrderId of new Set(venueOrderIds)) {
        for (const fill of await this.core.rest.fetchFills(order.symbol, venueOrderId)) {
          const reports = this.core.keeper.reportsForFill(order, fill);
          delivered += reports.filter((report) => report.type === 'filled').length;
          for (const report of reports) this.core.deliver(report);
        }
      }
    }
    const before = order.accepted;
    const reports = this.core.keeper.reportsForState(order, state, this.cancelReasonOf(order, state, 'canceled at the exchange'));
    for (const report of reports) this.core.deliver(report);
    delivered += reports.filter((report) => report.type !== 'accepted' || !before).length;
    this.afterResolved(order);
    return delivered;
  }
}

/** Whether the exchange's order has the terms we sent (side, quantity, price). */
export function sameTerms(order: TrackedOrder, state: RawOrderState): boolean {
  return order.side === state.side && decimal(order.quantity).eq(decimal(state.quantity)) && (order.price === undefined || state.price === undefined || decimal(order.price).eq(decimal(state.price)));
}
