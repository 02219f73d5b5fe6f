// Instrument: what can be traded at a venue and the grid (tick, lot, minimums) its orders must fit.
import { decimal, isMultipleOf, roundToStep, type Decimal, type DecimalString, type Rounding } from './decimal.ts';

/** Spot: buying and selling the base itself. Perpetual: a linear futures contract settled in quote, traded on margin. */
export type InstrumentKind = 'spot' | 'perpetual';

export interface InstrumentSpec {
  symbol: string;
  /** Default 'spot'. */
  kind?: InstrumentKind;
  base: string;
  quote: string;
  tickSize: DecimalString;
  lotSize: DecimalString;
  minQuantity: DecimalString;
  minNotional: DecimalString;
  /** Fee rate charged to resting (maker) fills, e.g. "0.001" for 0.1 %. */
  makerFee: DecimalString;
  /** Fee rate charged to aggressing (taker) fills. */
  takerFee: DecimalString;
  /**
   * Perpetuals: the leverage the engine assumes for margin when a position request does not give one (it
   * must be the venue's setting for the symbol); default 1. At least 1.
   */
  leverage?: DecimalString;
}

/** An instrument with its numbers parsed once, so hot paths never re-parse them. */
export interface Instrument {
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  readonly minQuantity: Decimal;
  readonly minNotional: Decimal;
  readonly makerFee: Decimal;
  readonly takerFee: Decimal;
  readonly spec: InstrumentSpec;
}

export function createInstrument(spec: InstrumentSpec): Instrument {
  const instrument: Instrument = {
    symbol: spec.symbol,
    kind: spec.kind ?? 'spot',
    base: spec.base,
    quote: spec.quote,
    tickSize: decimal(spec.tickSize),
    lotSize: decimal(spec.lotSize),
    minQuantity: decimal(spec.minQuantity),
    minNotional: decimal(spec.minNotional),
    makerFee: decimal(spec.makerFee),
    takerFee: decimal(spec.takerFee),
    spec: { ...spec },
  };
  if (instrument.kind !== 'spot' && instrument.kind !== 'perpetual') throw new Error(`${spec.symbol}: kind must be "spot" or "perpetual", got ${JSON.stringify(spec.kind)}`);
  if (!instrument.tickSize.gt('0')) throw new Error(`${spec.symbol}: tick size must be positive, got ${spec.tickSize}`);
  if (!instrument.lotSize.gt('0')) throw new Error(`${spec.symbol}: lot size must be positive, got ${spec.lotSize}`);
  if (spec.leverage !== undefined) {
    if (instrument.kind !== 'perpetual') throw new Error(`${spec.symbol}: leverage applies to perpetuals only, and this instrument is ${instrument.kind}`);
    if (!decimal(spec.leverage).gte('1')) throw new Error(`${spec.symbol}: leverage must be at least 1, got ${spec.leverage}`);
  }
  return instrument;
}

export function roundPriceToTick(instrument: Instrument, price: Decimal, rounding: Rounding = 'nearest'): Decimal {
  return roundToStep(price, instrument.tickSize, rounding);
}

/** Quantities round down by default: rounding up would trade more than was asked for. */
export function roundQuantityToLot(instrument: Instrument, quantity: Decimal, rounding: Rounding = 'down'): Decimal {
  return roundToStep(quantity, instrument.lotSize, rounding);
}

export function isOnTick(instrument: Instrument, price: Decimal): boolean {
  return isMultipleOf(price, instrument.tickSize);
}

export function isOnLot(instrument: Instrument, quantity: Decimal): boolean {
  return isMultipleOf(quantity, instrument.lotSize);
}
