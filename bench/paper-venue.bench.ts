// Bench: market ticks/s replayed through the PaperVenue with 1,000 resting orders, beside a bare quote-and-compare loop;
// ticks/s on a perpetual with an open position and funding, beside the same on spot; bytes the saved state writes
// per turn, incrementally, beside writing the whole state.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decimal, toDecimalString, type Decimal } from '../src/domain/decimal.ts';
import { createInstrument, type Instrument } from '../src/domain/instrument.ts';
import type { MarketData, QuoteTick } from '../src/domain/market-data.ts';
import { SimulatedClock } from '../src/domain/clock.ts';
import { PaperVenue } from '../adapters/paper/index.ts';
import { createSyntheticMarket } from '../adapters/market-data/synthetic.ts';
import { isAtLeast, isAtMost } from '../adapters/paper/compare.ts';
import { PaperStateFile } from '../adapters/paper/paper-state-file.ts';
import { opsPerSecond, type BenchRow } from './harness.ts';

const TICKS = 200_000;
const RESTING_ORDERS = 1_000;
const GOAL = 1_000_000;

const instrument = createInstrument({
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

/** Lowest bid and highest ask the pre-generated ticks ever show, so resting orders can sit beyond them. */
function priceRange(ticks: readonly MarketData[]): { lowest: Decimal; highest: Decimal } {
  let lowest: Decimal | undefined;
  let highest: Decimal | undefined;
  for (const tick of ticks) {
    const prices = tick.type === 'quote' ? [tick.bids.at(-1)!.price, tick.asks.at(-1)!.price] : tick.type === 'trade' ? [tick.price] : [];
    for (const price of prices) {
      if (lowest === undefined || price.lt(lowest)) lowest = price;
      if (highest === undefined || price.gt(highest)) highest = price;
    }
  }
  return { lowest: lowest!, highest: highest! };
}

const perpetual = createInstrument({ ...instrument.spec, kind: 'perpetual', quote: 'USD' });

/** A venue holding 500 resting buys below and 500 resting sells above everything the ticks will touch. */
function venueWithRestingOrders(ticks: readonly MarketData[], traded: Instrument = instrument, clock = new SimulatedClock(0)): PaperVenue {
  const venue = new PaperVenue({
    clock,
    instruments: [traded],
    balances: { USD: '1000000000', BTC: '1000000' },
    // Funding every simulated second, so a 200,000-tick run (1 ms apart) pays it 200 times.
    ...(traded.kind === 'perpetual' ? { perpetuals: { [traded.symbol]: { leverage: '2', marginMode: 'isolated' as const, fundingIntervalMs: 1_000 } } } : {}),
  });
  const { lowest, highest } = priceRange(ticks);
  for (let index = 0; index < RESTING_ORDERS / 2; index++) {
    const offset = instrument.tickSize.times(decimal(index + 1));
    const common = { symbol: instrument.symbol, type: 'limit', quantity: '1', timeInForce: 'GTC', postOnly: false, reduceOnly: false } as const;
    venue.submit({ ...common, clientOrderId: `b${index}`, side: 'buy', price: toDecimalString(lowest.minus(offset)) });
    venue.submit({ ...common, clientOrderId: `s${index}`, side: 'sell', price: toDecimalString(highest.plus(offset)) });
  }
  clock.advanceBy(0);
  return venue;
}

/** Replays the ticks on a clock that moves 1 ms per tick, so funding timers fire as they would in a backtest. */
function replayOnClock(venue: PaperVenue, clock: SimulatedClock, ticks: readonly MarketData[]) {
  return (iterations: number) => {
    for (let index = 0; index < iterations; index++) {
      clock.advanceBy(1);
      venue.onMarketData(ticks[index % TICKS]!);
    }
  };
}

/** Ticks/s on a perpetual holding an open isolated position (checked against maintenance every tick) and funding, beside spot. */
async function perpetualTicks(ticks: readonly MarketData[]): Promise<BenchRow> {
  const perpetualTicks = ticks.map((tick) => ({ ...tick, symbol: perpetual.symbol }));
  const spotClock = new SimulatedClock(0);
  const spot = venueWithRestingOrders(ticks, instrument, spotClock);
  const perpetualClock = new SimulatedClock(0);
  const futures = venueWithRestingOrders(perpetualTicks, perpetual, perpetualClock);
  let fundings = 0;
  futures.onAccountReport((report) => {
    if (report.type === 'funding') fundings++;
  });
  futures.onMarketData(perpetualTicks.find((tick) => tick.type === 'quote')!);
  futures.submit({ clientOrderId: 'position', symbol: perpetual.symbol, side: 'buy', type: 'market', quantity: '1', timeInForce: 'IOC', postOnly: false, reduceOnly: false });
  perpetualClock.advanceBy(0);
  if (futures.position(perpetual.symbol)?.direction !== 'long') throw new Error('the perpetual position did not open');
  const spotTicksPerSecond = opsPerSecond(TICKS * 2, replayOnClock(spot, spotClock, ticks), 3);
  const perpetualTicksPerSecond = opsPerSecond(TICKS * 2, replayOnClock(futures, perpetualClock, perpetualTicks), 3);
  perpetualClock.advanceBy(0);
  if (fundings === 0) throw new Error('no funding was paid during the perpetual run');
  if (futures.position(perpetual.symbol)?.direction !== 'long') throw new Error('the perpetual position was liquidated: the bench must keep it open');
  return {
    name: `market ticks/s through PaperVenue on a perpetual with an open isolated position (maintenance checked per tick, funding each simulated second: ${fundings} payments), ${RESTING_ORDERS} resting orders`,
    value: Math.round(perpetualTicksPerSecond),
    unit: 'ticks/s',
    baselineName: 'the same ticks and clock on spot, same resting orders',
    baselineValue: Math.round(spotTicksPerSecond),
    goal: '>= 50% of spot',
    met: perpetualTicksPerSecond >= spotTicksPerSecond * 0.5,
  };
}

const FINISHED_ORDERS = 10_000;
const WORKING_ORDERS = 1_000;
const TURNS = 200;

/**
 * Bytes the saved state writes per turn (one market order placed and filled, one working order's queue moved)
 * with 10,000 finished and 1,000 working orders: appended change records, beside the whole state each turn.
 */
function savedStateBytes(): BenchRow {
  const clock = new SimulatedClock(0);
  const venue = new PaperVenue({ clock, instruments: [instrument], balances: { USD: '1000000000', BTC: '1000000' }, retainFinishedOrders: FINISHED_ORDERS });
  const book = (bidSize: string) => venue.onMarketData({ type: 'quote', symbol: instrument.symbol, timestamp: clock.now(), bids: [{ price: decimal('100'), quantity: decimal(bidSize) }], asks: [{ price: decimal('101'), quantity: decimal('1000000') }] });
  book('1000000');
  const common = { symbol: instrument.symbol, timeInForce: 'GTC', postOnly: false, reduceOnly: false } as const;
  // One working order queues at the bid; the others rest below the displayed depth, where no quote moves them.
  for (let index = 0; index < WORKING_ORDERS; index++) {
    const price = index === 0 ? '100' : toDecimalString(decimal('99').minus(instrument.tickSize.times(decimal(index))));
    venue.submit({ ...common, clientOrderId: `working-${index}`, side: 'buy', type: 'limit', quantity: '1', price });
  }
  for (let index = 0; index < FINISHED_ORDERS; index++) venue.submit({ ...common, clientOrderId: `finished-${index}`, side: 'buy', type: 'market', timeInForce: 'IOC', quantity: '0.001' });
  clock.advanceBy(0);
  // In memory where the machine offers it: the figure is bytes, and fsync on a shared disk would only add waiting.
  const folder = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'paper-state-bench-'));
  try {
    const { file } = PaperStateFile.open(join(folder, 'paper-venue.json'));
    const snapshotBytes = file.save(venue);
    let appended = 0;
    let whole = 0;
    let wholeSamples = 0;
    for (let turn = 0; turn < TURNS; turn++) {
      venue.submit({ ...common, clientOrderId: `turn-${turn}`, side: 'buy', type: 'market', timeInForce: 'IOC', quantity: '0.001' });
      clock.advanceBy(0);
      // Cancels ahead of the working orders: the first one's queue shrinks (a change no report announces).
      book(String(1_000_000 - turn - 1));
      // The whole state hardly changes size from turn to turn: measured every 20th turn, it costs 5 MB of JSON each time.
      if (turn % 20 === 0) {
        whole += Buffer.byteLength(JSON.stringify(venue.exportState()));
        wholeSamples++;
      }
      appended += file.save(venue);
    }
    file.close();
    const perTurn = appended / TURNS;
    // A compaction rewrites the snapshot once the log outgrows it, i.e. every snapshot / record turns: it
    // doubles the amortized figure. Reported that way rather than waiting thousands of fsync'd turns for one.
    const amortized = perTurn + perTurn;
    const wholePerTurn = whole / wholeSamples;
    return {
      name: `bytes written per turn by the saved state (${FINISHED_ORDERS} finished + ${WORKING_ORDERS} working orders; one fill and one queue move per turn; amortized with compaction, appended ${Math.round(perTurn)} B/turn, snapshot ${snapshotBytes} B)`,
      value: Math.round(amortized),
      unit: 'B/turn',
      baselineName: 'the whole state written each turn',
      baselineValue: Math.round(wholePerTurn),
      goal: '<= 1% of the whole state',
      met: amortized <= wholePerTurn / 100,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The baseline: keep the latest quote and compare its best bid and ask with two fixed prices. */
function minimalLoop(lowerTrigger: Decimal, upperTrigger: Decimal): { onMarketData(tick: MarketData): void; hits: number } {
  let latest: QuoteTick | undefined;
  const loop = {
    hits: 0,
    onMarketData(tick: MarketData): void {
      if (tick.type !== 'quote') return;
      latest = tick;
      // The same allocation-free comparison the venue uses, so the gap measured is the venue's own work.
      if (isAtMost(latest.bids[0]!.price, lowerTrigger)) loop.hits++;
      if (isAtLeast(latest.asks[0]!.price, upperTrigger)) loop.hits++;
    },
  };
  return loop;
}

export async function run(): Promise<BenchRow[]> {
  const market = createSyntheticMarket({ instrument, seed: 42, startPrice: '50000', startTime: 0, intervalMs: 1, levels: 10, tradeShare: 0.3 });
  const ticks = market.take(TICKS);
  const venue = venueWithRestingOrders(ticks);
  const open = await venue.openOrders();
  if (open.length !== RESTING_ORDERS) throw new Error(`expected ${RESTING_ORDERS} resting orders, got ${open.length}`);
  const { lowest, highest } = priceRange(ticks);
  const baseline = minimalLoop(lowest.minus(decimal(1)), highest.plus(decimal(1)));

  const replayThrough = (sink: { onMarketData(tick: MarketData): void }) => (iterations: number) => {
    for (let index = 0; index < iterations; index++) sink.onMarketData(ticks[index % TICKS]!);
  };
  const baselineTicksPerSecond = opsPerSecond(TICKS * 5, replayThrough(baseline), 5);
  const venueTicksPerSecond = opsPerSecond(TICKS * 5, replayThrough(venue), 5);
  if ((await venue.openOrders()).length !== RESTING_ORDERS) throw new Error('a resting order filled: the bench ticks must not reach them');

  const rows: BenchRow[] = [
    {
      name: `market ticks/s through PaperVenue (${RESTING_ORDERS} resting orders, 10 levels, 30% trades)`,
      value: Math.round(venueTicksPerSecond),
      unit: 'ticks/s',
      baselineName: 'minimal loop: store latest quote, compare best bid/ask with two prices',
      baselineValue: Math.round(baselineTicksPerSecond),
      goal: '>= 1,000,000 ticks/s',
      met: venueTicksPerSecond >= GOAL,
    },
  ];
  rows.push(await perpetualTicks(ticks));
  rows.push(savedStateBytes());
  return rows;
}
