// Shared test fixture for the paper venue: an instrument, tick builders and a venue wired to a simulated clock.
import { decimal, toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import { createInstrument, type Instrument } from '../../src/domain/instrument.ts';
import type { QuoteTick, TradeTick } from '../../src/domain/market-data.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { PaperVenue, type PaperVenueOptions } from '../../adapters/paper/index.ts';
import type { Balance, ExecutionReport, VenueOrder } from '../../adapters/venue.ts';

export const START = Date.UTC(2026, 0, 1);

/** Fees chosen so maker and taker differ visibly: 0.1 % and 0.2 %. */
export const BTC_USD: Instrument = createInstrument({
  symbol: 'BTC-USD',
  base: 'BTC',
  quote: 'USD',
  tickSize: '0.01',
  lotSize: '0.001',
  minQuantity: '0.001',
  minNotional: '0',
  makerFee: '0.001',
  takerFee: '0.002',
});

type Level = readonly [price: DecimalString, quantity: DecimalString];

export function quote(timestamp: number, bids: readonly Level[], asks: readonly Level[], symbol = BTC_USD.symbol): QuoteTick {
  const levels = (side: readonly Level[]) => side.map(([price, quantity]) => ({ price: decimal(price), quantity: decimal(quantity) }));
  return { type: 'quote', symbol, timestamp, bids: levels(bids), asks: levels(asks) };
}

export function trade(timestamp: number, price: DecimalString, quantity: DecimalString, aggressor: 'buy' | 'sell', symbol = BTC_USD.symbol): TradeTick {
  return { type: 'trade', symbol, timestamp, price: decimal(price), quantity: decimal(quantity), aggressor };
}

export function order(fields: Partial<VenueOrder> & Pick<VenueOrder, 'clientOrderId' | 'side' | 'quantity'>): VenueOrder {
  const type = fields.type ?? (fields.price !== undefined ? 'limit' : 'market');
  return {
    symbol: BTC_USD.symbol,
    type,
    timeInForce: type === 'market' ? 'IOC' : 'GTC',
    postOnly: false,
    reduceOnly: false,
    ...fields,
  };
}

export interface PaperSetup {
  readonly clock: SimulatedClock;
  readonly venue: PaperVenue;
  /** Every report delivered so far, in delivery order. */
  readonly reports: ExecutionReport[];
  /** Delivery time of each report, same index as `reports`. */
  readonly deliveredAt: number[];
  /** Fires everything due now (order arrivals and reports with zero latency). */
  flush(): void;
  reportsFor(clientOrderId: string): ExecutionReport[];
  fills(clientOrderId: string): Extract<ExecutionReport, { type: 'filled' }>[];
  balance(currency: string): Promise<Balance>;
}

export function paperSetup(options: Partial<Omit<PaperVenueOptions, 'clock'>> = {}): PaperSetup {
  const clock = new SimulatedClock(START);
  const venue = new PaperVenue({ clock, instruments: [BTC_USD], balances: { USD: '10000', BTC: '10' }, ...options });
  const reports: ExecutionReport[] = [];
  const deliveredAt: number[] = [];
  venue.onExecutionReport((report) => {
    reports.push(report);
    deliveredAt.push(clock.now());
  });
  return {
    clock,
    venue,
    reports,
    deliveredAt,
    flush: () => clock.advanceBy(0),
    reportsFor: (clientOrderId) => reports.filter((report) => report.clientOrderId === clientOrderId),
    fills: (clientOrderId) =>
      reports.filter((report): report is Extract<ExecutionReport, { type: 'filled' }> => report.type === 'filled' && report.clientOrderId === clientOrderId),
    balance: async (currency) => {
      const found = (await venue.balances()).find((balance) => balance.currency === currency);
      return found ?? { currency, total: '0', reserved: '0' };
    },
  };
}

/** A price `ticks` ticks above zero and a size of `lots` lots of BTC_USD, for property tests on integers. */
export const priceOfTicks = (ticks: number): string => toDecimalString(BTC_USD.tickSize.times(decimal(ticks)));
export const sizeOfLots = (lots: number): string => toDecimalString(BTC_USD.lotSize.times(decimal(lots)));

/** A market step of a property test: a book of levels around a best bid, or a trade. */
export type MarketStep =
  | { readonly kind: 'quote'; readonly bestBid: number; readonly spread: number; readonly bids: readonly number[]; readonly asks: readonly number[] }
  | { readonly kind: 'trade'; readonly price: number; readonly lots: number; readonly aggressor: 'buy' | 'sell' };

/** Feeds one market step to the venue at `now`. */
export function feedMarketStep(venue: PaperVenue, now: number, step: MarketStep): void {
  if (step.kind === 'trade') {
    venue.onMarketData(trade(now, priceOfTicks(step.price), sizeOfLots(step.lots), step.aggressor));
    return;
  }
  venue.onMarketData(
    quote(
      now,
      step.bids.map((quantity, level) => [priceOfTicks(step.bestBid - level), sizeOfLots(quantity)] as const),
      step.asks.map((quantity, level) => [priceOfTicks(step.bestBid + step.spread + level), sizeOfLots(quantity)] as const),
    ),
  );
}

/** What the fills alone say the balances are (BTC and USD from their start) and how much each order filled. */
export function totalsFromFills(
  fills: readonly Extract<ExecutionReport, { type: 'filled' }>[],
  sides: ReadonlyMap<string, 'buy' | 'sell'>,
  start: { readonly BTC: string; readonly USD: string },
): { base: Decimal; cash: Decimal; filledPerOrder: Map<string, Decimal> } {
  let base = decimal(start.BTC);
  let cash = decimal(start.USD);
  const filledPerOrder = new Map<string, Decimal>();
  for (const fill of fills) {
    const quantity = decimal(fill.quantity);
    const notional = quantity.times(fill.price);
    if (sides.get(fill.clientOrderId) === 'buy') {
      base = base.plus(quantity);
      cash = cash.minus(notional).minus(fill.fee);
    } else {
      base = base.minus(quantity);
      cash = cash.plus(notional).minus(fill.fee);
    }
    filledPerOrder.set(fill.clientOrderId, (filledPerOrder.get(fill.clientOrderId) ?? decimal('0')).plus(quantity));
  }
  return { base, cash, filledPerOrder };
}

/** True when every balance holds 0 <= reserved <= total. */
export function reservationsWithinTotals(balances: readonly Balance[]): boolean {
  return balances.every((balance) => decimal(balance.reserved).gte('0') && decimal(balance.reserved).lte(balance.total));
}
