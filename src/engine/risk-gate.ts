// Assembles what the pre-trade checks need (ledger, positions, marks, recent submits) for one order, and
// what an order reserves. The checks themselves are pure, in src/risk/checks.ts.
import { decimal, ONE, ZERO, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { Instrument } from '../domain/instrument.ts';
import { freeBalance, type Ledger } from '../domain/ledger.ts';
import type { OrderRequest } from '../domain/order-request.ts';
import type { OrderRiskInput, TradingState } from '../risk/checks.ts';

/** The currency and amount an order holds back while it works (spot): quote for a buy, base for a sell. */
export function reservationOf(request: OrderRequest, instrument: Instrument, referencePrice: Decimal): { currency: string; amount: DecimalString } {
  const quantity = decimal(request.quantity);
  if (request.side === 'sell') return { currency: instrument.base, amount: quantity.toFixed() };
  const price = request.price !== undefined ? decimal(request.price) : referencePrice;
  const feeRate = instrument.takerFee.gt(instrument.makerFee) ? instrument.takerFee : instrument.makerFee;
  return { currency: instrument.quote, amount: quantity.times(price).times(ONE.plus(feeRate)).toFixed() };
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
}

export function orderRiskInput(request: OrderRequest, state: GateState): OrderRiskInput {
  const reservation = reservationOf(request, state.instrument, state.referencePrice);
  return {
    tradingState: state.tradingState,
    instrument: state.instrument,
    side: request.side,
    quantity: request.quantity,
    price: (request.price !== undefined ? decimal(request.price) : state.referencePrice).toFixed(),
    lastPrice: state.lastPrice?.toFixed(),
    reduceOnly: request.reduceOnly,
    positionQuantity: state.positionQuantity,
    freeBalance: freeBalance(state.ledger, reservation.currency),
    requiredBalance: reservation.amount,
    balanceCurrency: reservation.currency,
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
