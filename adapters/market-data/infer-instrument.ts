// Instruments inferred from data when the config names none: tick and lot from the most decimals seen.
import { ONE, decimal, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { InstrumentSpec } from '../../src/domain/instrument.ts';
import type { MarketData } from '../../src/domain/market-data.ts';
import type { InferredSymbol } from './symbols.ts';

/** Places after the point in a decimal's shortest form: 93415.07 -> 2, 0.00100000 -> 3, 100 -> 0. */
export function decimalPlaces(value: Decimal): number {
  // big.js keeps digits in `c` and the exponent of the first one in `e`.
  const { c, e } = value as unknown as { c: number[]; e: number };
  return Math.max(0, c.length - 1 - e);
}

/** The most price and quantity decimals seen per symbol, and the first price (for default balances). */
export class DecimalsSeen {
  private readonly seen = new Map<string, { price: number; quantity: number; rows: number; firstPrice: Decimal }>();

  observe(tick: MarketData): void {
    const prices: Decimal[] = [];
    const quantities: Decimal[] = [];
    if (tick.type === 'trade') {
      prices.push(tick.price);
      quantities.push(tick.quantity);
    } else if (tick.type === 'quote') {
      for (const level of [...tick.bids, ...tick.asks]) {
        prices.push(level.price);
        quantities.push(level.quantity);
      }
    } else {
      prices.push(tick.open, tick.high, tick.low, tick.close);
    }
    if (prices.length === 0) return;
    let entry = this.seen.get(tick.symbol);
    if (entry === undefined) this.seen.set(tick.symbol, (entry = { price: 0, quantity: 0, rows: 0, firstPrice: prices[0]! }));
    entry.rows++;
    for (const price of prices) entry.price = Math.max(entry.price, decimalPlaces(price));
    for (const quantity of quantities) entry.quantity = Math.max(entry.quantity, decimalPlaces(quantity));
  }

  symbols(): string[] {
    return [...this.seen.keys()];
  }

  rows(symbol: string): number {
    return this.seen.get(symbol)?.rows ?? 0;
  }

  firstPrice(symbol: string): Decimal | undefined {
    return this.seen.get(symbol)?.firstPrice;
  }

  /** tick = 10^-(price places), lot = 10^-(quantity places); undefined for a symbol never seen. */
  steps(symbol: string): { tickSize: DecimalString; lotSize: DecimalString } | undefined {
    const entry = this.seen.get(symbol);
    if (entry === undefined) return undefined;
    // Bars carry no trade sizes: a lot of 10^-8 fits every exchange's smallest step.
    const quantityPlaces = entry.quantity === 0 && entry.rows > 0 ? 8 : entry.quantity;
    return { tickSize: step(entry.price), lotSize: step(quantityPlaces) };
  }
}

function step(places: number): DecimalString {
  return ONE.div(decimal(10).pow(places)).toFixed();
}

export interface InferredInstrumentDefaults {
  /** Fee rates; default 0.001 (0.1 %) each, Binance spot's base rate. */
  readonly makerFee?: DecimalString;
  readonly takerFee?: DecimalString;
}

/** An instrument spec from a symbol's assets and the steps seen; minimums are one lot and no notional. */
export function inferredInstrumentSpec(asset: InferredSymbol, steps: { tickSize: DecimalString; lotSize: DecimalString }, defaults: InferredInstrumentDefaults = {}): InstrumentSpec {
  return {
    symbol: asset.symbol,
    base: asset.base,
    quote: asset.quote,
    tickSize: steps.tickSize,
    lotSize: steps.lotSize,
    minQuantity: steps.lotSize,
    minNotional: '0',
    makerFee: defaults.makerFee ?? '0.001',
    takerFee: defaults.takerFee ?? '0.001',
  };
}
