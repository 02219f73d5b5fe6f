// The account reports of a margin venue (adapters/venue.ts AccountReport): funding payments, the exchange's
// liquidations of our positions, and its view of each position. Funding is read from the income history,
// whose payment id (Binance tranId) is the report's fundingId: a funding message on the user stream, every
// resync after a reconnect and the quiet-time check all ask for the payments since the last one seen, so a
// payment is reported once however many of them notice it. Liquidations come from the stream, and after a
// reconnect from the exchange's list of forced closes, each fill once by its tradeId.
import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../src/domain/clock.ts';
import { decimal, isDecimalText, type DecimalString } from '../../src/domain/decimal.ts';
import type { AccountReport, AccountReportListener, VenuePosition } from '../venue.ts';
import type { ExchangeRest } from './exchange-rest.ts';
import type { ExchangeProfile } from './profile.ts';

/** How many payment and liquidation ids are remembered for deduplication (oldest forgotten first). */
const REMEMBERED_IDS = 10_000;

export interface AccountReporterOptions {
  readonly venueId: string;
  readonly exchange: Exchange;
  readonly profile: ExchangeProfile;
  readonly rest: ExchangeRest;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The exchange's positions now, symbols unified. */
  readonly positions: () => Promise<readonly VenuePosition[]>;
}

export class AccountReporter {
  private readonly listeners = new Set<AccountReportListener>();
  private readonly fundingIds = new RememberedIds(REMEMBERED_IDS);
  private readonly liquidationTradeIds = new RememberedIds(REMEMBERED_IDS);
  private lastFundingTime = 0;
  private positionTimer: TimerHandle | undefined;
  /** Symbols whose last position report was not flat. */
  private held = new Set<string>();
  private polling: Promise<number> | undefined;
  /** The newest forced close seen in the exchange's REST list; undefined until the first look (which only takes note). */
  private lastForcedCloseTime: number | undefined;

  constructor(private readonly options: AccountReporterOptions) {}

  private get margin(): boolean {
    return this.options.profile.market === 'future';
  }

  onReport(listener: AccountReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Funding payments since the last one seen, as reports; resolves with how many were new. One poll at a time. */
  pollFunding(): Promise<number> {
    if (!this.margin) return Promise.resolve(0);
    this.polling ??= this.readFunding().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /**
   * The exchange's forced closes (liquidations, auto-deleverages) since the last look, read from REST after the
   * user stream was down, each fill reported once as a liquidation (deduplicated by tradeId with what the
   * stream delivered). The first look, at connect, only takes note: what happened before this process is
   * not news to it. Resolves with how many fills were new.
   */
  async pollLiquidations(): Promise<number> {
    const { exchange, profile, rest, venueId } = this.options;
    const kinds = profile.liquidationKinds?.() ?? [];
    if (!this.margin || kinds.length === 0 || profile.forcedCloseFromRest === undefined) return 0;
    const baseline = this.lastForcedCloseTime === undefined;
    let newest = this.lastForcedCloseTime ?? 0;
    let fresh = 0;
    for (const params of kinds) {
      const rows = (await rest.call('fetchLiquidations', 'read', () => exchange.fetchMyLiquidations(undefined, baseline ? undefined : this.lastForcedCloseTime, undefined, params))) as Array<{ info: unknown }>;
      for (const row of rows) {
        const forced = profile.forcedCloseFromRest(row.info);
        if (forced === undefined) continue;
        newest = Math.max(newest, forced.time);
        const symbol = rest.symbolOfMarketId(forced.symbol);
        for (const fill of await rest.fetchFills(symbol, forced.venueOrderId)) {
          if (!this.liquidationTradeIds.add(fill.tradeId) || baseline) continue;
          this.deliver({ type: 'liquidation', venue: venueId, symbol, side: forced.side, quantity: fill.quantity, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency, timestamp: fill.timestamp, tradeId: fill.tradeId });
          fresh++;
        }
      }
    }
    this.lastForcedCloseTime = newest;
    if (fresh > 0) this.schedulePositionReport();
    return fresh;
  }

  /** An account message of the user stream (raw): funding paid is read from REST, a position change reported. */
  onAccountMessage(info: unknown): void {
    const change = this.options.profile.accountChangeFromStream(info);
    if (change === undefined) return;
    if (change.fundingPaid) void this.pollFunding().catch((error) => this.options.logger.warn({ err: error }, `venue ${this.options.venueId}: funding history unavailable; read again at the next resync`));
    if (change.positionsChanged || change.fundingPaid) this.schedulePositionReport();
  }

  /** An order message of the user stream for an order that is not ours: reported when it is a liquidation's fill. */
  onForeignOrderMessage(info: unknown): void {
    const report = this.options.profile.liquidationFromStream(info, this.options.venueId);
    if (report === undefined || !this.liquidationTradeIds.add(report.tradeId)) return;
    this.deliver({ ...report, symbol: this.options.rest.symbolOfMarketId(report.symbol) });
    this.schedulePositionReport();
  }

  /** The exchange's positions (with its liquidation prices) as reports, shortly after whatever moved them. */
  schedulePositionReport(): void {
    if (!this.margin || this.positionTimer !== undefined || this.listeners.size === 0) return;
    this.positionTimer = this.options.clock.setTimeout(() => {
      this.positionTimer = undefined;
      void this.options
        .positions()
        .then((positions) => {
          const timestamp = this.options.clock.now();
          // ccxt lists open positions only: one held before and absent now is reported flat.
          const listed = new Set(positions.filter((position) => position.direction !== 'flat').map((position) => position.symbol));
          for (const symbol of this.held) if (!listed.has(symbol)) this.deliver({ type: 'position', venue: this.options.venueId, timestamp, symbol, direction: 'flat', quantity: '0' });
          for (const position of positions) this.deliver({ type: 'position', venue: this.options.venueId, timestamp, ...position });
          this.held = listed;
        })
        .catch((error) => this.options.logger.warn({ err: error }, `venue ${this.options.venueId}: positions unavailable`));
    }, 200);
  }

  stop(): void {
    if (this.positionTimer !== undefined) this.options.clock.clearTimeout(this.positionTimer);
    this.positionTimer = undefined;
  }

  private async readFunding(): Promise<number> {
    const { exchange, profile, rest, venueId } = this.options;
    const rows = (await rest.call('fetchFundingHistory', 'read', () => exchange.fetchFundingHistory(undefined, this.lastFundingTime || undefined))) as Array<{ info: unknown }>;
    let fresh = 0;
    for (const row of rows) {
      const report = profile.fundingFromRaw(row.info, venueId);
      if (report === undefined || !this.fundingIds.add(report.fundingId)) continue;
      this.lastFundingTime = Math.max(this.lastFundingTime, report.timestamp);
      const symbol = rest.symbolOfMarketId(report.symbol);
      this.deliver({ ...report, symbol, rate: (await this.fundingRateAt(symbol, report.timestamp)) ?? report.rate });
      fresh++;
    }
    return fresh;
  }

  /** The funding rate that applied at `time` (income records do not carry it), from the rate history. */
  private async fundingRateAt(symbol: string, time: number): Promise<DecimalString | undefined> {
    try {
      const history = (await this.options.rest.call('fetchFundingHistory', 'read', () => this.options.exchange.fetchFundingRateHistory(symbol, time - 1000, 10))) as Array<{ info: unknown }>;
      const row = history.map((entry) => entry.info as Record<string, unknown>).find((entry) => Number(entry.fundingTime) === time);
      return typeof row?.fundingRate === 'string' && isDecimalText(row.fundingRate) ? decimal(row.fundingRate).toFixed() : undefined;
    } catch (error) {
      this.options.logger.warn({ err: error, symbol }, `venue ${this.options.venueId}: funding rate history unavailable`);
      return undefined;
    }
  }

  private deliver(report: AccountReport): void {
    for (const listener of this.listeners) {
      try {
        listener(report);
      } catch (error) {
        this.options.logger.error({ err: error }, `venue ${this.options.venueId}: an account report listener threw`);
      }
    }
  }
}

/** A bounded set of ids: `add` says whether the id is new. */
class RememberedIds {
  private readonly ids = new Set<string>();

  constructor(private readonly limit: number) {}

  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}
