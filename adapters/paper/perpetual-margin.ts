// The paper venue's perpetual futures inside the venue: what orders hold as margin, the mark from market data,
// the maintenance check and liquidation, funding at its times, and the terms (leverage, margin mode, rate).
import { ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { MarketData } from '../../src/domain/market-data.ts';
import { notionalMargin, orderMargin } from '../../src/domain/margin.ts';
import type { ReservationResult } from './balances.ts';
import { buyReservation, notionalReservation, reservationFeeRate } from './matching.ts';
import { closeOrder, workingOrders } from './order-execution.ts';
import { isWorking } from './paper-order.ts';
import type { PaperCore, SymbolState } from './paper-core.ts';
import { checkLeverage, markOf, type MarginMode, type PerpetualState } from './perpetual-account.ts';
import { emitAccountReport, emitReport } from './report-delivery.ts';

/**
 * Changes a perpetual's leverage or margin mode. As on real venues, only while the symbol has no position
 * and no working order (their margin was figured at the old terms); otherwise refused with the reason.
 */
export function setMarginTerms(core: PaperCore, symbol: string, terms: { readonly leverage?: DecimalString; readonly marginMode?: MarginMode }): void {
  const state = core.perpetuals.get(symbol);
  if (state === undefined) throw new Error(`${symbol} is not a perpetual of ${core.id}`);
  if (state.direction !== 'flat') throw new Error(`${symbol}: leverage and margin mode cannot change while a position is open`);
  for (const order of core.orders.values()) {
    if (isWorking(order) && order.instrument.symbol === symbol) throw new Error(`${symbol}: leverage and margin mode cannot change while order ${order.clientOrderId} is working`);
  }
  const leverage = terms.leverage === undefined ? state.leverage : decimal(terms.leverage);
  checkLeverage(symbol, leverage, state.maintenanceMarginRate);
  if (terms.marginMode !== undefined && terms.marginMode !== 'isolated' && terms.marginMode !== 'cross') {
    throw new Error(`${symbol}: marginMode must be "isolated" or "cross", got ${JSON.stringify(terms.marginMode)}`);
  }
  state.leverage = leverage;
  state.marginMode = terms.marginMode ?? state.marginMode;
  core.perpetuals.accountChanged(state.instrument.quote);
  core.onStateChange?.();
}

/** The funding rate applied at the next funding times of a perpetual (a funding-rate feed calls this). */
export function setFundingRate(core: PaperCore, symbol: string, rate: DecimalString): void {
  const state = core.perpetuals.get(symbol);
  if (state === undefined) throw new Error(`${symbol} is not a perpetual of ${core.id}`);
  state.fundingRate = decimal(rate);
  core.onStateChange?.();
}

/** A mark price from a feed (for perpetuals whose markPrice source is 'feed'; ignored for the others). */
export function receiveMarkPrice(core: PaperCore, symbol: string, price: Decimal): void {
  const state = core.perpetuals.get(symbol);
  if (state?.markSource !== 'feed') return;
  state.mark = price;
  checkMargin(core, state, price, price);
}

/** What a limit-priced order (or a stop at its stop price) holds: spot buys quote with fee; perpetuals margin with fee. */
export function limitHold(core: PaperCore, state: SymbolState, quantity: Decimal, price: Decimal): Decimal {
  const perpetual = state.perpetual;
  if (perpetual === undefined) return buyReservation(state.instrument!, quantity, price);
  return orderMargin(quantity, price, perpetual.leverage, reservationFeeRate(state.instrument!));
}

/** The same for an order whose cost is a walked notional (market orders). */
export function notionalHold(core: PaperCore, state: SymbolState, notional: Decimal): Decimal {
  const perpetual = state.perpetual;
  if (perpetual === undefined) return notionalReservation(state.instrument!, notional);
  return notionalMargin(notional, perpetual.leverage, reservationFeeRate(state.instrument!));
}

/** Holds `amount` for an order: spot from the free balance, perpetuals from the margin available. */
export function holdFunds(core: PaperCore, state: SymbolState, currency: string, amount: Decimal): ReservationResult {
  if (state.perpetual === undefined) return core.ledger.reserve(currency, amount);
  // Reduce-only orders hold nothing and always pass, whatever losses the account carries.
  if (amount.eq(ZERO)) return { ok: true };
  const available = core.perpetuals.available(currency);
  if (amount.gt(available)) {
    return { ok: false, reason: `insufficient margin: needs ${toDecimalString(amount)} ${currency}, available ${toDecimalString(available)} ${currency}` };
  }
  core.ledger.hold(currency, amount);
  return { ok: true };
}

/** A tick moves the mark (per the symbol's source) and, when the position is open, checks its maintenance. */
export function updateMark(core: PaperCore, perpetual: PerpetualState, tick: MarketData): void {
  if (tick.type === 'quote') {
    if (perpetual.markSource !== 'mid') return;
    perpetual.markQuote = tick;
    perpetual.mark = undefined;
    if (perpetual.direction === 'flat') return;
    const bid = tick.bids[0];
    const ask = tick.asks[0];
    if (bid !== undefined || ask !== undefined) checkMargin(core, perpetual, (bid ?? ask)!.price, (ask ?? bid)!.price);
  } else if (tick.type === 'trade') {
    if (perpetual.markSource !== 'last') return;
    perpetual.mark = tick.price;
    if (perpetual.direction !== 'flat') checkMargin(core, perpetual, tick.price, tick.price);
  }
}

/** The mark lies between `first` and `second`: liquidate whatever no longer covers its maintenance. */
export function checkMargin(core: PaperCore, perpetual: PerpetualState, first: Decimal, second: Decimal): void {
  if (perpetual.direction === 'flat' || !core.perpetuals.mayBeBreached(perpetual, first, second)) return;
  markOf(perpetual);
  const breached = core.perpetuals.breached(perpetual);
  if (breached.length > 0) liquidate(core, breached);
}

/**
 * The venue takes over the positions: their working orders are canceled (their margin returns), then each
 * is closed whole at its liquidation settlement, reported as a liquidation trade and a position report.
 */
export function liquidate(core: PaperCore, positions: readonly PerpetualState[]): void {
  for (const perpetual of positions) {
    for (const order of workingOrders(core, perpetual.instrument.symbol)) {
      closeOrder(core, order, 'canceled');
      emitReport(core, { type: 'canceled', clientOrderId: order.clientOrderId, reason: `position liquidated: ${perpetual.instrument.symbol} margin fell to maintenance` });
    }
  }
  for (const perpetual of positions) {
    if (perpetual.direction === 'flat') continue;
    const trade = core.perpetuals.liquidate(perpetual);
    emitAccountReport(core, {
      type: 'liquidation',
      symbol: perpetual.instrument.symbol,
      side: trade.side,
      quantity: toDecimalString(trade.quantity),
      price: toDecimalString(trade.settlement.price),
      fee: toDecimalString(trade.settlement.fee),
      feeCurrency: perpetual.instrument.quote,
      tradeId: `${core.id}-t${core.nextTradeNumber++}`,
    });
    emitPosition(core, perpetual);
  }
}

export function armFunding(core: PaperCore, perpetual: PerpetualState): void {
  const symbol = perpetual.instrument.symbol;
  const handle = core.clock.setTimeout(() => fund(core, perpetual), Math.max(0, perpetual.nextFundingAt - core.clock.now()));
  core.fundingTimers.set(symbol, handle);
}

/** A funding time: the open position pays or receives, at the mark then; a payment may breach maintenance. */
export function fund(core: PaperCore, perpetual: PerpetualState): void {
  core.fundingTimers.delete(perpetual.instrument.symbol);
  const fundingTime = perpetual.nextFundingAt;
  perpetual.nextFundingAt = fundingTime + perpetual.fundingIntervalMs;
  const paid = core.perpetuals.payFunding(perpetual);
  if (paid === undefined) {
    core.onStateChange?.();
  } else {
    emitAccountReport(core, 
      {
        type: 'funding',
        symbol: perpetual.instrument.symbol,
        amount: toDecimalString(paid.amount),
        currency: perpetual.instrument.quote,
        rate: toDecimalString(perpetual.fundingRate),
        fundingId: `${core.id}-f${core.nextFundingNumber++}`,
      },
      fundingTime,
    );
    emitPosition(core, perpetual);
    const breached = core.perpetuals.breached(perpetual);
    if (breached.length > 0) liquidate(core, breached);
  }
  armFunding(core, perpetual);
}

export function emitPosition(core: PaperCore, perpetual: PerpetualState): void {
  emitAccountReport(core, { type: 'position', ...core.perpetuals.view(perpetual) });
}
