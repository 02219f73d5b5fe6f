// The paper venue's margin account for perpetual futures: one net position per symbol with its leverage and
// margin mode, the mark price, funding, and the maintenance check that decides a liquidation.
import { ONE, ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { QuoteTick } from '../../src/domain/market-data.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import { applyPositionFill, flatPosition, positionFromOpening, type NetPosition, type PositionDirection } from '../../src/domain/position-accounting.ts';
import {
  fundingPayment,
  initialMargin,
  isBelowMaintenance,
  liquidationSettlement,
  maintenanceMargin,
  marginLiquidationPrice,
  unrealizedProfit,
  type LiquidationSettlement,
} from '../../src/domain/margin.ts';
import type { VenuePosition } from '../venue.ts';
import type { BalanceLedger } from './balances.ts';
import { compareDecimals } from './compare.ts';

export type MarginMode = 'isolated' | 'cross';
/** Where the mark price comes from: the mid of the best bid and ask, the last trade, or `onMarkPrice` only. */
export type MarkPriceSource = 'mid' | 'last' | 'feed';

/** Per-symbol settings of a perpetual on the paper venue, as configured (decimal strings). */
export interface PerpetualSettings {
  /** Default '1'. At least 1. */
  readonly leverage?: DecimalString;
  /** Default 'cross'. */
  readonly marginMode?: MarginMode;
  /** Maintenance margin as a share of the entry notional; default '0.005'. Below 1 / leverage. */
  readonly maintenanceMarginRate?: DecimalString;
  /** Fee rate of a liquidation's close; default the instrument's taker fee. */
  readonly liquidationFeeRate?: DecimalString;
  /** Default 8 hours: funding at 00:00, 08:00 and 16:00 UTC. */
  readonly fundingIntervalMs?: number;
  /** Rate paid by longs to shorts at each funding time (negative: shorts pay); default '0.0001'. */
  readonly fundingRate?: DecimalString;
  /** Default 'mid'. */
  readonly markPrice?: MarkPriceSource;
}

const TWO = decimal('2');

export const DEFAULT_FUNDING_INTERVAL_MS = 8 * 60 * 60 * 1000;

/** Everything the venue keeps per perpetual symbol. Mutable on purpose (hot path); only this module edits it. */
export interface PerpetualState {
  readonly instrument: Instrument;
  leverage: Decimal;
  marginMode: MarginMode;
  readonly maintenanceMarginRate: Decimal;
  readonly liquidationFeeRate: Decimal;
  readonly fundingIntervalMs: number;
  fundingRate: Decimal;
  readonly markSource: MarkPriceSource;
  /** The position as position-accounting keeps it (decimal strings, cumulative realized PnL and fees). */
  position: NetPosition;
  /** Parsed from `position` for the per-tick check. */
  direction: PositionDirection | 'flat';
  quantity: Decimal;
  entryCost: Decimal;
  /** Held in the ledger for this position: isolated, its margin (funding changes it); cross, its initial margin. */
  margin: Decimal;
  /** The latest mark, or undefined before any; with source 'mid' computed lazily from `markQuote`. */
  mark: Decimal | undefined;
  markQuote: QuoteTick | undefined;
  /** A price beyond which (toward the position's side) the position is certainly safe; undefined: recompute. */
  safeBeyond: Decimal | undefined;
  /** Next funding time (clock milliseconds). */
  nextFundingAt: number;
}

export function createPerpetualState(instrument: Instrument, settings: PerpetualSettings | undefined, now: number): PerpetualState {
  const symbol = instrument.symbol;
  const leverage = parseSetting(symbol, 'leverage', settings?.leverage ?? '1');
  const maintenanceMarginRate = parseSetting(symbol, 'maintenanceMarginRate', settings?.maintenanceMarginRate ?? '0.005');
  const liquidationFeeRate = settings?.liquidationFeeRate === undefined ? instrument.takerFee : parseSetting(symbol, 'liquidationFeeRate', settings.liquidationFeeRate);
  const fundingRate = parseSetting(symbol, 'fundingRate', settings?.fundingRate ?? '0.0001');
  const fundingIntervalMs = settings?.fundingIntervalMs ?? DEFAULT_FUNDING_INTERVAL_MS;
  const marginMode = settings?.marginMode ?? 'cross';
  const markSource = settings?.markPrice ?? 'mid';
  if (marginMode !== 'isolated' && marginMode !== 'cross') throw new Error(`${symbol}: marginMode must be "isolated" or "cross", got ${JSON.stringify(marginMode)}`);
  if (markSource !== 'mid' && markSource !== 'last' && markSource !== 'feed') throw new Error(`${symbol}: markPrice must be "mid", "last" or "feed", got ${JSON.stringify(markSource)}`);
  checkLeverage(symbol, leverage, maintenanceMarginRate);
  if (liquidationFeeRate.lt(ZERO) || !liquidationFeeRate.lt(ONE)) throw new Error(`${symbol}: liquidationFeeRate must be at least 0 and below 1, got ${toDecimalString(liquidationFeeRate)}`);
  if (!Number.isSafeInteger(fundingIntervalMs) || fundingIntervalMs <= 0) throw new Error(`${symbol}: fundingIntervalMs must be a positive whole number, got ${fundingIntervalMs}`);
  return {
    instrument,
    leverage,
    marginMode,
    maintenanceMarginRate,
    liquidationFeeRate,
    fundingIntervalMs,
    fundingRate,
    markSource,
    position: flatPosition(),
    direction: 'flat',
    quantity: ZERO,
    entryCost: ZERO,
    margin: ZERO,
    mark: undefined,
    markQuote: undefined,
    safeBeyond: undefined,
    nextFundingAt: (Math.floor(now / fundingIntervalMs) + 1) * fundingIntervalMs,
  };
}

function parseSetting(symbol: string, name: string, text: DecimalString): Decimal {
  try {
    return decimal(text);
  } catch {
    throw new Error(`${symbol}: ${name} must be a decimal number, got ${JSON.stringify(text)}`);
  }
}

/** Leverage at least 1, and a maintenance rate below the initial margin rate (else a new position is liquidated at once). */
export function checkLeverage(symbol: string, leverage: Decimal, maintenanceMarginRate: Decimal): void {
  if (leverage.lt(ONE)) throw new Error(`${symbol}: leverage must be at least 1, got ${toDecimalString(leverage)}`);
  if (maintenanceMarginRate.lt(ZERO) || !maintenanceMarginRate.lt(ONE.div(leverage))) {
    throw new Error(`${symbol}: maintenanceMarginRate ${toDecimalString(maintenanceMarginRate)} must be at least 0 and below 1 / leverage (${toDecimalString(ONE.div(leverage))})`);
  }
}

/** The mark now: the latest one, the quote's mid (computed once per quote), or the entry price before any market data. */
export function markOf(state: PerpetualState): Decimal | undefined {
  if (state.mark !== undefined) return state.mark;
  const quote = state.markQuote;
  const bid = quote?.bids[0];
  const ask = quote?.asks[0];
  if (bid !== undefined && ask !== undefined) state.mark = bid.price.plus(ask.price).div(TWO);
  else if (bid !== undefined || ask !== undefined) state.mark = (bid ?? ask)!.price;
  return state.mark;
}

/** The mark, falling back to the average entry price (funding and views before any market data). */
export function markOrEntry(state: PerpetualState): Decimal | undefined {
  return markOf(state) ?? (state.position.averageEntryPrice === undefined ? undefined : decimal(state.position.averageEntryPrice));
}

/** What one fill did to a perpetual position, for the venue's reports. */
export interface PerpetualFillOutcome {
  readonly realizedPnl: Decimal;
  readonly closedPosition: boolean;
}

/**
 * The margin account of one venue: positions per symbol and their effect on the venue's ledger. Wallet
 * balance = the ledger's total in the settlement (quote) currency; it moves by realized PnL, fees and funding.
 * Reserved = margins held by positions and orders.
 */
export class PerpetualAccount {
  readonly states = new Map<string, PerpetualState>();

  constructor(private readonly ledger: BalanceLedger) {}

  add(state: PerpetualState): void {
    this.states.set(state.instrument.symbol, state);
  }

  get(symbol: string): PerpetualState | undefined {
    return this.states.get(symbol);
  }

  /**
   * Margin an order may still take, in `currency`: free balance, less unrealized losses of cross positions
   * (they eat the cross wallet). Unrealized profit is not lent against.
   */
  available(currency: string): Decimal {
    let losses = ZERO;
    for (const state of this.states.values()) {
      if (state.marginMode !== 'cross' || state.direction === 'flat' || state.instrument.quote !== currency) continue;
      const mark = markOf(state);
      if (mark === undefined) continue;
      const profit = unrealizedProfit(state.direction, state.quantity, state.entryCost, mark);
      if (profit.lt(ZERO)) losses = losses.plus(profit);
    }
    return this.ledger.free(currency).plus(losses);
  }

  /**
   * Books one fill of an order on a perpetual: realized PnL and the fee move the wallet, the closed share of
   * the position's margin is released, the opened part's initial margin is held (the order's reservation for
   * it was released just before by the caller).
   */
  applyFill(state: PerpetualState, side: OrderSide, quantity: Decimal, price: Decimal, fee: Decimal): PerpetualFillOutcome {
    const currency = state.instrument.quote;
    const held = state.quantity;
    const result = applyPositionFill(state.position, { side, quantity: toDecimalString(quantity), price: toDecimalString(price), fee: toDecimalString(fee) });
    let realized = ZERO;
    if (result.closing !== undefined) {
      realized = decimal(result.closing.realizedPnl);
      const closed = decimal(result.closing.quantity);
      const release = result.closed ? state.margin : state.margin.times(closed).div(held);
      this.releaseMargin(state, release);
    }
    let position = result.position;
    if (result.flipped) position = positionFromOpening(side === 'buy' ? 'long' : 'short', result.opening!);
    // Cumulative realized PnL and fees stay with the symbol across flips.
    if (result.flipped) position = { ...position, realizedPnl: result.position.realizedPnl, fees: decimal(result.position.fees).plus(result.opening!.fee).toFixed(), openedQuantity: decimal(result.position.openedQuantity).plus(result.opening!.quantity).toFixed(), closedQuantity: result.position.closedQuantity };
    this.setPosition(state, position);
    if (result.opening !== undefined) this.holdMargin(state, initialMargin(decimal(result.opening.quantity).times(decimal(result.opening.price)), state.leverage));
    this.ledger.change(currency, realized.minus(fee));
    this.accountChanged(currency);
    return { realizedPnl: realized, closedPosition: result.closed && !result.flipped };
  }

  /** Funding at a funding time: the payment moves the wallet (and an isolated position's margin). Undefined when flat or no mark. */
  payFunding(state: PerpetualState): { readonly amount: Decimal; readonly mark: Decimal } | undefined {
    if (state.direction === 'flat') return undefined;
    const mark = markOrEntry(state);
    if (mark === undefined) return undefined;
    const amount = fundingPayment(state.direction, state.quantity, mark, state.fundingRate);
    const currency = state.instrument.quote;
    this.ledger.change(currency, amount);
    if (state.marginMode === 'isolated') {
      if (amount.gt(ZERO)) this.holdMargin(state, amount);
      else this.releaseMargin(state, amount.neg().lt(state.margin) ? amount.neg() : state.margin);
    }
    this.accountChanged(currency);
    return { amount, mark };
  }

  /** The positions whose margin no longer covers maintenance at the current marks (a cross breach: all cross positions of that currency). */
  breached(state: PerpetualState): PerpetualState[] {
    if (state.direction === 'flat') return [];
    if (state.marginMode === 'isolated') {
      const mark = markOf(state);
      if (mark === undefined) return [];
      return isBelowMaintenance({ direction: state.direction, quantity: state.quantity, entryCost: state.entryCost, margin: state.margin, maintenanceMarginRate: state.maintenanceMarginRate, mark }) ? [state] : [];
    }
    const currency = state.instrument.quote;
    const cross = this.crossPositions(currency);
    let equity = this.crossWallet(currency);
    let maintenance = ZERO;
    for (const position of cross) {
      const mark = markOrEntry(position)!;
      equity = equity.plus(unrealizedProfit(position.direction as PositionDirection, position.quantity, position.entryCost, mark));
      maintenance = maintenance.plus(maintenanceMargin(position.entryCost, position.maintenanceMarginRate));
    }
    return equity.lte(maintenance) ? cross : [];
  }

  /**
   * The per-tick filter: false when the mark is certainly beyond the liquidation price on the safe side,
   * decided with two comparisons and no allocation in the common case. True means: run `breached`.
   */
  mayBeBreached(state: PerpetualState, first: Decimal, second: Decimal): boolean {
    if (state.safeBeyond === undefined) {
      // Several cross positions move each other's liquidation price: no per-symbol filter, check exactly.
      if (state.marginMode === 'cross' && this.crossCount(state.instrument.quote) > 1) return true;
      state.safeBeyond = this.liquidationPrice(state)!.conservative;
    }
    // The mark lies between the two prices given (a quote's best bid and ask; a trade's price twice).
    const safe = state.safeBeyond;
    return state.direction === 'long'
      ? compareDecimals(first, safe) <= 0 || compareDecimals(second, safe) <= 0
      : compareDecimals(first, safe) >= 0 || compareDecimals(second, safe) >= 0;
  }

  /** The liquidation price now (cross: other marks held), or undefined when flat. */
  liquidationPrice(state: PerpetualState): { price: Decimal; conservative: Decimal } | undefined {
    if (state.direction === 'flat') return undefined;
    let margin = state.margin;
    if (state.marginMode === 'cross') {
      const currency = state.instrument.quote;
      margin = this.crossWallet(currency);
      for (const other of this.crossPositions(currency)) {
        if (other === state) continue;
        margin = margin.plus(unrealizedProfit(other.direction as PositionDirection, other.quantity, other.entryCost, markOrEntry(other)!)).minus(maintenanceMargin(other.entryCost, other.maintenanceMarginRate));
      }
    }
    return marginLiquidationPrice({ direction: state.direction, quantity: state.quantity, entryCost: state.entryCost, margin, maintenanceMarginRate: state.maintenanceMarginRate });
  }

  /** Closes the whole position at its liquidation settlement; returns the trade (side is the closing side). */
  liquidate(state: PerpetualState): { readonly side: OrderSide; readonly quantity: Decimal; readonly settlement: LiquidationSettlement } {
    const direction = state.direction as PositionDirection;
    const quantity = state.quantity;
    const settlement = liquidationSettlement({
      direction,
      quantity,
      entryCost: state.entryCost,
      isolatedMargin: state.marginMode === 'isolated' ? state.margin : undefined,
      mark: markOrEntry(state)!,
      feeRate: state.liquidationFeeRate,
    });
    const side: OrderSide = direction === 'long' ? 'sell' : 'buy';
    this.applyFill(state, side, quantity, settlement.price, settlement.fee);
    return { side, quantity, settlement };
  }

  /** The venue's view of one position. */
  view(state: PerpetualState): VenuePosition {
    const mark = markOrEntry(state);
    const base = { symbol: state.instrument.symbol, leverage: toDecimalString(state.leverage), marginMode: state.marginMode };
    if (state.direction === 'flat') return { ...base, direction: 'flat', quantity: '0', ...(mark !== undefined ? { markPrice: toDecimalString(mark) } : {}) };
    const liquidation = this.liquidationPrice(state)!.price;
    return {
      ...base,
      direction: state.direction,
      quantity: state.position.quantity,
      entryPrice: state.position.averageEntryPrice,
      ...(mark !== undefined ? { markPrice: toDecimalString(mark), unrealizedPnl: toDecimalString(unrealizedProfit(state.direction, state.quantity, state.entryCost, mark)) } : {}),
      liquidationPrice: toDecimalString(liquidation.gt(ZERO) ? liquidation : ZERO),
    };
  }

  /** Sets the position as a saved state has it (the ledger is restored separately, margins included). */
  restorePosition(state: PerpetualState, position: NetPosition, margin: Decimal): void {
    this.setPosition(state, position);
    state.margin = margin;
  }

  /** Something moved the wallet or a position: every cached liquidation filter of the currency is stale. */
  accountChanged(currency: string): void {
    for (const state of this.states.values()) if (state.instrument.quote === currency) state.safeBeyond = undefined;
  }

  private setPosition(state: PerpetualState, position: NetPosition): void {
    state.position = position;
    state.direction = position.direction;
    state.quantity = decimal(position.quantity);
    state.entryCost = decimal(position.entryCost);
  }

  private holdMargin(state: PerpetualState, amount: Decimal): void {
    this.ledger.hold(state.instrument.quote, amount);
    state.margin = state.margin.plus(amount);
  }

  private releaseMargin(state: PerpetualState, amount: Decimal): void {
    this.ledger.release(state.instrument.quote, amount);
    state.margin = state.margin.minus(amount);
  }

  /** Wallet balance less the margins isolated positions hold: what backs cross positions. */
  private crossWallet(currency: string): Decimal {
    let wallet = this.ledger.total(currency);
    for (const state of this.states.values()) {
      if (state.marginMode === 'isolated' && state.instrument.quote === currency) wallet = wallet.minus(state.margin);
    }
    return wallet;
  }

  private crossPositions(currency: string): PerpetualState[] {
    const positions: PerpetualState[] = [];
    for (const state of this.states.values()) {
      if (state.marginMode === 'cross' && state.direction !== 'flat' && state.instrument.quote === currency) positions.push(state);
    }
    return positions;
  }

  private crossCount(currency: string): number {
    let count = 0;
    for (const state of this.states.values()) if (state.marginMode === 'cross' && state.direction !== 'flat' && state.instrument.quote === currency) count++;
    return count;
  }
}
