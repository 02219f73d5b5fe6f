// Position commands: open (an entry through the gate, its plan applied once it fills), close in full or part,
// move the stop or a take-profit, and a strategy's signal turned into a protected position.
import type { Logger } from 'pino';
import type { PositionMachineInput, PositionMargin } from '../../../machines/position.ts';
import { workingExits } from '../../../machines/position.ts';
import type { ExitReason } from '../../analytics/trade-record.ts';
import type { ExecutionTracker } from '../../analytics/execution-tracker.ts';
import type { Clock } from '../../domain/clock.ts';
import { decimal, ZERO, type DecimalString } from '../../domain/decimal.ts';
import { liquidationPrice } from '../../domain/position-accounting.ts';
import { OrderRequestError, parseOrderRequest, validateOrderRequest, type OrderRequestInput } from '../../domain/order-request.ts';
import type { Denial } from '../../risk/checks.ts';
import type { PlanInputs, PositionPlan } from '../../risk/protection.ts';
import { planInputIssues, validatePositionPlan } from '../../risk/plan-validation.ts';
import { OrderStateError, UnknownPositionError } from '../errors.ts';
import { positionView, type PositionActor, type PositionBook, type PositionView } from '../positions.ts';
import type { RiskGate } from '../risk-gate.ts';
import { planSignal, type Signal, type SignalDefaults, type SignalOutcome } from '../signals.ts';
import type { Valuation } from '../valuation.ts';
import type { VenueBook } from '../venues.ts';
import type { OrderCommands } from './orders.ts';

export interface OpenPositionRequest {
  readonly symbol: string;
  readonly venue?: string;
  readonly direction: 'long' | 'short';
  readonly quantity: DecimalString;
  /** Market by default; a limit entry rests at `price`. */
  readonly entry?: { readonly type: 'market' } | { readonly type: 'limit'; readonly price: DecimalString };
  readonly plan?: PositionPlan;
  readonly inputs?: PlanInputs;
  /** A margin position: its leverage and the venue's maintenance margin rate, for the liquidation estimate. */
  readonly margin?: PositionMargin;
}

export interface PositionHandle {
  readonly positionId: string;
  readonly entryOrderId: string;
  readonly actor: PositionActor;
  /** Set when the portfolio's risk gate denied the entry: the position never opens. */
  readonly denial?: Denial;
}

export interface PositionCommandHost {
  readonly clock: Clock;
  readonly venues: VenueBook;
  readonly positions: PositionBook;
  readonly orders: OrderCommands;
  readonly gate: RiskGate;
  readonly valuation: Valuation;
  readonly execution: ExecutionTracker;
  readonly signalDefaults: SignalDefaults;
  readonly logger: Logger;
}

export class PositionCommands {
  constructor(private readonly host: PositionCommandHost) {}

  /** Opens a position: its entry order goes through the risk gate; its plan is applied once the entry fills. */
  open(request: OpenPositionRequest): PositionHandle {
    const { venues, positions, clock } = this.host;
    const venueId = request.venue ?? venues.defaultVenueId();
    const instrument = venues.instrument(venueId, request.symbol);
    const existing = positions.currentFor(venueId, request.symbol);
    if (existing !== undefined) {
      const context = existing.getSnapshot().context;
      throw new OrderStateError(context.positionId, String(positionView(existing).status), `a ${context.direction} position in ${request.symbol} is already open (${context.positionId}); close it or add to it with an order`);
    }
    const positionId = positions.nextPositionId();
    const entryOrderId = `${positionId}.e1`;
    const entry = request.entry ?? { type: 'market' as const };
    const order: OrderRequestInput = {
      clientOrderId: entryOrderId,
      venue: venueId,
      symbol: request.symbol,
      side: request.direction === 'long' ? 'buy' : 'sell',
      type: entry.type,
      quantity: request.quantity,
      ...(entry.type === 'limit' ? { price: entry.price } : {}),
      parentId: positionId,
    };
    // Validate before the position exists, so bad input starts nothing: the entry, and the plan whole (a
    // position never opens without the protection it asked for).
    const marketPrice = venues.marketPrice(venueId, request.symbol);
    validateOrderRequest(parseOrderRequest(order), { instrument, now: clock.now(), marketPrice });
    const referenceEntryPrice = entry.type === 'limit' ? entry.price : marketPrice?.toFixed();
    const planProblems = validatePositionPlan(request.plan, request.inputs, { direction: request.direction, referenceEntryPrice, instrument, quantity: request.quantity });
    if (planProblems.length > 0) throw new OrderRequestError(planProblems.map((problem) => `plan: ${problem}`));
    if (request.margin !== undefined) {
      try {
        liquidationPrice({ direction: request.direction, entryPrice: '1', leverage: request.margin.leverage, maintenanceMarginRate: request.margin.maintenanceMarginRate });
      } catch (error) {
        throw new OrderRequestError([`margin: ${(error as Error).message}`]);
      }
    }
    const input: PositionMachineInput = {
      positionId,
      venue: venueId,
      symbol: request.symbol,
      direction: request.direction,
      createdAt: clock.now(),
      plan: request.plan,
      inputs: request.inputs,
      tickSize: instrument.spec.tickSize,
      lotSize: instrument.spec.lotSize,
      feeRate: instrument.takerFee.gt(instrument.makerFee) ? instrument.spec.takerFee : instrument.spec.makerFee,
      entryOrderId,
      margin: request.margin,
    };
    const actor = positions.start(input);
    const handle = this.host.orders.submit(order, { kind: 'position', positionId });
    return { positionId, entryOrderId, actor, denial: handle.denial };
  }

  /** Closes a position in full (or `quantity` of it) at market, through the same gate. */
  close(positionId: string, options: { quantity?: DecimalString; reason?: ExitReason } = {}): void {
    const actor = this.require(positionId);
    const view = positionView(actor);
    if (view.status === 'closed') throw new OrderStateError(positionId, 'closed', `position ${positionId} is already closed`);
    if (options.quantity !== undefined) {
      const quantity = decimal(options.quantity);
      if (!quantity.gt(ZERO) || quantity.gt(view.quantity)) {
        throw new OrderRequestError([`quantity to close must be above 0 and at most the position's ${view.quantity}, got ${options.quantity}`]);
      }
      const [working] = workingExits(actor.getSnapshot().context);
      if (working !== undefined && quantity.lt(view.quantity)) {
        throw new OrderStateError(positionId, view.status, `position ${positionId} has exit order ${working} working; a partial close waits until it has ended (a full close replaces it)`);
      }
    }
    actor.send({ type: 'close', reason: options.reason ?? 'manual', quantity: options.quantity });
  }

  /** Moves a position's stop (it must stay on the loss side of the market). */
  updateStop(positionId: string, stopPrice: DecimalString): void {
    const actor = this.require(positionId);
    const view = positionView(actor);
    const market = this.host.venues.marketPrice(view.venue, view.symbol);
    const price = decimal(stopPrice);
    const wrongSide = market !== undefined && (view.direction === 'long' ? price.gte(market) : price.lte(market));
    if (view.status !== 'open' || view.stopOrderId === undefined) {
      throw new OrderStateError(positionId, view.status, `position ${positionId} has no working stop to move (it is ${view.status})`);
    }
    if (view.stopPhase === 'trailing') {
      throw new OrderStateError(positionId, view.status, `position ${positionId} is trailing its stop (now ${view.stopPrice ?? 'not yet set'}); the trailing stop moves it, a manual price would not reach the order`);
    }
    if (wrongSide) throw new OrderRequestError([`stop price ${stopPrice} is not ${view.direction === 'long' ? 'below' : 'above'} the market (${market!.toFixed()}) for a ${view.direction} position`]);
    this.checkManualAmend(view);
    actor.send({ type: 'updateStop', stopPrice: price.toFixed() });
  }

  updateTakeProfit(positionId: string, price: DecimalString): void {
    const actor = this.require(positionId);
    const view = positionView(actor);
    if (view.status !== 'open' || !view.takeProfitOrderIds.some((orderId) => view.workingOrderIds.includes(orderId))) {
      throw new OrderStateError(positionId, view.status, `position ${positionId} has no working take-profit to move`);
    }
    this.checkManualAmend(view);
    actor.send({ type: 'updateTakeProfit', price: decimal(price).toFixed() });
  }

  /** From a strategy's signal to a working protected position: size, plan, risk gate, entry. */
  signal(signal: Signal): SignalOutcome {
    const { venues, positions, clock } = this.host;
    const signalTime = clock.now();
    // A negative or zero ATR is wrong data: refused whether or not the plan uses it.
    const inputIssues = signal.atr === undefined ? [] : planInputIssues({ atr: signal.atr } as PlanInputs);
    if (inputIssues.length > 0) return { status: 'refused', reason: inputIssues.join('; ') };
    const venueId = signal.venue ?? venues.defaultVenueId();
    const instrument = venues.instrument(venueId, signal.symbol);
    const current = positions.currentFor(venueId, signal.symbol);
    const planned = planSignal(signal, {
      instrument,
      marketPrice: venues.marketPrice(venueId, signal.symbol)?.toFixed(),
      equity: this.host.valuation.of(instrument.quote).equity,
      openDirection: current === undefined ? undefined : current.getSnapshot().context.direction,
      openPositions: () => positions.openPositions().filter((position) => position.venue === venueId),
      defaults: this.host.signalDefaults,
    });
    if (planned.kind === 'refused') return { status: 'refused', reason: planned.reason };
    if (planned.kind === 'close') {
      const positionId = current!.getSnapshot().context.positionId;
      this.close(positionId, { reason: 'signal' });
      return { status: 'closing', positionId };
    }
    const handle = this.open({ symbol: signal.symbol, venue: venueId, direction: planned.direction, quantity: planned.quantity, plan: planned.plan, inputs: planned.inputs });
    this.host.execution.signaled(handle.entryOrderId, signalTime);
    if (handle.denial !== undefined) return { status: 'denied', positionId: handle.positionId, denial: handle.denial };
    return { status: 'opened', positionId: handle.positionId, entryOrderId: handle.entryOrderId, quantity: planned.quantity, stopPrice: planned.stopPrice };
  }

  /** Emergency: every position that is not closed closes at market. */
  closeAll(): void {
    for (const actor of [...this.host.positions.current()]) {
      if (positionView(actor).status !== 'closed') actor.send({ type: 'close', reason: 'emergency' });
    }
  }

  /**
   * A protective stop that cannot be placed (most often: the market is already through it) must not leave the
   * position unprotected: the position is closed at market, which is what the stop would have done.
   */
  protectiveOrderRefused(positionId: string, role: string, orderId: string, error: Error): void {
    this.host.logger.error({ err: error, positionId, orderId, role }, `position ${positionId}: ${role} order ${orderId} refused: ${error.message}`);
    if (role !== 'stop') return;
    const actor = this.host.positions.get(positionId);
    if (actor !== undefined && positionView(actor).status === 'open') actor.send({ type: 'close', reason: 'stop' });
  }

  /**
   * A manual stop or take-profit change is an amendment through the same gate: refused here, with the reason,
   * rather than recorded on the position and then denied on its way to the order. Protective orders are
   * amended even when halted, as reduce-only orders pass.
   */
  private checkManualAmend(view: PositionView): void {
    const denial = this.host.gate.checkAmend(true, false);
    if (denial !== undefined) throw new OrderStateError(view.positionId, view.status, `${denial.reason}: ${denial.message}`);
  }

  private require(positionId: string): PositionActor {
    const actor = this.host.positions.get(positionId);
    if (actor === undefined) throw new UnknownPositionError(positionId);
    return actor;
  }
}
