// The paper venue as a server hosts it: one PaperVenue on wall time fed by a synthetic market, a sequenced
// log of every execution report, submit counts per clientOrderId, and the venue's whole truth on request.
import { createInstrument, type Instrument, type InstrumentSpec } from '../../src/domain/instrument.ts';
import type { DecimalString } from '../../src/domain/decimal.ts';
import type { MarketData, MarketDataListener } from '../../src/domain/market-data.ts';
import { SystemClock, type Clock } from '../../src/domain/clock.ts';
import { createSyntheticMarket } from '../market-data/synthetic.ts';
import { replayInRealTime } from '../market-data/replay.ts';
import { PaperVenue } from '../paper/paper-venue.ts';
import type { ExecutionReport, OrderAmendment, VenueOrder, VenueOrderList, VenueOrderStatus } from '../venue.ts';
import type { SequencedVenueFill, VenueAdminState } from '../websocket-venue/protocol.ts';

export const DEFAULT_INSTRUMENT: InstrumentSpec = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.1',
  lotSize: '0.001',
  minQuantity: '0.001',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.002',
};

export const DEFAULT_BALANCES: Readonly<Record<string, DecimalString>> = { USDT: '100000', BTC: '10' };

export interface SyntheticFeedOptions {
  /** Same seed, same price path (each further instrument uses seed + its index). */
  readonly seed: number;
  /** Where the first instrument's best bid starts; default 50000. Further instruments start there too. */
  readonly startPrice?: DecimalString;
  /** Milliseconds between ticks on wall time; default 100. */
  readonly intervalMs?: number;
}

export interface VenueHostOptions {
  /** Venue id sent to clients and stamped on reports; default 'paper'. */
  readonly id?: string;
  readonly instruments?: readonly InstrumentSpec[];
  readonly balances?: Readonly<Record<string, DecimalString>>;
  /** A synthetic market per instrument on wall time, or false for no feed (ticks come from `publish`). */
  readonly market?: SyntheticFeedOptions | false;
  readonly orderLatencyMs?: number;
  readonly reportLatencyMs?: number;
  readonly nativeStops?: boolean;
  readonly clock?: Clock;
}

export interface SequencedReport {
  readonly sequence: number;
  readonly report: ExecutionReport;
}

export type SequencedReportListener = (entry: SequencedReport) => void;

export class VenueHost {
  readonly venue: PaperVenue;
  readonly instruments: readonly Instrument[];
  readonly clock: Clock;
  private readonly log: SequencedReport[] = [];
  private readonly fills: SequencedVenueFill[] = [];
  private readonly submitCounts = new Map<string, number>();
  private duplicateSubmits = 0;
  private readonly reportListeners = new Set<SequencedReportListener>();
  private readonly marketListeners = new Set<MarketDataListener>();
  private readonly stopFeeds: Array<() => void> = [];
  private readonly orderLatencyMs: number;

  constructor(options: VenueHostOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.orderLatencyMs = options.orderLatencyMs ?? 0;
    this.instruments = (options.instruments ?? [DEFAULT_INSTRUMENT]).map((spec) => createInstrument(spec));
    this.venue = new PaperVenue({
      id: options.id ?? 'paper',
      clock: this.clock,
      instruments: this.instruments,
      balances: options.balances ?? DEFAULT_BALANCES,
      orderLatencyMs: this.orderLatencyMs,
      reportLatencyMs: options.reportLatencyMs ?? 0,
      nativeStops: options.nativeStops ?? false,
    });
    this.venue.onExecutionReport((report) => this.record(report));
    this.venue.subscribeMarketData(
      this.instruments.map((instrument) => instrument.symbol),
      (data) => {
        for (const listener of this.marketListeners) listener(data);
      },
    );
    const market = options.market ?? { seed: 1 };
    if (market !== false) {
      this.instruments.forEach((instrument, index) => {
        const feed = createSyntheticMarket({
          instrument,
          seed: market.seed + index,
          startPrice: market.startPrice ?? '50000',
          startTime: this.clock.now(),
          intervalMs: market.intervalMs ?? 100,
        });
        this.stopFeeds.push(replayInRealTime(feed, this.venue, this.clock, { restamp: true }));
      });
    }
  }

  get lastSequence(): number {
    return this.log.length;
  }

  /** Counts the submit, then hands it to the venue; the venue itself refuses a duplicate clientOrderId. */
  submit(order: VenueOrder): void {
    this.countSubmit(order.clientOrderId);
    this.venue.submit(order);
  }

  /** Counts a submit of each leg, then hands the list to the venue, which holds it whole or rejects it whole. */
  submitList(list: VenueOrderList): void {
    for (const order of list.orders) this.countSubmit(order.clientOrderId);
    this.venue.submitList(list);
  }

  amend(clientOrderId: string, amendment: OrderAmendment): void {
    this.venue.amend(clientOrderId, amendment);
  }

  cancel(clientOrderId: string): void {
    this.venue.cancel(clientOrderId);
  }

  /**
   * The venue's answer for one clientOrderId. A submit this host counted but the venue has not received yet
   * (still travelling, `orderLatencyMs`) is waited for, so "unknown" always means "never submitted here".
   */
  async queryOrder(clientOrderId: string): Promise<VenueOrderStatus | undefined> {
    const status = await this.venue.queryOrder(clientOrderId);
    if (status !== undefined || !this.submitCounts.has(clientOrderId)) return status;
    await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.orderLatencyMs));
    return this.venue.queryOrder(clientOrderId);
  }

  /** Delivers a tick to the venue (and so to subscribers), for hosts without a synthetic feed. */
  publish(tick: MarketData): void {
    this.venue.onMarketData(tick);
  }

  /** Reports with a sequence above `sequence`, oldest first. */
  reportsAfter(sequence: number): readonly SequencedReport[] {
    return this.log.slice(Math.max(0, sequence));
  }

  fillsSince(sequence: number): readonly SequencedVenueFill[] {
    return this.fills.filter((fill) => fill.sequence > sequence);
  }

  onReport(listener: SequencedReportListener): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  onMarketData(listener: MarketDataListener): () => void {
    this.marketListeners.add(listener);
    return () => this.marketListeners.delete(listener);
  }

  async adminState(): Promise<VenueAdminState> {
    const orders: VenueOrderStatus[] = [];
    for (const clientOrderId of this.submitCounts.keys()) {
      const status = await this.queryOrder(clientOrderId);
      if (status !== undefined) orders.push(status);
    }
    return {
      venue: this.venue.id,
      serverTime: this.clock.now(),
      lastSequence: this.lastSequence,
      orders,
      fills: [...this.fills],
      balances: await this.venue.balances(),
      submitCounts: Object.fromEntries(this.submitCounts),
      duplicateSubmits: this.duplicateSubmits,
    };
  }

  stop(): void {
    for (const stop of this.stopFeeds.splice(0)) stop();
  }

  private countSubmit(clientOrderId: string): void {
    const count = (this.submitCounts.get(clientOrderId) ?? 0) + 1;
    this.submitCounts.set(clientOrderId, count);
    if (count > 1) this.duplicateSubmits++;
  }

  private record(report: ExecutionReport): void {
    const entry: SequencedReport = { sequence: this.log.length + 1, report };
    this.log.push(entry);
    if (report.type === 'filled') {
      this.fills.push({
        sequence: entry.sequence,
        clientOrderId: report.clientOrderId,
        tradeId: report.tradeId,
        quantity: report.quantity,
        price: report.price,
        fee: report.fee,
        feeCurrency: report.feeCurrency,
        liquidity: report.liquidity,
        timestamp: report.timestamp,
      });
    }
    for (const listener of this.reportListeners) listener(entry);
  }
}
