// The portfolio's risk gate: assembles what the pre-trade checks need (ledger, positions, marks, recent
// submits) for one order, and what an order reserves. The checks themselves are pure, in src/risk/checks.ts.
import { decimal, ONE, ZERO, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { Instrument } from '../domain/instrument.ts';
import { freeBalance, type Ledger } from '../domain/ledger.ts';
import { availableMargin, marginOrderReservation, marginPositionOf } from '../domain/margin-ledger.ts';
import type { OrderRequest } from '../domain/order-request.ts';
import { checkAmend, checkOrder, orderReducesExposure, type Denial, type OrderRiskInput, type RiskLimits, type TradingState } from '../risk/checks.ts';
import { RecentTimes } from '../risk/rate-limit.ts';

/** The fee rate an order's reservation covers: the higher of maker and taker, so no fill can cost more. */
function reservationFeeRate(instrument: Instrument): Decimal {
  return instrument.takerFee.gt(instrument.makerFee) ? instrument.takerFee : instrument.makerFee;
}

/**
 * The currency and amount an order holds back while it works. Spot: quote for a buy, base for a sell.
 * Perpetual (`margin` given): its initial margin in quote for either side, nothing for quantity that closes
 * the position (margin-ledger.ts marginOrderReservation).
 */
export function reservationOf(
  request: OrderRequest,
  instrument: Instrument,
  referencePrice: Decimal,
  margin?: { readonly leverage: Decimal; readonly positionQuantity: DecimalString },
): { currency: string; amount: DecimalString } {
  const quantity = decimal(request.quantity);
  const price = request.price !== undefined ? decimal(request.price) : referencePrice;
  if (instrument.kind === 'perpetual') {
    const amount = marginOrderReservation({
      side: request.side, quantity, price, leverage: margin?.leverage ?? ONE, feeRate: reservationFeeRate(instrument), positionQuantity: decimal(margin?.positionQuantity ?? '0'),
    });
    return { currency: instrument.quote, amount: amount.toFixed() };
  }
  if (request.side === 'sell') return { currency: instrument.base, amount: quantity.toFixed() };
  return { currency: instrument.quote, amount: quantity.times(price).times(ONE.plus(reservationFeeRate(instrument))).toFixed() };
}

export interface GateState {
  readonly tradingState: TradingState;
  readonly ledger: Ledger;
  readonly instrument: Instrument;
  readonly referencePrice: Decimal;
  readonly lastPrice?: Decimal;
  /** Signed net position in this instrument now. */
  readonly positionQuantity: DecimalString;
  readonly equity: DecimalString;
  readonly totalExposure: DecimalString;
  readonly openPositions: number;
  readonly recentSubmits: readonly number[];
  readonly now: number;
  /** Perpetuals: the leverage its margin is figured at and the margin a new order may still take. */
  readonly margin?: { readonly leverage: Decimal; readonly available: Decimal };
}

export function orderRiskInput(request: OrderRequest, state: GateState): OrderRiskInput {
  const margin = state.instrument.kind === 'perpetual' ? state.margin : undefined;
  const reservation = reservationOf(request, state.instrument, state.referencePrice, margin === undefined ? undefined : { leverage: margin.leverage, positionQuantity: state.positionQuantity });
  return {
    tradingState: state.tradingState,
    instrument: state.instrument,
    side: request.side,
    quantity: request.quantity,
    price: (request.price !== undefined ? decimal(request.price) : state.referencePrice).toFixed(),
    lastPrice: state.lastPrice?.toFixed(),
    reduceOnly: request.reduceOnly,
    positionQuantity: state.positionQuantity,
    freeBalance: margin === undefined ? freeBalance(state.ledger, reservation.currency) : margin.available.toFixed(),
    requiredBalance: reservation.amount,
    balanceCurrency: reservation.currency,
    ...(margin === undefined ? {} : { balanceKind: 'margin' as const }),
    equity: state.equity,
    totalExposure: state.totalExposure,
    openPositions: state.openPositions,
    recentSubmits: state.recentSubmits,
    now: state.now,
  };
}

/** Signed quantity: positive long, negative short. */
export function signedQuantity(direction: 'long' | 'short', quantity: DecimalString): DecimalString {
  return direction === 'long' ? quantity : ZERO.minus(quantity).toFixed();
}

/** What the gate reads of the engine: the portfolio, positions, valuation, marks and the clock. */
export interface GateHost {
  tradingState(): TradingState;
  ledger(): Ledger;
  /** Signed net quantity of the venue's position in the symbol now ('0' when none). */
  positionQuantity(venueId: string, symbol: string): DecimalString;
  /** True when `parentId` is a position of this engine (its protective orders pass a halt). */
  isPosition(parentId: string): boolean;
  openPositions(): number;
  value(quote: string): { equity?: DecimalString; exposure: DecimalString };
  now(): number;
  /** The leverage a position of this engine asked for (its request's `margin`), when it gave one. */
  positionLeverage(parentId: string | undefined, venueId: string, symbol: string): DecimalString | undefined;
  /** The mark the gate values a perpetual at: the latest market price. */
  mark(venueId: string, symbol: string): Decimal | undefined;
}

/**
 * The portfolio's one gate. Every order — a client's, a position's, an algorithm's child, a released emulated
 * order — passes these checks before it may reach a venue. A halt never blocks a position's own protection or
 * exit: those pass as when reducing.
 */
export class RiskGate {
  readonly recentSubmits: RecentTimes;
  readonly recentAmends: RecentTimes;

  constructor(
    private readonly host: GateHost,
    readonly limits: RiskLimits,
  ) {
    this.recentSubmits = new RecentTimes(limits.submitRate?.windowMs);
    this.recentAmends = new RecentTimes(limits.amendRate?.windowMs);
  }

  checkOrder(request: OrderRequest, venueId: string, instrument: Instrument, referencePrice: Decimal, marketPrice: Decimal | undefined): Denial | undefined {
    const tradingState = this.effectiveState(request.reduceOnly, request.parentId);
    // Valuing every balance and position is O(instruments + positions): only done when a limit needs it.
    const needsValue = this.limits.maxPositionValuePercentOfEquity !== undefined || this.limits.maxLeverage !== undefined;
    const value = needsValue ? this.host.value(instrument.quote) : { equity: undefined, exposure: '0' };
    const now = this.host.now();
    const ledger = this.host.ledger();
    const margin = instrument.kind === 'perpetual'
      ? { leverage: this.leverageFor(venueId, instrument, request.parentId), available: availableMargin(ledger, instrument.quote, (venue, symbol) => this.host.mark(venue, symbol)) }
      : undefined;
    return checkOrder(
      orderRiskInput(request, {
        tradingState,
        ledger: this.host.ledger(),
        instrument,
        referencePrice,
        lastPrice: marketPrice,
        positionQuantity: this.host.positionQuantity(venueId, request.symbol),
        equity: value.equity ?? '0',
        totalExposure: value.exposure,
        openPositions: this.host.openPositions(),
        recentSubmits: this.recentSubmits.inWindow(now),
        now,
        margin,
      }),
      this.limits,
    );
  }

  /**
   * The leverage of a perpetual's margin: an open position keeps the one it was opened at (venues fix it while
   * a position is open); otherwise the position request's own, else the instrument's configured default, else 1.
   */
  leverageFor(venueId: string, instrument: Instrument, parentId: string | undefined): Decimal {
    const open = marginPositionOf(this.host.ledger(), venueId, instrument.symbol);
    if (open !== undefined && open.direction !== 'flat') return decimal(open.leverage);
    return decimal(this.host.positionLeverage(parentId, venueId, instrument.symbol) ?? instrument.spec.leverage ?? '1');
  }

  /**
   * What an order that passed the gate reserves in the ledger, or undefined when it reserves nothing (it only
   * reduces the position; on a perpetual, no part of it opens).
   */
  reservationFor(request: OrderRequest, venueId: string, instrument: Instrument, referencePrice: Decimal): { currency: string; amount: DecimalString } | undefined {
    const position = this.host.positionQuantity(venueId, request.symbol);
    if (orderReducesExposure(request.side, request.quantity, position)) return undefined;
    const margin = instrument.kind === 'perpetual' ? { leverage: this.leverageFor(venueId, instrument, request.parentId), positionQuantity: position } : undefined;
    const reservation = reservationOf(request, instrument, referencePrice, margin);
    return margin !== undefined && decimal(reservation.amount).eq(ZERO) ? undefined : reservation;
  }

  /**
   * An amendment through the same gate. A position keeping its own protection in step (a stop resized after a
   * partial fill) is never held back by the amend rate: a stop larger than the position would flip it.
   */
  checkAmend(protective: boolean, forPosition: boolean): Denial | undefined {
    const now = this.host.now();
    const limits = protective && forPosition ? { ...this.limits, amendRate: undefined } : this.limits;
    const tradingState = this.host.tradingState() === 'halted' && protective ? 'reducing' : this.host.tradingState();
    return checkAmend({ recentAmends: this.recentAmends.inWindow(now), now, tradingState }, limits);
  }

  submitted(): void {
    this.recentSubmits.record(this.host.now());
  }

  amended(): void {
    this.recentAmends.record(this.host.now());
  }

  private effectiveState(reduceOnly: boolean, parentId: string | undefined): TradingState {
    const state = this.host.tradingState();
    if (state === 'halted' && reduceOnly && parentId !== undefined && this.host.isPosition(parentId)) return 'reducing';
    return state;
  }
}
