// What a run leaves for its report, gathered as it goes with bounded memory: equity and prices sampled on
// simulated time, fills, stops and take-profits over time, and every order's execution record.
import { ExecutionTracker } from '../analytics/execution-tracker.ts';
import type { DecimalString } from '../domain/decimal.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { Engine } from '../engine/engine.ts';

export interface SamplePoint {
  readonly time: number;
  readonly equity: DecimalString;
  /** Last price per symbol at that time (absent before the first). */
  readonly prices: Readonly<Record<string, DecimalString>>;
}

export interface FillMark {
  readonly time: number;
  readonly symbol: string;
  readonly orderId: string;
  readonly side: 'buy' | 'sell';
  readonly orderType: string;
  readonly price: DecimalString;
  readonly quantity: DecimalString;
  readonly fee: DecimalString;
  readonly liquidity: 'maker' | 'taker';
}

export interface LevelMark {
  readonly time: number;
  readonly symbol: string;
  readonly positionId: string;
  readonly price: DecimalString;
}

export interface RecorderOptions {
  readonly engine: Engine;
  /** The currency equity is measured in. */
  readonly quote: string;
  readonly symbols: readonly string[];
  /** Sampling period of simulated time; doubled whenever the points exceed maxPoints. */
  readonly sampleEveryMs: number;
  readonly maxPoints: number;
  /** Fills, stops and take-profits kept for the charts at most (the trades table has every trade). */
  readonly maxMarks?: number;
}

interface OrderInfo {
  readonly orderType: string;
  readonly side: 'buy' | 'sell';
  readonly forPosition: boolean;
}

/**
 * A sample as kept during the run. A run may sample 100 symbols thousands of times, and a string per price
 * costs about four times its characters: the prices are one string, in the order of the symbols, separated by
 * PRICE_SEPARATOR (empty before a symbol's first price).
 */
interface CompactSample {
  readonly time: number;
  readonly equity: DecimalString;
  readonly prices: string;
}

const PRICE_SEPARATOR = ',';

export class RunRecorder {
  private readonly samples: CompactSample[] = [];
  readonly fills: FillMark[] = [];
  readonly stops: LevelMark[] = [];
  readonly takeProfits: LevelMark[] = [];
  /** Marks left out once the limit was reached. */
  droppedMarks = 0;
  readonly execution: ExecutionTracker;
  readonly orders = new Map<string, OrderInfo>();
  private readonly orderKinds = new Map<string, OrderInfo>();
  private sampleEveryMs: number;
  private nextSampleAt = -Infinity;
  private readonly maxMarks: number;

  constructor(private readonly options: RecorderOptions) {
    this.sampleEveryMs = options.sampleEveryMs;
    this.maxMarks = options.maxMarks ?? 20_000;
    // The same arrival price the engine's own tracker takes: its last market price when an order is sent.
    this.execution = new ExecutionTracker((symbol, venue) => options.engine.marketPrice(symbol, venue)?.toFixed());
  }

  get samplingPeriodMs(): number {
    return this.sampleEveryMs;
  }

  /** The samples with each price under its symbol, for the report. */
  points(): SamplePoint[] {
    const symbols = this.options.symbols;
    return this.samples.map((sample) => {
      const prices: Record<string, DecimalString> = {};
      sample.prices.split(PRICE_SEPARATOR).forEach((price, index) => {
        if (price !== '') prices[symbols[index]!] = price;
      });
      return { time: sample.time, equity: sample.equity, prices };
    });
  }

  observe(event: DomainEvent): void {
    this.execution.observe(event);
    switch (event.type) {
      case 'OrderInitialized':
        this.orders.set(event.orderId, this.orderInfo(event.orderType, event.side, event.parentId !== undefined));
        return;
      case 'OrderFilled': {
        const order = this.orders.get(event.orderId);
        this.mark(this.fills, {
          time: event.timestamp, symbol: event.symbol, orderId: event.orderId, side: order?.side ?? 'buy', orderType: order?.orderType ?? 'unknown',
          price: event.fillPrice, quantity: event.fillQuantity, fee: event.fee, liquidity: event.liquidity,
        });
        return;
      }
      case 'PositionOpened':
        if (event.stopPrice !== undefined) this.mark(this.stops, { time: event.timestamp, symbol: event.symbol, positionId: event.positionId, price: event.stopPrice });
        for (const price of event.takeProfitPrices) this.mark(this.takeProfits, { time: event.timestamp, symbol: event.symbol, positionId: event.positionId, price });
        return;
      case 'PositionChanged':
        if (event.stopPrice !== undefined && event.change !== 'size') this.mark(this.stops, { time: event.timestamp, symbol: event.symbol, positionId: event.positionId, price: event.stopPrice });
        return;
      default:
        return;
    }
  }

  /** Called after each tick: takes a sample when simulated time has reached the next one. */
  afterTick(now: number): void {
    if (now < this.nextSampleAt) return;
    this.sample(now);
    this.nextSampleAt = (Math.floor(now / this.sampleEveryMs) + 1) * this.sampleEveryMs;
  }

  /** The last sample, at the end of the run. */
  finish(now: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last === undefined || last.time < now) this.sample(now);
  }

  private sample(now: number): void {
    const equity = this.options.engine.account(this.options.quote).equity;
    // Equity is unknown until every balance has a price.
    if (equity === undefined) return;
    const prices = this.options.symbols.map((symbol) => this.options.engine.marketPrice(symbol)?.toFixed() ?? '').join(PRICE_SEPARATOR);
    this.samples.push({ time: now, equity, prices });
    if (this.samples.length > this.options.maxPoints) this.thin();
  }

  /** Keeps every other point (the first and the last always), and samples half as often from now on. */
  private thin(): void {
    const last = this.samples[this.samples.length - 1]!;
    const kept = this.samples.filter((_, index) => index % 2 === 0);
    if (kept[kept.length - 1] !== last) kept.push(last);
    this.samples.splice(0, this.samples.length, ...kept);
    this.sampleEveryMs *= 2;
  }

  /** One shared object per kind of order: a run keeps an entry for every order it sent. */
  private orderInfo(orderType: string, side: 'buy' | 'sell', forPosition: boolean): OrderInfo {
    const key = `${orderType} ${side} ${forPosition}`;
    let info = this.orderKinds.get(key);
    if (info === undefined) {
      info = { orderType, side, forPosition };
      this.orderKinds.set(key, info);
    }
    return info;
  }

  private mark<T>(list: T[], mark: T): void {
    if (list.length >= this.maxMarks) this.droppedMarks++;
    else list.push(mark);
  }
}
