// The portfolio's margin account for perpetual futures, as pure functions over the cash ledger (ledger.ts): one
// net position per venue and symbol, settled in its quote currency, whose margin is held in that currency's
// reserved balance; funding and liquidations. The arithmetic is margin.ts's, the one the paper venue books with.
import { ZERO, decimal, type Decimal, type DecimalString } from './decimal.ts';
import { initialMargin, orderMargin, unrealizedProfit } from './margin.ts';
import { reservationFor, withChanges, withReservation, type Ledger } from './ledger.ts';
import type { OrderSide } from './order-request.ts';
import { applyPositionFill, flatPosition, positionFromOpening, type NetPosition } from './position-accounting.ts';

export type MarginMode = 'isolated' | 'cross';

/** The venue's own view of a position, as it last reported it: its numbers win over the engine's estimates. */
export interface ReportedMarginPosition {
  readonly direction: 'long' | 'short' | 'flat';
  readonly quantity: DecimalString;
  readonly entryPrice?: DecimalString;
  readonly markPrice?: DecimalString;
  readonly liquidationPrice?: DecimalString;
  readonly leverage?: DecimalString;
  readonly marginMode?: MarginMode;
  readonly unrealizedPnl?: DecimalString;
  /** The venue's time of the report. */
  readonly timestamp: number;
}

/** One perpetual position of the account: the net position (position-accounting.ts) and what backs it. */
export interface MarginPosition extends NetPosition {
  /** The settlement currency: the instrument's quote. */
  readonly currency: string;
  /** The leverage its margin was figured at (venues fix it while a position is open). */
  readonly leverage: DecimalString;
  /** Cross until the venue says otherwise (its position reports). */
  readonly marginMode: MarginMode;
  /**
   * Held for the open quantity, inside the currency's `reserved`: the initial margin of what was opened, less
   * the closed share; for isolated margin, funding moves it too. '0' when flat.
   */
  readonly margin: DecimalString;
  /** Funding received (+) and paid (−) on this symbol in all, in `currency`. */
  readonly funding: DecimalString;
  /** The latest funding ids applied, oldest first, at most FUNDING_IDS_KEPT: a payment reported again is not counted twice. */
  readonly fundingIds: readonly string[];
  /** The latest liquidation trade ids applied (as fundingIds): a liquidation reported again is not booked twice. */
  readonly liquidationIds?: readonly string[];
  readonly reported?: ReportedMarginPosition;
}

/** By venue id, then symbol. */
export type MarginBook = Readonly<Record<string, Readonly<Record<string, MarginPosition>>>>;

/** Funding ids remembered per symbol: at three payments a day, half a year of backfill is recognised. */
export const FUNDING_IDS_KEPT = 512;

export class MarginLedgerError extends Error {
  override name = 'MarginLedgerError';
}

export function marginPositionOf(ledger: Ledger, venue: string, symbol: string): MarginPosition | undefined {
  const byVenue = ledger.margin?.[venue];
  return byVenue !== undefined && Object.hasOwn(byVenue, symbol) ? byVenue[symbol] : undefined;
}

/** Every margin position of the ledger, flat ones included. */
export function marginPositions(ledger: Ledger): { venue: string; symbol: string; position: MarginPosition }[] {
  const all: { venue: string; symbol: string; position: MarginPosition }[] = [];
  for (const [venue, bySymbol] of Object.entries(ledger.margin ?? {})) {
    for (const [symbol, position] of Object.entries(bySymbol)) all.push({ venue, symbol, position });
  }
  return all;
}

/** +quantity long, −quantity short, 0 flat. */
export function signedMarginQuantity(position: NetPosition | undefined): Decimal {
  if (position === undefined || position.direction === 'flat') return ZERO;
  const quantity = decimal(position.quantity);
  return position.direction === 'long' ? quantity : quantity.neg();
}

function newMarginPosition(currency: string, leverage: DecimalString): MarginPosition {
  return Object.assign(flatPosition(), { currency, leverage, marginMode: 'cross' as const, margin: '0', funding: '0', fundingIds: [] });
}

function withPosition(book: MarginBook | undefined, venue: string, symbol: string, position: MarginPosition): MarginBook {
  return Object.assign({}, book, { [venue]: Object.assign({}, book?.[venue], { [symbol]: position }) });
}

function checkLeverage(leverage: DecimalString, what: string): Decimal {
  const parsed = decimal(leverage);
  if (parsed.lt('1')) throw new MarginLedgerError(`${what}: leverage must be at least 1, got ${leverage}`);
  return parsed;
}

/** The part of an order that opens or adds to the position: all of it, less what closes an opposite position. */
export function openingQuantity(side: OrderSide, quantity: Decimal, signedPosition: Decimal): Decimal {
  const opposite = side === 'buy' ? signedPosition.lt(ZERO) : signedPosition.gt(ZERO);
  if (!opposite) return quantity;
  const excess = quantity.minus(signedPosition.abs());
  return excess.gt(ZERO) ? excess : ZERO;
}

/**
 * What an order on a perpetual holds while it works, in the settlement currency, for either side: the initial
 * margin of its opening quantity at `price` plus that quantity's fee at `feeRate` (margin.ts orderMargin, as the
 * paper venue holds). Quantity that closes the current position holds nothing.
 */
export function marginOrderReservation(input: {
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly leverage: Decimal;
  readonly feeRate: Decimal;
  /** The signed net position now. */
  readonly positionQuantity: Decimal;
}): Decimal {
  const opening = openingQuantity(input.side, input.quantity, input.positionQuantity);
  return opening.eq(ZERO) ? ZERO : orderMargin(opening, input.price, input.leverage, input.feeRate);
}

/** One fill (or a liquidation's close) on a perpetual. */
export interface MarginFill {
  /** The order filled; absent for a liquidation (no order of ours). */
  readonly orderId?: string;
  readonly venue: string;
  readonly symbol: string;
  /** Settlement currency (the instrument's quote). */
  readonly currency: string;
  readonly side: OrderSide;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
  readonly feeCurrency: string;
  /** Leverage for a position opened from flat by this fill; an open position keeps its own. */
  readonly leverage: DecimalString;
}

export interface MarginFillOutcome {
  readonly ledger: Ledger;
  /** Gross PnL the closing part realized (before fees). */
  readonly realizedPnl: DecimalString;
  /** The fill brought the position to flat (or flipped it). */
  readonly closed: boolean;
}

/**
 * Books one fill on a perpetual. No base currency moves: the wallet (the settlement currency's total) changes
 * by the PnL the closing part realizes and by the fee; the closed share of the position's margin is released
 * and the opening part's initial margin is held (both inside `reserved`); a flip closes the position and opens
 * the excess the other way. The order's reservation, if it has one, shrinks by what the fill took from it: the
 * margin it now holds in the position plus its fee when charged in the reserved currency, never below zero.
 * Throws when quantity or price is not positive.
 */
export function applyMarginFill(ledger: Ledger, fill: MarginFill): MarginFillOutcome {
  const quantity = decimal(fill.quantity);
  const price = decimal(fill.price);
  const fee = decimal(fill.fee);
  const what = `fill on ${fill.symbol}${fill.orderId === undefined ? '' : ` for order ${fill.orderId}`}`;
  if (!quantity.gt(ZERO)) throw new MarginLedgerError(`${what}: quantity must be positive, got ${fill.quantity}`);
  if (!price.gt(ZERO)) throw new MarginLedgerError(`${what}: price must be positive, got ${fill.price}`);
  const existing = marginPositionOf(ledger, fill.venue, fill.symbol) ?? newMarginPosition(fill.currency, fill.leverage);
  if (existing.currency !== fill.currency) throw new MarginLedgerError(`${what}: settled in ${fill.currency}, but the position is in ${existing.currency}`);
  const leverageText = existing.direction === 'flat' ? fill.leverage : existing.leverage;
  const leverage = checkLeverage(leverageText, what);
  const positionFee = fill.feeCurrency === fill.currency ? fee : ZERO;
  const held = decimal(existing.quantity);
  let margin = decimal(existing.margin);

  const result = applyPositionFill(existing, { side: fill.side, quantity: quantity.toFixed(), price: price.toFixed(), fee: positionFee.toFixed() });
  let realized = ZERO;
  let released = ZERO;
  if (result.closing !== undefined) {
    realized = decimal(result.closing.realizedPnl);
    released = result.closed ? margin : margin.times(decimal(result.closing.quantity)).div(held);
    margin = margin.minus(released);
  }
  let position: NetPosition = result.position;
  if (result.flipped) {
    const opening = result.opening!;
    // Cumulative realized PnL, fees and quantities stay with the symbol across a flip (as the venue keeps them).
    position = Object.assign({}, positionFromOpening(fill.side === 'buy' ? 'long' : 'short', opening), {
      realizedPnl: result.position.realizedPnl,
      fees: decimal(result.position.fees).plus(opening.fee).toFixed(),
      openedQuantity: decimal(result.position.openedQuantity).plus(opening.quantity).toFixed(),
      closedQuantity: result.position.closedQuantity,
    });
  }
  const opened = result.opening === undefined ? ZERO : initialMargin(decimal(result.opening.quantity).times(decimal(result.opening.price)), leverage);
  margin = margin.plus(opened);

  const changes = new Map<string, { total: Decimal; reserved: Decimal }>();
  const move = (currency: string, total: Decimal, reserved: Decimal) => {
    const change = changes.get(currency) ?? { total: ZERO, reserved: ZERO };
    changes.set(currency, { total: change.total.plus(total), reserved: change.reserved.plus(reserved) });
  };
  move(fill.currency, realized, opened.minus(released));
  if (!fee.eq(ZERO)) move(fill.feeCurrency, fee.neg(), ZERO);

  let reservations = ledger.reservations;
  const reservation = fill.orderId === undefined ? undefined : reservationFor(ledger, fill.orderId);
  if (reservation !== undefined) {
    let consumed = reservation.currency === fill.currency ? opened : ZERO;
    if (reservation.currency === fill.feeCurrency && fee.gt(ZERO)) consumed = consumed.plus(fee);
    const holding = decimal(reservation.amount);
    const freed = consumed.gt(holding) ? holding : consumed;
    if (freed.gt(ZERO)) {
      reservations = withReservation(ledger.reservations, fill.orderId!, { currency: reservation.currency, amount: holding.minus(freed).toFixed() });
      move(reservation.currency, ZERO, freed.neg());
    }
  }
  const next: MarginPosition = Object.assign({}, existing, position, { leverage: position.direction === 'flat' ? existing.leverage : leverageText, margin: canonical(margin) });
  return {
    ledger: withChanges(ledger, changes, reservations, withPosition(ledger.margin, fill.venue, fill.symbol, next)),
    realizedPnl: realized.toFixed(),
    closed: result.closed,
  };
}

/** True when a funding payment with this id was already applied to the symbol's position. */
export function hasAppliedFunding(ledger: Ledger, venue: string, symbol: string, fundingId: string): boolean {
  return marginPositionOf(ledger, venue, symbol)?.fundingIds.includes(fundingId) ?? false;
}

export interface MarginFunding {
  readonly venue: string;
  readonly symbol: string;
  readonly currency: string;
  /** Positive: received; negative: paid. */
  readonly amount: DecimalString;
  readonly fundingId: string;
}

/**
 * A funding payment: the wallet moves by it; an open isolated position's margin takes it too (a payment out
 * takes at most the margin there is), as the venue books it. A payment whose id was already applied leaves
 * the ledger as it is (the same object). A symbol the ledger has no position for gets one (flat) to remember the id.
 */
export function applyFunding(ledger: Ledger, funding: MarginFunding): Ledger {
  if (hasAppliedFunding(ledger, funding.venue, funding.symbol, funding.fundingId)) return ledger;
  const amount = decimal(funding.amount);
  const existing = marginPositionOf(ledger, funding.venue, funding.symbol) ?? newMarginPosition(funding.currency, '1');
  if (existing.currency !== funding.currency) throw new MarginLedgerError(`funding ${funding.fundingId} on ${funding.symbol}: paid in ${funding.currency}, but the position is in ${existing.currency}`);
  let margin = decimal(existing.margin);
  let marginChange = ZERO;
  if (existing.marginMode === 'isolated' && existing.direction !== 'flat') {
    marginChange = amount.gt(ZERO) ? amount : amount.neg().lt(margin) ? amount : margin.neg();
    margin = margin.plus(marginChange);
  }
  const next: MarginPosition = Object.assign({}, existing, { margin: canonical(margin), funding: decimal(existing.funding).plus(amount).toFixed(), fundingIds: remember(existing.fundingIds, funding.fundingId) });
  const changes = new Map([[funding.currency, { total: amount, reserved: marginChange }]]);
  return withChanges(ledger, changes, ledger.reservations, withPosition(ledger.margin, funding.venue, funding.symbol, next));
}

export interface MarginLiquidation {
  /** The venue's trade id of the liquidation. */
  readonly tradeId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly currency: string;
  /** The closing side. */
  readonly side: OrderSide;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
  readonly feeCurrency: string;
}

/**
 * The venue closed the position at its liquidation price and fee: booked as a closing fill of at most the
 * quantity held (a liquidation never opens anything). When the ledger holds nothing to close on that side it
 * can only book the fee: `quantity` in the outcome says what was closed. A trade id already applied leaves the
 * ledger as it is (the same object, quantity '0').
 */
export function applyLiquidation(ledger: Ledger, liquidation: MarginLiquidation): MarginFillOutcome & { readonly quantity: DecimalString } {
  if (hasAppliedLiquidation(ledger, liquidation.venue, liquidation.symbol, liquidation.tradeId)) return { ledger, realizedPnl: '0', closed: false, quantity: '0' };
  const booked = bookLiquidation(ledger, liquidation);
  const position = marginPositionOf(booked.ledger, liquidation.venue, liquidation.symbol) ?? newMarginPosition(liquidation.currency, '1');
  const next: MarginPosition = Object.assign({}, position, { liquidationIds: remember(position.liquidationIds ?? [], liquidation.tradeId) });
  return { ...booked, ledger: withChanges(booked.ledger, new Map(), booked.ledger.reservations, withPosition(booked.ledger.margin, liquidation.venue, liquidation.symbol, next)) };
}

/** True when a liquidation with this trade id was already applied to the symbol's position. */
export function hasAppliedLiquidation(ledger: Ledger, venue: string, symbol: string, tradeId: string): boolean {
  return marginPositionOf(ledger, venue, symbol)?.liquidationIds?.includes(tradeId) ?? false;
}

/** The list with `id` added last, the oldest dropped beyond FUNDING_IDS_KEPT. */
function remember(ids: readonly string[], id: string): string[] {
  const kept = ids.length >= FUNDING_IDS_KEPT ? ids.slice(ids.length - FUNDING_IDS_KEPT + 1) : ids.slice();
  kept.push(id);
  return kept;
}

function bookLiquidation(ledger: Ledger, liquidation: MarginLiquidation): MarginFillOutcome & { readonly quantity: DecimalString } {
  const position = marginPositionOf(ledger, liquidation.venue, liquidation.symbol);
  const held = signedMarginQuantity(position);
  const closes = liquidation.side === 'buy' ? held.lt(ZERO) : held.gt(ZERO);
  const wanted = decimal(liquidation.quantity);
  const quantity = closes ? (wanted.gt(held.abs()) ? held.abs() : wanted) : ZERO;
  if (quantity.eq(ZERO)) {
    const fee = decimal(liquidation.fee);
    const changes = new Map(fee.eq(ZERO) ? [] : [[liquidation.feeCurrency, { total: fee.neg(), reserved: ZERO }]]);
    return { ledger: withChanges(ledger, changes, ledger.reservations), realizedPnl: '0', closed: false, quantity: '0' };
  }
  const outcome = applyMarginFill(ledger, {
    venue: liquidation.venue,
    symbol: liquidation.symbol,
    currency: liquidation.currency,
    side: liquidation.side,
    quantity: quantity.toFixed(),
    price: liquidation.price,
    fee: liquidation.fee,
    feeCurrency: liquidation.feeCurrency,
    leverage: position!.leverage,
  });
  return { ...outcome, quantity: quantity.toFixed() };
}

/**
 * Keeps the venue's latest view of a position (liquidation price, mark, leverage); its margin mode becomes the
 * position's (it decides how funding moves margin and what backs a cross position).
 */
export function recordReportedPosition(ledger: Ledger, venue: string, symbol: string, currency: string, reported: ReportedMarginPosition): Ledger {
  const existing = marginPositionOf(ledger, venue, symbol) ?? newMarginPosition(currency, reported.leverage ?? '1');
  const next: MarginPosition = Object.assign({}, existing, { marginMode: reported.marginMode ?? existing.marginMode, reported });
  return withChanges(ledger, new Map(), ledger.reservations, withPosition(ledger.margin, venue, symbol, next));
}

/** The mark of a symbol, when one is known. */
export type MarkOf = (venue: string, symbol: string) => Decimal | undefined;

/** Sum of the open positions' unrealized PnL in `currency` at their marks (a position without a mark counts 0). */
export function marginUnrealizedPnl(ledger: Ledger, currency: string, markOf: MarkOf): Decimal {
  let sum = ZERO;
  for (const { venue, symbol, position } of marginPositions(ledger)) {
    if (position.currency !== currency || position.direction === 'flat') continue;
    const mark = markOf(venue, symbol);
    if (mark !== undefined) sum = sum.plus(unrealizedProfit(position.direction, decimal(position.quantity), decimal(position.entryCost), mark));
  }
  return sum;
}

/**
 * Margin a new order may still take in `currency`: the free balance (total − order reservations − position
 * margins) less the unrealized losses of cross positions, which eat the cross wallet; unrealized profit is not
 * lent against. The paper venue's rule (PerpetualAccount.available).
 */
export function availableMargin(ledger: Ledger, currency: string, markOf: MarkOf): Decimal {
  let losses = ZERO;
  for (const { venue, symbol, position } of marginPositions(ledger)) {
    if (position.currency !== currency || position.marginMode !== 'cross' || position.direction === 'flat') continue;
    const mark = markOf(venue, symbol);
    if (mark === undefined) continue;
    const profit = unrealizedProfit(position.direction, decimal(position.quantity), decimal(position.entryCost), mark);
    if (profit.lt(ZERO)) losses = losses.plus(profit);
  }
  const balance = ledger.balances[currency];
  const free = balance === undefined ? ZERO : decimal(balance.total).minus(balance.reserved);
  return free.plus(losses);
}

/** Sum of the margins positions hold in `currency` (part of its reserved). */
export function positionMargin(ledger: Ledger, currency: string): Decimal {
  let sum = ZERO;
  for (const { position } of marginPositions(ledger)) if (position.currency === currency) sum = sum.plus(position.margin);
  return sum;
}

function canonical(value: Decimal): DecimalString {
  return value.eq(ZERO) ? '0' : value.toFixed();
}
