// CcxtVenue: the Venue contract over a ccxt (pro) exchange, driven by the venue-connection statechart.
// Reports come from the user data stream (watchOrders for states, watchMyTrades for fills), deduplicated by
// tradeId; after every reconnect, and on a timer while the stream is quiet, REST backfill fetches what the
// stream may have missed, and a stream found to have missed something is redialled with backoff. Writes are
// never retried blindly: an unknown outcome stays in flight until the exchange, asked by clientOrderId or
// through the stream, says what happened. Exchange differences live in an ExchangeProfile (profile.ts).
import type { Exchange } from 'ccxt';
import { pino, type Logger } from 'pino';
import type { Actor } from 'xstate';
import { venueConnectionMachine, type VenueConnectionStateName } from '../../machines/venue-connection.ts';
import { SystemClock, type Clock } from '../../src/domain/clock.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { MarketDataListener } from '../../src/domain/market-data.ts';
import type {
  AccountReportListener,
  Balance,
  ExecutionReport,
  ExecutionReportListener,
  OrderAmendment,
  Venue,
  VenueCapabilities,
  VenueFill,
  VenueLinkStatus,
  VenueOrder,
  VenueOrderList,
  VenueOrderStatus,
  VenuePosition,
} from '../venue.ts';
import { OrderKeeper } from './order-book-keeper.ts';
import type { ExchangeProfile } from './profile.ts';
import { ExchangeRest } from './exchange-rest.ts';
import { AccountReporter } from './account-reports.ts';
import { OrderWrites, type VenueCore } from './order-writes.ts';
import { OrderListWrites } from './order-list-writes.ts';
import { UserStream } from './user-stream.ts';
import { loadInstruments } from './instrument-loader.ts';
import { readOpenOrders, readOrderFills, readOrderStatus, runBackfill } from './exchange-reads.ts';
import { admitAmendment, admitOrder, type Admission } from './order-admission.ts';
import type { CcxtVenueOptions } from './ccxt-venue-options.ts';

export type { CcxtVenueOptions } from './ccxt-venue-options.ts';
import { watchMarketTrades } from './market-trades.ts';
import { CcxtVenueError } from './errors.ts';
import { applySymbolSettings, setSymbolLeverage, setSymbolMarginMode } from './symbol-settings.ts';
import { VenueLink } from '../websocket-venue/venue-link.ts';

type LinkListener = (status: VenueLinkStatus) => void;

export class CcxtVenue implements Venue {
  readonly id: string;
  readonly exchange: Exchange;
  private readonly profile: ExchangeProfile;
  private readonly options: CcxtVenueOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly rest: ExchangeRest;
  private readonly keeper: OrderKeeper;
  private readonly recvWindowMs: number;
  private readonly quietBackfillMs: number;
  private readonly resolveDelayMs: number;

  private instrumentList: Instrument[] = [];
  private instrumentBySymbol = new Map<string, Instrument>();
  /** Markets and instruments are loaded once, at the first connect. */
  private marketsLoaded = false;
  private capabilityList: VenueCapabilities | undefined;
  private backfilling: Promise<number> | undefined;
  private readonly queuedCancels = new Set<string>();
  private readonly reportListeners = new Set<ExecutionReportListener>();
  private readonly linkListeners = new Set<LinkListener>();
  private readonly account: AccountReporter;
  private readonly writes: OrderWrites;
  private readonly lists: OrderListWrites;
  private readonly link: VenueLink;
  private readonly stream: UserStream;
  private readonly core: VenueCore;

  constructor(options: CcxtVenueOptions) {
    if (!options.id) throw new CcxtVenueError('a ccxt venue needs an id');
    if (!options.apiKey || !options.secret) throw new CcxtVenueError(`venue ${options.id}: the API key and secret are required (from the environment)`);
    this.id = options.id;
    this.options = options;
    this.profile = options.profile;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? pino({ level: 'warn', base: { component: 'ccxt-venue', venue: options.id } }, pino.destination({ fd: 2, sync: true }));
    this.recvWindowMs = options.recvWindowMs ?? 5_000;
    this.quietBackfillMs = options.quietBackfillMs ?? 15_000;
    this.resolveDelayMs = options.resolveDelayMs ?? 500;
    this.keeper = new OrderKeeper(this.id, () => this.clock.now());
    this.exchange = this.profile.createExchange({ apiKey: options.apiKey, secret: options.secret, testnet: options.testnet ?? false, urls: options.urls, recvWindowMs: this.recvWindowMs });
    this.exchange.streaming = { ...(this.exchange.streaming as object), keepAlive: options.keepAliveMs ?? 10_000 };
    this.rest = new ExchangeRest({ exchange: this.exchange, profile: this.profile, clock: this.clock, logger: this.logger, venueId: this.id, ...(options.weightLimitPerMinute !== undefined ? { weightLimitPerMinute: options.weightLimitPerMinute } : {}), symbols: () => this.instrumentList.map((instrument) => instrument.symbol) });

    this.account = new AccountReporter({ venueId: this.id, exchange: this.exchange, profile: this.profile, rest: this.rest, clock: this.clock, logger: this.logger, positions: () => this.positions() });

    const venue = this;
    const writesCore: VenueCore = {
      id: this.id, exchange: this.exchange, profile: this.profile, rest: this.rest, keeper: this.keeper, clock: this.clock, logger: this.logger, recvWindowMs: this.recvWindowMs, resolveDelayMs: this.resolveDelayMs,
      instrument: (symbol) => venue.instrumentBySymbol.get(symbol),
      deliver: (report) => venue.deliver(report),
      cancel: (clientOrderId) => venue.cancel(clientOrderId),
      queryOrder: (clientOrderId) => venue.queryOrder(clientOrderId),
      exchangeIdOf: (clientOrderId) => venue.exchangeIdOf(clientOrderId),
    };
    this.core = writesCore;
    this.writes = new OrderWrites(writesCore);
    this.lists = new OrderListWrites(writesCore, this.writes);
    this.writes.listCancel = (order) => this.lists.cancel(order);
    this.link = new VenueLink({
      venueId: this.id,
      clock: this.clock,
      logger: this.logger,
      input: { maxReconnectAttempts: options.maxReconnectAttempts, initialRetryDelayMs: options.initialRetryDelayMs, maxRetryDelayMs: options.maxRetryDelayMs },
      effects: { openSocket: () => void this.stream.open(), closeSocket: () => this.stream.retire(), sendHello: () => void this.stream.resync() },
      downError: (message) => new CcxtVenueError(message),
    });
    this.link.onChange((state, context) => this.onStateChange(state, context.lastError));
    this.stream = new UserStream({
      core: writesCore,
      link: this.link,
      account: this.account,
      writes: this.writes,
      urls: options.urls,
      quietBackfillMs: this.quietBackfillMs,
      marketsLoaded: () => this.marketsLoaded,
      loadInstruments: () => this.loadInstruments(),
      backfill: () => this.backfill(),
      runBackfill: () => runBackfill(writesCore, this.writes, (symbol) => this.instrumentBySymbol.has(symbol)),
    });
  }

  // ----- Venue contract -----

  get capabilities(): VenueCapabilities {
    if (this.capabilityList === undefined) throw new CcxtVenueError(`venue ${this.id}: capabilities are known once connect() has resolved`);
    return this.capabilityList;
  }

  instruments(): readonly Instrument[] {
    if (!this.marketsLoaded) throw new CcxtVenueError(`venue ${this.id}: instruments are known once connect() has resolved`);
    return this.instrumentList;
  }

  /** Resolves when the link is live (markets loaded, user stream open, backfill done); rejects when it ends `down`. */
  connect(): Promise<void> {
    return this.link.connect();
  }

  async disconnect(): Promise<void> {
    this.link.disconnect();
    this.account.stop();
    this.writes.stop();
    this.stream.stopQuietTimer();
    await this.exchange.close().catch(() => {});
  }

  submit(order: VenueOrder): void {
    const refuse = (reason: string) => this.deliver({ venue: this.id, clientOrderId: order.clientOrderId, timestamp: this.clock.now(), type: 'rejected', reason });
    if (this.options.dryRun === true) return refuse(`dry run: venue ${this.id} does not send orders`);
    if (this.link.state !== 'live') return refuse(this.notLiveReason());
    const admitted = admitOrder(this.admission(), order);
    if ('refusal' in admitted) return refuse(admitted.refusal);
    const tracked = this.keeper.track({
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      exchangeClientOrderId: admitted.exchangeClientOrderId,
      inFlight: true,
      sentAt: this.clock.now(),
      quantity: order.quantity,
      ...(order.price !== undefined ? { price: order.price } : {}),
      ...(order.stopPrice !== undefined ? { stopPrice: order.stopPrice } : {}),
      heldApart: this.profile.heldApart?.(order.type) === true,
    });
    void this.writes.sendSubmit(tracked, order);
  }

  orderListRefusal(list: VenueOrderList): string | undefined {
    return this.lists.refusal(list, this.admission());
  }

  /** Every leg in one request; a cancel of any leg cancels the list (see OrderListWrites). */
  submitList(list: VenueOrderList): void {
    const unsent = this.options.dryRun === true ? `dry run: venue ${this.id} does not send orders` : this.link.state !== 'live' ? this.notLiveReason() : undefined;
    this.lists.submit(list, this.admission(), unsent);
  }

  amend(clientOrderId: string, amendment: OrderAmendment): void {
    const refuse = (reason: string) => this.deliver({ venue: this.id, clientOrderId, timestamp: this.clock.now(), type: 'amendRejected', reason });
    if (this.options.dryRun === true) return refuse(`dry run: venue ${this.id} does not send orders`);
    if (this.link.state !== 'live') return refuse(this.notLiveReason());
    const order = this.keeper.get(clientOrderId);
    if (order === undefined || order.terminal !== undefined) return refuse(`order ${clientOrderId} is not working at ${this.id}`);
    if (order.inFlight || order.venueOrderId === undefined) return refuse(`order ${clientOrderId} is not yet acknowledged by ${this.id}`);
    const amended = admitAmendment(this.admission(), order, amendment);
    if ('refusal' in amended) return refuse(amended.refusal);
    const { quantity, price } = amended;
    void (this.profile.amendStyle === 'native' ? this.writes.amendInPlace(order, quantity, price) : this.writes.cancelReplace(order, quantity, price));
  }

  private admission(): Admission {
    return { venueId: this.id, exchange: this.exchange, profile: this.profile, capabilities: this.capabilities, instrument: (symbol) => this.instrumentBySymbol.get(symbol), keeper: this.keeper };
  }

  cancel(clientOrderId: string): void {
    if (this.options.dryRun === true) {
      this.deliver({ venue: this.id, clientOrderId, timestamp: this.clock.now(), type: 'cancelRejected', reason: `dry run: venue ${this.id} does not send orders` });
      return;
    }
    const order = this.keeper.get(clientOrderId);
    if (order !== undefined && order.inFlight) {
      // Its submit's outcome is unknown: the cancel goes once the exchange says it has the order.
      order.cancelWanted = true;
      return;
    }
    if (this.link.state !== 'live') {
      this.queuedCancels.add(clientOrderId);
      return;
    }
    void this.writes.sendCancel(clientOrderId);
  }

  queryOrder(clientOrderId: string): Promise<VenueOrderStatus | undefined> {
    return readOrderStatus(this.core, clientOrderId);
  }

  openOrders(): Promise<readonly VenueOrderStatus[]> {
    return readOpenOrders(this.core, (symbol) => this.instrumentBySymbol.has(symbol));
  }

  orderFills(clientOrderId: string): Promise<readonly VenueFill[]> {
    return readOrderFills(this.core, clientOrderId);
  }

  async balances(): Promise<readonly Balance[]> {
    const balance = await this.rest.call('fetchBalance', 'read', () => this.exchange.fetchBalance());
    return this.profile.balancesFromRaw((balance as { info: unknown }).info);
  }

  async positions(): Promise<readonly VenuePosition[]> {
    if (this.profile.market !== 'future') return [];
    const rows = await this.rest.call('fetchPositions', 'read', () => this.exchange.fetchPositions());
    const bySymbol = new Map(this.instrumentList.map((instrument) => [this.rest.marketId(instrument.symbol), instrument.symbol]));
    return this.profile
      .positionsFromRaw((rows as Array<{ info: unknown }>).map((row) => row.info))
      .map((position) => ({ ...position, symbol: bySymbol.get(position.symbol) ?? position.symbol }));
  }

  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void {
    return watchMarketTrades(this.core, symbols.filter((symbol) => this.instrumentBySymbol.has(symbol)), listener);
  }

  onExecutionReport(listener: ExecutionReportListener): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  onAccountReport(listener: AccountReportListener): () => void {
    return this.account.onReport(listener);
  }

  linkStatus(): VenueLinkStatus {
    const lastError = this.link.context.lastError;
    return { state: this.link.state, ...(lastError !== undefined ? { lastError } : {}) };
  }

  onLinkStatus(listener: LinkListener): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  // ----- beyond the contract -----

  /** The connection statechart's actor, for inspectors and tests. */
  get connection(): Actor<typeof venueConnectionMachine> {
    return this.link.actor;
  }

  /** The link's state by name (the daemon's /metrics reads it as each venue's connection state). */
  connectionState(): VenueConnectionStateName {
    return this.link.state;
  }

  /** Orders sent whose outcome the exchange has not yet told. */
  inFlightCount(): number {
    return this.keeper.working().filter((order) => order.inFlight).length;
  }

  /** Sets leverage for one symbol (futures). */
  setLeverage(symbol: string, leverage: number): Promise<void> {
    return setSymbolLeverage(this.rest, symbol, leverage);
  }

  /** Sets isolated or cross margin for one symbol (futures); already set is not an error. */
  setMarginMode(symbol: string, mode: 'isolated' | 'cross'): Promise<void> {
    return setSymbolMarginMode(this.rest, symbol, mode);
  }

  /** Runs the REST backfill now; resolves with the number of reports the stream had not delivered. */
  backfill(): Promise<number> {
    this.backfilling ??= runBackfill(this.core, this.writes, (symbol) => this.instrumentBySymbol.has(symbol)).finally(() => {
      this.backfilling = undefined;
    });
    return this.backfilling;
  }

  /** Funding payments since the last ones seen (futures), as account reports; resolves with how many were new. */
  pollFunding(): Promise<number> {
    return this.account.pollFunding();
  }

  // ----- the link -----

  private async loadInstruments(): Promise<void> {
    const loaded = await loadInstruments({
      venueId: this.id,
      exchange: this.exchange,
      profile: this.profile,
      rest: this.rest,
      ...(this.options.symbols !== undefined ? { symbols: this.options.symbols } : {}),
      where: this.options.urls?.rest ?? 'the exchange',
      ...(this.options.leverage !== undefined ? { leverage: this.options.leverage } : {}),
    });
    if (this.profile.market === 'future' && this.options.dryRun !== true) {
      await applySymbolSettings({ venueId: this.id, rest: this.rest, profile: this.profile, ...(this.options.leverage !== undefined ? { leverage: this.options.leverage } : {}), ...(this.options.marginMode !== undefined ? { marginMode: this.options.marginMode } : {}) });
    }
    this.instrumentList = loaded.instruments;
    this.instrumentBySymbol = new Map(loaded.instruments.map((instrument) => [instrument.symbol, instrument]));
    this.capabilityList = loaded.capabilities;
    this.marketsLoaded = true;
  }

  /** After the link settled connect() waiters: queued cancels go once live; listeners hear every change. */
  private onStateChange(state: VenueConnectionStateName, lastError: string | undefined): void {
    if (state === 'live') {
      for (const clientOrderId of [...this.queuedCancels]) {
        this.queuedCancels.delete(clientOrderId);
        void this.writes.sendCancel(clientOrderId);
      }
      this.stream.armQuietTimer();
    } else if (state === 'reconnecting') {
      this.logger.warn({ lastError }, `venue ${this.id} reconnecting: ${lastError ?? ''}`);
    }
    const status = this.linkStatus();
    for (const listener of this.linkListeners) {
      try {
        listener(status);
      } catch (error) {
        this.logger.error({ err: error }, `venue ${this.id}: a link-status listener threw`);
      }
    }
  }

  private notLiveReason(): string {
    const lastError = this.link.context.lastError;
    return `venue ${this.id} is ${this.link.state}, not live: new orders are refused until it is${lastError ? ` (${lastError})` : ''}`;
  }

  // ----- ids -----

  /** The exchange's id for an engine id this process did not send (a restart), or undefined when it has none. */
  exchangeIdOf(clientOrderId: string): string | undefined {
    const mapped = this.profile.exchangeClientOrderId(clientOrderId);
    return 'id' in mapped ? mapped.id : undefined;
  }

  // ----- delivery -----

  private deliver(report: ExecutionReport): void {
    if (report.type === 'filled') this.account.schedulePositionReport();
    for (const listener of this.reportListeners) {
      try {
        listener(report);
      } catch (error) {
        this.logger.error({ err: error, report }, `venue ${this.id}: an execution report listener threw`);
      }
    }
  }
}
