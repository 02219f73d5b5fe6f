// CcxtVenue: the Venue contract over a ccxt (pro) exchange, driven by the venue-connection statechart.
// Reports come from the user data stream (watchOrders for states, watchMyTrades for fills), deduplicated by
// tradeId; after every reconnect, and on a timer while the stream is quiet, REST backfill fetches what the
// stream may have missed, and a stream found to have missed something is redialled with backoff. Writes are
// never retried blindly: an unknown outcome stays in flight until the exchange, asked by clientOrderId or
// through the stream, says what happened. Exchange differences live in an ExchangeProfile (profile.ts).
import type { Exchange } from 'ccxt';
import { pino, type Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import { venueConnectionMachine, type VenueConnectionStateName } from '../../machines/venue-connection.ts';
import { SystemClock, type Clock, type TimerHandle } from '../../src/domain/clock.ts';
import { decimal, type DecimalString } from '../../src/domain/decimal.ts';
import { createInstrument, type Instrument } from '../../src/domain/instrument.ts';
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
  VenueOrderStatus,
  VenuePosition,
} from '../venue.ts';
import { OrderKeeper, type TrackedOrder } from './order-book-keeper.ts';
import { precisionIssue } from './precision-guard.ts';
import type { ExchangeProfile, RawFill, RawOrderState, UrlOverride } from './profile.ts';
import { ExchangeRest, NotSent } from './exchange-rest.ts';
import { AccountReporter } from './account-reports.ts';

export interface CcxtVenueOptions {
  /** The venue id orders name. */
  readonly id: string;
  readonly profile: ExchangeProfile;
  /** Credentials (from the environment; never logged). */
  readonly apiKey: string;
  readonly secret: string;
  readonly testnet?: boolean;
  readonly urls?: UrlOverride;
  /** Connects, loads instruments and balances, and refuses every order with the reason. */
  readonly dryRun?: boolean;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Only these symbols are traded (default: every active market with usable filters). */
  readonly symbols?: readonly string[];
  /** Binance recvWindow; also how long an order not found after an unknown outcome may still appear. Default 5000 ms. */
  readonly recvWindowMs?: number;
  /** With no stream message for this long, REST backfill checks the working orders. Default 15000 ms. */
  readonly quietBackfillMs?: number;
  /** ccxt's WebSocket ping interval: no pong for two intervals closes the socket. Default 10000 ms. */
  readonly keepAliveMs?: number;
  /** After an unknown outcome, the first status query comes after this; default 500 ms. */
  readonly resolveDelayMs?: number;
  /** Request weight per minute (default: what the exchange states, else its documented limit). */
  readonly weightLimitPerMinute?: number;
  readonly initialRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly maxReconnectAttempts?: number;
  /** Futures: leverage and margin mode set per symbol at connect. */
  readonly leverage?: Readonly<Record<string, number>>;
  readonly marginMode?: Readonly<Record<string, 'isolated' | 'cross'>>;
}

export class CcxtVenueError extends Error {
  override readonly name = 'CcxtVenueError';
}

/** The exchange could not be reached at all (connection refused, DNS, timeout) while loading its markets. */
class UnreachableError extends Error {}

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
  private readonly actor: Actor<typeof venueConnectionMachine>;
  private readonly recvWindowMs: number;
  private readonly quietBackfillMs: number;
  private readonly resolveDelayMs: number;

  private instrumentList: Instrument[] = [];
  private instrumentBySymbol = new Map<string, Instrument>();
  /** Markets and instruments are loaded once, at the first connect. */
  private marketsLoaded = false;
  private capabilityList: VenueCapabilities | undefined;
  private currentState: VenueConnectionStateName = 'down';
  /** Bumped whenever the user stream is retired, so late results of its loops are ignored. */
  private generation = 0;
  private retryTimer: TimerHandle | undefined;
  private quietTimer: TimerHandle | undefined;
  private lastStreamMessageAt = 0;
  private backfilling: Promise<number> | undefined;
  private readonly queuedCancels = new Set<string>();
  /** Orders we asked to cancel: their cancel is reported as the client's, not the exchange's. */
  private readonly cancelRequested = new Set<string>();
  private readonly resolveTimers = new Map<string, TimerHandle>();
  private readonly reportListeners = new Set<ExecutionReportListener>();
  private readonly linkListeners = new Set<LinkListener>();
  private connectWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly account: AccountReporter;
  private disconnecting = false;

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

    const logic = venueConnectionMachine.provide({
      actions: {
        openSocket: () => void this.openLink(),
        closeSocket: () => void this.retireStream(),
        sendHello: () => void this.resync(),
        scheduleRetry: (_, { at }) => {
          this.retryTimer = this.clock.setTimeout(() => {
            this.retryTimer = undefined;
            this.actor.send({ type: 'retry.due' });
          }, at - this.clock.now());
        },
        cancelRetry: () => {
          if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
          this.retryTimer = undefined;
        },
      },
    });
    this.actor = createActor(logic, {
      input: { maxReconnectAttempts: options.maxReconnectAttempts, initialRetryDelayMs: options.initialRetryDelayMs, maxRetryDelayMs: options.maxRetryDelayMs },
    });
    this.actor.subscribe((snapshot) => this.onStateChange(snapshot.value as VenueConnectionStateName, snapshot.context.lastError));
    this.actor.start();
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
    if (this.currentState === 'live') return Promise.resolve();
    const settled = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.currentState === 'down' || this.currentState === 'reconnecting') this.actor.send({ type: 'connect' });
    return settled;
  }

  async disconnect(): Promise<void> {
    this.disconnecting = true;
    this.actor.send({ type: 'disconnect' });
    this.disconnecting = false;
    this.account.stop();
    for (const timer of this.resolveTimers.values()) this.clock.clearTimeout(timer);
    this.resolveTimers.clear();
    this.stopQuietTimer();
    await this.exchange.close().catch(() => {});
  }

  submit(order: VenueOrder): void {
    const refuse = (reason: string) => this.deliver({ venue: this.id, clientOrderId: order.clientOrderId, timestamp: this.clock.now(), type: 'rejected', reason });
    if (this.options.dryRun === true) return refuse(`dry run: venue ${this.id} does not send orders`);
    if (this.currentState !== 'live') return refuse(this.notLiveReason());
    const instrument = this.instrumentBySymbol.get(order.symbol);
    if (instrument === undefined) return refuse(`venue ${this.id} has no instrument ${order.symbol}`);
    const exchangeId = this.profile.exchangeClientOrderId(order.clientOrderId);
    if ('issue' in exchangeId) return refuse(exchangeId.issue);
    const precision = precisionIssue(this.exchange, instrument, order);
    if (precision !== undefined) return refuse(`refused before sending: ${precision}`);
    if (!this.capabilities.orderTypes.includes(order.type)) return refuse(`venue ${this.id} does not hold ${order.type} orders (the engine emulates them)`);
    if (order.reduceOnly && !this.capabilities.reduceOnly) return refuse(`venue ${this.id} does not support reduce-only orders`);
    const known = this.keeper.get(order.clientOrderId);
    if (known !== undefined) return refuse(`clientOrderId ${order.clientOrderId} was already sent to ${this.id}; not sent twice`);
    const tracked = this.keeper.track({
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      exchangeClientOrderId: exchangeId.id,
      inFlight: true,
      sentAt: this.clock.now(),
      quantity: order.quantity,
      ...(order.price !== undefined ? { price: order.price } : {}),
    });
    void this.sendSubmit(tracked, order);
  }

  amend(clientOrderId: string, amendment: OrderAmendment): void {
    const refuse = (reason: string) => this.deliver({ venue: this.id, clientOrderId, timestamp: this.clock.now(), type: 'amendRejected', reason });
    if (this.options.dryRun === true) return refuse(`dry run: venue ${this.id} does not send orders`);
    if (this.currentState !== 'live') return refuse(this.notLiveReason());
    const order = this.keeper.get(clientOrderId);
    if (order === undefined || order.terminal !== undefined) return refuse(`order ${clientOrderId} is not working at ${this.id}`);
    if (order.inFlight || order.venueOrderId === undefined) return refuse(`order ${clientOrderId} is not yet acknowledged by ${this.id}`);
    const instrument = this.instrumentBySymbol.get(order.symbol)!;
    const quantity = amendment.quantity ?? order.quantity;
    const price = amendment.price ?? order.price;
    if (amendment.stopPrice !== undefined) return refuse(`venue ${this.id} holds no stop prices to amend`);
    const issue = precisionIssue(this.exchange, instrument, { clientOrderId, symbol: order.symbol, side: order.side, type: order.type, quantity, ...(price !== undefined ? { price } : {}), timeInForce: 'GTC', postOnly: false, reduceOnly: false });
    if (issue !== undefined) return refuse(`refused before sending: ${issue}`);
    if (!decimal(quantity).gt(decimal(order.filledQuantity))) return refuse(`quantity ${quantity} is not above the ${order.filledQuantity} already filled`);
    void (this.profile.amendStyle === 'native' ? this.amendInPlace(order, quantity, price) : this.cancelReplace(order, quantity, price));
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
    if (this.currentState !== 'live') {
      this.queuedCancels.add(clientOrderId);
      return;
    }
    void this.sendCancel(clientOrderId);
  }

  async queryOrder(clientOrderId: string): Promise<VenueOrderStatus | undefined> {
    const order = this.keeper.get(clientOrderId);
    const exchangeId = order?.exchangeClientOrderId ?? this.exchangeIdOf(clientOrderId);
    if (exchangeId === undefined) return undefined;
    const state = await this.rest.fetchOrderState(exchangeId, order?.symbol);
    if (state === undefined) return undefined;
    if (order === undefined && this.keeper.isWorking(state.status)) this.adopt(clientOrderId, state);
    return this.statusOf(clientOrderId, state);
  }

  async openOrders(): Promise<readonly VenueOrderStatus[]> {
    const states = await this.rest.fetchOpenOrderStates((symbol) => this.instrumentBySymbol.has(symbol));
    return states.map((state) => {
      const order = this.keeper.byExchangeClientOrderId(state.exchangeClientOrderId) ?? this.adopt(this.profile.engineClientOrderId(state.exchangeClientOrderId), state);
      return this.statusOf(order.clientOrderId, state);
    });
  }

  async orderFills(clientOrderId: string): Promise<readonly VenueFill[]> {
    const tracked = this.keeper.get(clientOrderId);
    let symbol = tracked?.symbol;
    const venueOrderIds = tracked === undefined ? [] : [...tracked.formerVenueOrderIds, ...(tracked.venueOrderId !== undefined ? [tracked.venueOrderId] : [])];
    if (tracked === undefined || venueOrderIds.length === 0) {
      // Not sent by this process (a restart): the exchange's record of the order names its id.
      const exchangeId = tracked?.exchangeClientOrderId ?? this.exchangeIdOf(clientOrderId);
      const state = exchangeId === undefined ? undefined : await this.rest.fetchOrderState(exchangeId, symbol);
      if (state === undefined) return [];
      symbol = state.symbol;
      venueOrderIds.push(state.venueOrderId);
    }
    const fills: VenueFill[] = [];
    for (const venueOrderId of new Set(venueOrderIds)) {
      for (const fill of await this.rest.fetchFills(symbol!, venueOrderId)) fills.push(toVenueFill(clientOrderId, fill));
    }
    return fills.sort((a, b) => a.timestamp - b.timestamp);
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

  onExecutionReport(listener: ExecutionReportListener): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  onAccountReport(listener: AccountReportListener): () => void {
    return this.account.onReport(listener);
  }

  linkStatus(): VenueLinkStatus {
    const lastError = this.actor.getSnapshot().context.lastError;
    return { state: this.currentState, ...(lastError !== undefined ? { lastError } : {}) };
  }

  onLinkStatus(listener: LinkListener): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void {
    let active = true;
    for (const symbol of symbols) {
      if (!this.instrumentBySymbol.has(symbol)) continue;
      void (async () => {
        while (active) {
          try {
            const trades = await this.exchange.watchTrades(symbol);
            for (const trade of trades) {
              const raw = this.profile.marketTradeFromRaw(trade.info);
              if (!active || raw === undefined) continue;
              listener({ type: 'trade', symbol, timestamp: raw.timestamp || this.clock.now(), price: decimal(raw.price), quantity: decimal(raw.quantity), aggressor: raw.aggressor });
            }
          } catch (error) {
            if (!active) return;
            this.logger.debug({ err: error, symbol }, `venue ${this.id}: market stream for ${symbol} dropped; resubscribing`);
            await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 1000));
          }
        }
      })();
    }
    return () => {
      active = false;
    };
  }

  // ----- beyond the contract -----

  /** The connection statechart's actor, for inspectors and tests. */
  get connection(): Actor<typeof venueConnectionMachine> {
    return this.actor;
  }

  /** The link's state by name (the daemon's /metrics reads it as each venue's connection state). */
  connectionState(): VenueConnectionStateName {
    return this.currentState;
  }

  /** Orders sent whose outcome the exchange has not yet told. */
  inFlightCount(): number {
    return this.keeper.working().filter((order) => order.inFlight).length;
  }

  /** Sets leverage for one symbol (futures). */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    await this.rest.call('setLeverage', 'write', () => this.exchange.setLeverage(leverage, symbol));
  }

  /** Sets isolated or cross margin for one symbol (futures); already set is not an error. */
  async setMarginMode(symbol: string, mode: 'isolated' | 'cross'): Promise<void> {
    try {
      await this.rest.call('setMarginMode', 'write', () => this.exchange.setMarginMode(mode, symbol));
    } catch (error) {
      if (/-4046|No need to change/i.test((error as Error).message)) return;
      throw error;
    }
  }

  /** Runs the REST backfill now; resolves with the number of reports the stream had not delivered. */
  backfill(): Promise<number> {
    this.backfilling ??= this.runBackfill().finally(() => {
      this.backfilling = undefined;
    });
    return this.backfilling;
  }

  /** Funding payments since the last ones seen (futures), as account reports; resolves with how many were new. */
  pollFunding(): Promise<number> {
    return this.account.pollFunding();
  }

  // ----- the link -----

  private async openLink(): Promise<void> {
    const generation = ++this.generation;
    try {
      // ccxt dials ws:// (a loopback simulator, a local proxy) only with its plain HTTP agent loaded.
      if (this.options.urls?.ws.startsWith('ws://') === true) await this.exchange.loadHttpProxyAgent();
      if (!this.marketsLoaded) await this.loadInstruments();
      await this.rest.syncTime();
      await this.rest.call('listenKey', 'read', () => this.profile.prepareUserStream(this.exchange));
      if (generation !== this.generation) return;
      this.startStreamLoops(generation);
      await this.profile.userStreamOpened(this.exchange);
      if (generation !== this.generation) return;
      this.lastStreamMessageAt = this.clock.now();
      this.actor.send({ type: 'socket.opened' });
    } catch (error) {
      if (generation !== this.generation) return;
      const kind = this.profile.classifyError(error).kind;
      const reason = describe(error);
      // Refused for good: bad credentials, an unknown symbol, or an exchange never reached at all (a wrong
      // URL or an unreachable testnet says so at start instead of retrying for minutes).
      if (kind === 'credentials' || error instanceof CcxtVenueError || (!this.marketsLoaded && error instanceof UnreachableError)) {
        this.actor.send({ type: 'link.refused', reason });
        return;
      }
      this.generation++;
      void this.profile.closeUserStream(this.exchange).catch(() => {});
      this.actor.send({ type: 'socket.closed', reason, at: this.clock.now(), jitter: Math.random() });
    }
  }

  private async loadInstruments(): Promise<void> {
    try {
      await this.rest.call('loadMarkets', 'read', () => this.exchange.loadMarkets());
    } catch (error) {
      const kind = this.profile.classifyError(error).kind;
      const where = this.options.urls?.rest ?? 'the exchange';
      throw kind === 'ambiguous' ? new UnreachableError(`${this.profile.exchange} ${this.profile.market} at ${where} is unreachable: ${describe(error)}`) : error;
    }
    let fees = { maker: '0.001', taker: '0.001' };
    try {
      const balance = (await this.rest.call('fetchBalance', 'read', () => this.exchange.fetchBalance())) as { info: unknown };
      fees = this.profile.feesFromRaw(balance.info) ?? fees;
    } catch (error) {
      if (this.profile.classifyError(error).kind === 'credentials') throw new CcxtVenueError(`venue ${this.id}: the exchange refused the API key: ${describe(error)}`);
      throw error;
    }
    const wanted = this.options.symbols === undefined ? undefined : new Set(this.options.symbols);
    const instruments: Instrument[] = [];
    for (const market of Object.values(this.exchange.markets ?? {})) {
      if (market === undefined || market.active === false) continue;
      if (wanted !== undefined && !wanted.has(market.symbol)) continue;
      const spec = this.profile.instrument(market as never, fees);
      if (spec !== undefined) instruments.push(createInstrument(spec));
    }
    if (wanted !== undefined) {
      const missing = [...wanted].filter((symbol) => !instruments.some((instrument) => instrument.symbol === symbol));
      if (missing.length > 0) throw new CcxtVenueError(`venue ${this.id}: ${this.profile.exchange} ${this.profile.market} has no tradable symbol ${missing.join(', ')}`);
    }
    this.instrumentList = instruments;
    this.instrumentBySymbol = new Map(instruments.map((instrument) => [instrument.symbol, instrument]));
    this.capabilityList = this.profile.capabilities(this.exchange, instruments.map((instrument) => instrument.symbol));
    if (this.profile.market === 'future' && this.options.dryRun !== true) {
      // Configured per symbol before anything trades; a setting the exchange refuses stops the start, clearly.
      const settings: Array<[string, () => Promise<void>]> = [
        ...Object.entries(this.options.marginMode ?? {}).map(([symbol, mode]): [string, () => Promise<void>] => [`margin mode ${mode} on ${symbol}`, () => this.setMarginMode(symbol, mode)]),
        ...Object.entries(this.options.leverage ?? {}).map(([symbol, leverage]): [string, () => Promise<void>] => [`leverage ${leverage} on ${symbol}`, () => this.setLeverage(symbol, leverage)]),
      ];
      for (const [what, apply] of settings) {
        try {
          await apply();
        } catch (error) {
          if (this.profile.classifyError(error).kind === 'ambiguous') throw error;
          throw new CcxtVenueError(`venue ${this.id}: the exchange refused ${what}: ${describe(error)}`);
        }
      }
    }
    this.marketsLoaded = true;
  }

  private startStreamLoops(generation: number): void {
    void this.streamLoop(generation, 'orders', async () => {
      const orders = await this.exchange.watchOrders();
      for (const order of orders) this.onStreamOrder(order.info);
    });
    void this.streamLoop(generation, 'trades', async () => {
      const trades = await this.exchange.watchMyTrades();
      for (const trade of trades) this.onStreamFill(trade.info);
    });
    if (this.profile.market === 'future') {
      // Account messages (ACCOUNT_UPDATE): funding paid, positions moved. ccxt hands the raw message as `info`.
      void this.streamLoop(generation, 'account', async () => {
        const balance = (await this.exchange.watchBalance({ type: 'future' })) as { info?: unknown };
        this.account.onAccountMessage(balance.info);
      });
    }
  }

  private async streamLoop(generation: number, name: string, step: () => Promise<void>): Promise<void> {
    while (generation === this.generation) {
      try {
        await step();
        if (generation !== this.generation) return;
        this.lastStreamMessageAt = this.clock.now();
      } catch (error) {
        if (generation !== this.generation) return;
        this.logger.warn({ err: error }, `venue ${this.id}: user stream (${name}) lost: ${describe(error)}`);
        this.streamLost(`user stream lost: ${describe(error)}`, 'socket.closed');
        return;
      }
    }
  }

  /** The user stream died (socket closed) or is silently dead (backfill found what it missed): redial with backoff. */
  private streamLost(reason: string, how: 'socket.closed' | 'heartbeat.missed'): void {
    this.retireStream();
    const at = this.clock.now();
    if (how === 'socket.closed') this.actor.send({ type: 'socket.closed', reason, at, jitter: Math.random() });
    else this.actor.send({ type: 'heartbeat.missed', at, jitter: Math.random() });
  }

  private retireStream(): void {
    this.generation++;
    this.stopQuietTimer();
    void this.profile.closeUserStream(this.exchange).catch(() => {});
  }

  /** After the stream is open: orders whose outcome is unknown are asked about, missed fills fetched, queued cancels sent. */
  private async resync(): Promise<void> {
    const generation = this.generation;
    try {
      await this.runBackfill();
      await this.account.pollFunding();
    } catch (error) {
      if (generation !== this.generation) return;
      this.streamLost(`resync failed: ${describe(error)}`, 'socket.closed');
      return;
    }
    if (generation !== this.generation) return;
    this.actor.send({ type: 'synced' });
  }

  private onStateChange(state: VenueConnectionStateName, lastError: string | undefined): void {
    if (state === this.currentState) return;
    this.currentState = state;
    if (state === 'live') {
      for (const waiter of this.connectWaiters.splice(0)) waiter.resolve();
      for (const clientOrderId of [...this.queuedCancels]) {
        this.queuedCancels.delete(clientOrderId);
        void this.sendCancel(clientOrderId);
      }
      this.armQuietTimer();
    } else if (state === 'down') {
      const error = new CcxtVenueError(`venue ${this.id} is down${lastError ? `: ${lastError}` : ''}`);
      for (const waiter of this.connectWaiters.splice(0)) waiter.reject(error);
      if (this.disconnecting) this.logger.info(`venue ${this.id} disconnected`);
      else this.logger.warn({ lastError }, `venue ${this.id} connection is down`);
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

  private armQuietTimer(): void {
    this.stopQuietTimer();
    const generation = this.generation;
    this.quietTimer = this.clock.setTimeout(() => {
      this.quietTimer = undefined;
      if (generation !== this.generation || this.currentState !== 'live') return;
      const quietFor = this.clock.now() - this.lastStreamMessageAt;
      if (quietFor < this.quietBackfillMs) return this.armQuietTimer();
      void this.backfill()
        .then((missed) => {
          if (generation !== this.generation) return;
          if (missed > 0) {
            this.logger.warn({ missed }, `venue ${this.id}: the user stream was quiet and REST found ${missed} update(s) it never delivered; redialling it`);
            this.streamLost(`the user stream went silent: ${missed} update(s) found only by REST backfill`, 'heartbeat.missed');
          } else {
            this.lastStreamMessageAt = this.clock.now();
            void this.account.pollFunding().catch(() => {});
            this.armQuietTimer();
          }
        })
        .catch((error) => {
          if (generation !== this.generation) return;
          this.logger.warn({ err: error }, `venue ${this.id}: backfill while quiet failed`);
          this.armQuietTimer();
        });
    }, Math.max(50, this.quietBackfillMs / 2));
  }

  private stopQuietTimer(): void {
    if (this.quietTimer !== undefined) this.clock.clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
  }

  private notLiveReason(): string {
    const lastError = this.actor.getSnapshot().context.lastError;
    return `venue ${this.id} is ${this.currentState}, not live: new orders are refused until it is${lastError ? ` (${lastError})` : ''}`;
  }

  // ----- stream messages -----

  private onStreamOrder(info: unknown): void {
    const state = this.profile.orderFromRaw(info);
    if (state === undefined) return;
    const order = this.keeper.byExchangeClientOrderId(state.exchangeClientOrderId);
    if (order === undefined) return;
    // Before the exchange has answered our submit, an update under the same id with other terms is another
    // order's (the id was taken): it is not ours to report.
    if (order.inFlight && !order.accepted && !sameTerms(order, state)) return;
    this.applyState(order, this.rest.withUnifiedSymbol(state), 'canceled at the exchange');
  }

  private onStreamFill(info: unknown): void {
    const fill = this.profile.fillFromStream(info);
    if (fill === undefined || fill.exchangeClientOrderId === undefined) return;
    const order = this.keeper.byExchangeClientOrderId(fill.exchangeClientOrderId);
    if (order === undefined) {
      this.account.onForeignOrderMessage(info);
      return;
    }
    for (const report of this.keeper.reportsForFill(order, fill)) this.deliver(report);
    this.afterResolved(order);
  }

  private applyState(order: TrackedOrder, state: RawOrderState, cancelReason: string): number {
    const reports = this.keeper.reportsForState(order, state, order.cancelWanted || this.cancelRequested.has(order.clientOrderId) ? 'canceled by client' : cancelReason);
    for (const report of reports) this.deliver(report);
    this.afterResolved(order);
    return reports.length;
  }

  /** An order whose outcome just became known: a cancel asked for meanwhile is sent now. */
  private afterResolved(order: TrackedOrder): void {
    if (order.inFlight) return;
    const timer = this.resolveTimers.get(order.clientOrderId);
    if (timer !== undefined) {
      this.clock.clearTimeout(timer);
      this.resolveTimers.delete(order.clientOrderId);
    }
    if (order.cancelWanted) {
      order.cancelWanted = false;
      if (order.terminal === undefined) this.cancel(order.clientOrderId);
    }
    if (order.terminal !== undefined) this.cancelRequested.delete(order.clientOrderId);
  }

  // ----- writes -----

  private async sendSubmit(order: TrackedOrder, request: VenueOrder): Promise<void> {
    const instrument = this.instrumentBySymbol.get(request.symbol)!;
    const params = this.profile.orderParams(request, order.exchangeClientOrderId);
    try {
      const created = await this.rest.call('createOrder', 'write', () =>
        this.exchange.createOrder(instrument.symbol, this.profile.ccxtOrderType(request.type), request.side, request.quantity as unknown as number, request.price as unknown as number | undefined, params),
      );
      const state = this.profile.orderFromRaw((created as { info: unknown }).info);
      if (state !== undefined) this.applyState(order, this.rest.withUnifiedSymbol(state), 'canceled at the exchange');
      else order.inFlight = false;
    } catch (error) {
      this.onSubmitFailed(order, error);
    }
  }

  private onSubmitFailed(order: TrackedOrder, error: unknown): void {
    const base = { venue: this.id, clientOrderId: order.clientOrderId, timestamp: this.clock.now() };
    if (error instanceof NotSent) {
      this.keeper.finish(order, 'rejected');
      this.deliver({ ...base, type: 'rejected', reason: `not sent: ${error.message}` });
      return;
    }
    const verdict = this.profile.classifyError(error);
    switch (verdict.kind) {
      case 'rateLimited':
        // A rate-limited write was not placed (the exchange refused it before its matching engine saw it).
        this.keeper.finish(order, 'rejected');
        this.deliver({ ...base, type: 'rejected', reason: `rate limited by the exchange, not placed: ${verdict.reason}` });
        return;
      case 'clockSkew':
        void this.rest.resyncAfterRefusedTimestamp();
        this.keeper.finish(order, 'rejected');
        this.deliver({ ...base, type: 'rejected', reason: `the exchange refused the timestamp (clock skew), not placed: ${verdict.reason}` });
        return;
      case 'duplicate':
        // An order with this id is at the exchange already: it is ours or it is refused; never a second one.
        order.inFlight = true;
        void this.resolveDuplicate(order, verdict.reason);
        return;
      case 'refused':
      case 'credentials':
      case 'notFound':
        this.keeper.finish(order, 'rejected');
        this.deliver({ ...base, type: 'rejected', reason: verdict.reason });
        return;
      case 'ambiguous':
        this.logger.warn({ clientOrderId: order.clientOrderId, reason: verdict.reason }, `venue ${this.id}: submit of ${order.clientOrderId} has an unknown outcome; asking the exchange, not resending`);
        order.inFlight = true;
        this.scheduleResolve(order, this.resolveDelayMs);
    }
  }

  private async resolveDuplicate(order: TrackedOrder, reason: string): Promise<void> {
    let state: RawOrderState | undefined;
    try {
      state = await this.rest.fetchOrderState(order.exchangeClientOrderId, order.symbol);
    } catch {
      this.scheduleResolve(order, this.resolveDelayMs);
      return;
    }
    if (state !== undefined && sameTerms(order, state)) {
      this.logger.warn({ clientOrderId: order.clientOrderId }, `venue ${this.id}: ${order.clientOrderId} is already at the exchange (${reason}); taking its state, not placing another`);
      await this.catchUp(order, state);
      return;
    }
    this.keeper.finish(order, 'rejected');
    this.deliver({ venue: this.id, clientOrderId: order.clientOrderId, timestamp: this.clock.now(), type: 'rejected', reason: `clientOrderId ${order.clientOrderId} is taken at the exchange by another order: ${reason}` });
  }

  /** An unknown outcome: ask the exchange by clientOrderId until it knows, or the receive window has passed without it. */
  private scheduleResolve(order: TrackedOrder, delayMs: number): void {
    const previous = this.resolveTimers.get(order.clientOrderId);
    if (previous !== undefined) this.clock.clearTimeout(previous);
    this.resolveTimers.set(
      order.clientOrderId,
      this.clock.setTimeout(() => {
        this.resolveTimers.delete(order.clientOrderId);
        void this.resolveInFlight(order);
      }, delayMs),
    );
  }

  private async resolveInFlight(order: TrackedOrder): Promise<void> {
    if (!order.inFlight) return;
    let state: RawOrderState | undefined;
    try {
      state = await this.rest.fetchOrderState(order.exchangeClientOrderId, order.symbol);
    } catch (error) {
      this.logger.warn({ err: error, clientOrderId: order.clientOrderId }, `venue ${this.id}: status query for ${order.clientOrderId} failed; asking again`);
      this.scheduleResolve(order, Math.max(this.resolveDelayMs, 1000));
      return;
    }
    if (!order.inFlight) return;
    if (state !== undefined) {
      await this.catchUp(order, state);
      return;
    }
    // Not found: once the receive window has passed, the exchange can no longer take the request.
    const windowEnds = order.sentAt + this.recvWindowMs + 1000;
    if (this.clock.now() >= windowEnds) {
      this.keeper.finish(order, 'rejected');
      this.deliver({ venue: this.id, clientOrderId: order.clientOrderId, timestamp: this.clock.now(), type: 'rejected', reason: `never placed: not found at the exchange by clientOrderId after the receive window (${this.recvWindowMs} ms); not resent` });
      return;
    }
    this.scheduleResolve(order, Math.max(this.resolveDelayMs, windowEnds - this.clock.now()));
  }

  private async sendCancel(clientOrderId: string): Promise<void> {
    const order = this.keeper.get(clientOrderId);
    const exchangeId = order?.exchangeClientOrderId ?? this.exchangeIdOf(clientOrderId) ?? clientOrderId;
    const symbol = order?.symbol ?? (await this.queryOrder(clientOrderId).catch(() => undefined))?.symbol;
    const refuse = (reason: string) => this.deliver({ venue: this.id, clientOrderId, timestamp: this.clock.now(), type: 'cancelRejected', reason });
    if (symbol === undefined) return refuse(`order ${clientOrderId} is not known at ${this.id}`);
    if (order?.terminal !== undefined) return refuse(`order ${clientOrderId} is already ${order.terminal}`);
    this.cancelRequested.add(clientOrderId);
    try {
      const canceled = await this.rest.call('cancelOrder', 'write', () => this.exchange.cancelOrder(undefined as unknown as string, symbol, this.profile.byClientOrderId(exchangeId)));
      const state = this.profile.orderFromRaw((canceled as { info: unknown }).info);
      const tracked = this.keeper.get(clientOrderId);
      if (state !== undefined && tracked !== undefined) await this.catchUp(tracked, this.rest.withUnifiedSymbol(state));
    } catch (error) {
      if (error instanceof NotSent) {
        // Rate-limited: the cancel waits for the ban to pass rather than being dropped.
        const retryAt = this.rest.bannedUntil;
        this.clock.setTimeout(() => this.cancel(clientOrderId), Math.max(100, retryAt - this.clock.now()));
        return;
      }
      const verdict = this.profile.classifyError(error);
      if (verdict.kind === 'rateLimited') {
        this.clock.setTimeout(() => this.cancel(clientOrderId), Math.max(100, this.rest.bannedUntil - this.clock.now()));
        return;
      }
      if (verdict.kind === 'ambiguous') {
        // The stream or the next backfill says whether it was canceled.
        this.logger.warn({ clientOrderId, reason: verdict.reason }, `venue ${this.id}: cancel of ${clientOrderId} has an unknown outcome`);
        return;
      }
      // Refused (already filled, already canceled, unknown): the exchange's own state is fetched and applied.
      const tracked = this.keeper.get(clientOrderId);
      if (tracked !== undefined) {
        const state = await this.rest.fetchOrderState(tracked.exchangeClientOrderId, tracked.symbol).catch(() => undefined);
        if (state !== undefined) await this.catchUp(tracked, state);
        if (tracked.terminal === 'canceled') return;
      }
      this.cancelRequested.delete(clientOrderId);
      refuse(`the exchange refused the cancel: ${verdict.reason}`);
    }
  }

  private async amendInPlace(order: TrackedOrder, quantity: DecimalString, price: DecimalString | undefined): Promise<void> {
    const refuse = (reason: string) => this.deliver({ venue: this.id, clientOrderId: order.clientOrderId, timestamp: this.clock.now(), type: 'amendRejected', reason });
    try {
      const edited = await this.rest.call('editOrder', 'write', () =>
        this.exchange.editOrder(order.venueOrderId!, order.symbol, this.profile.ccxtOrderType(order.type), order.side, quantity as unknown as number, price as unknown as number | undefined, {}),
      );
      let state = this.profile.orderFromRaw((edited as { info: unknown }).info);
      // An answer with ids only (OKX): the terms are read back; the stream tells too, reported once either way.
      if (state === undefined) state = await this.rest.fetchOrderState(order.exchangeClientOrderId, order.symbol).catch(() => undefined);
      if (state !== undefined && (state.quantity !== order.quantity || state.price !== order.price)) {
        this.deliver({ venue: this.id, clientOrderId: order.clientOrderId, timestamp: this.clock.now(), type: 'amended', quantity: state.quantity, ...(state.price !== undefined ? { price: state.price } : {}) });
        order.quantity = state.quantity;
        if (state.price !== undefined) order.price = state.price;
      }
    } catch (error) {
      const verdict = error instanceof NotSent ? { reason: error.message } : this.profile.classifyError(error);
      refuse(`the exchange refused the amendment: ${verdict.reason}`);
    }
  }

  /**
   * Spot has no in-place change of price: the order is canceled and a new one placed for the remaining
   * quantity, atomically at the exchange (cancel-replace, stop on failure). The new order carries a derived
   * client order id; its reports are the same engine order's.
   */
  private async cancelReplace(order: TrackedOrder, quantity: DecimalString, price: DecimalString | undefined): Promise<void> {
    const base = { venue: this.id, clientOrderId: order.clientOrderId };
    const replacementId = this.profile.replacementClientOrderId(order.clientOrderId, order.generation + 1);
    if (replacementId === undefined) {
      this.deliver({ ...base, timestamp: this.clock.now(), type: 'amendRejected', reason: `clientOrderId ${order.clientOrderId} is too long to derive a replacement id` });
      return;
    }
    const remaining = decimal(quantity).minus(order.filledQuantity).toFixed();
    const previousId = order.exchangeClientOrderId;
    // Renamed first: the stream's reports for the replacement may arrive before the REST answer.
    this.keeper.rename(order, replacementId);
    order.generation++;
    try {
      const replaced = await this.rest.call('editOrder', 'write', () =>
        this.exchange.editOrder(undefined as unknown as string, order.symbol, this.profile.ccxtOrderType(order.type), order.side, remaining as unknown as number, price as unknown as number | undefined, {
          cancelOrigClientOrderId: previousId,
          newClientOrderId: replacementId,
        }),
      );
      const info = (replaced as { info: unknown }).info as Record<string, unknown>;
      const placed = this.profile.orderFromRaw(info.newOrderResponse ?? info);
      if (placed !== undefined) order.venueOrderId = placed.venueOrderId;
      order.quantity = quantity;
      if (price !== undefined) order.price = price;
      this.deliver({ ...base, timestamp: this.clock.now(), type: 'amended', quantity, ...(price !== undefined ? { price } : {}) });
    } catch (error) {
      const failure = error instanceof NotSent ? undefined : this.profile.cancelReplaceFailure(error);
      if (failure?.canceled === true) {
        // The old order is gone and no replacement works: the engine's order ends canceled, with the reason.
        this.keeper.finish(order, 'canceled');
        this.deliver({ ...base, timestamp: this.clock.now(), type: 'canceled', reason: `cancel-replace: ${failure.reason}` });
        return;
      }
      // Nothing changed at the exchange (or we cannot tell yet): back to the old id; the stream/backfill says more.
      order.generation--;
      order.formerExchangeIds.pop();
      order.exchangeClientOrderId = previousId;
      order.venueOrderId = order.formerVenueOrderIds.pop();
      const reason = failure?.reason ?? (error instanceof NotSent ? error.message : this.profile.classifyError(error).reason);
      this.deliver({ ...base, timestamp: this.clock.now(), type: 'amendRejected', reason: `cancel-replace: ${reason}` });
      const state = await this.rest.fetchOrderState(previousId, order.symbol).catch(() => undefined);
      if (state !== undefined) await this.catchUp(order, state);
    }
  }

  // ----- REST reads and backfill -----

  /** Brings one order up to the exchange's state: missed fills first (by tradeId), then its status. */
  private async catchUp(order: TrackedOrder, state: RawOrderState): Promise<number> {
    let delivered = 0;
    if (state.exchangeClientOrderId === order.exchangeClientOrderId) order.venueOrderId ??= state.venueOrderId;
    const ownFilled = decimal(order.filledQuantity);
    if (decimal(state.filledQuantity).gt(ownFilled) || (state.status === 'filled' && order.terminal === undefined)) {
      const venueOrderIds = [...order.formerVenueOrderIds, state.venueOrderId];
      for (const venueOrderId of new Set(venueOrderIds)) {
        for (const fill of await this.rest.fetchFills(order.symbol, venueOrderId)) {
          const reports = this.keeper.reportsForFill(order, fill);
          delivered += reports.filter((report) => report.type === 'filled').length;
          for (const report of reports) this.deliver(report);
        }
      }
    }
    const before = order.accepted;
    const reports = this.keeper.reportsForState(order, state, order.cancelWanted || this.cancelRequested.has(order.clientOrderId) ? 'canceled by client' : 'canceled at the exchange');
    for (const report of reports) this.deliver(report);
    delivered += reports.filter((report) => report.type !== 'accepted' || !before).length;
    this.afterResolved(order);
    return delivered;
  }

  /** Backfill: every order we hold as working is compared with the exchange; resolves with the reports it delivered. */
  private async runBackfill(): Promise<number> {
    const working = this.keeper.working();
    if (working.length === 0) return 0;
    const open = new Map((await this.rest.fetchOpenOrderStates((symbol) => this.instrumentBySymbol.has(symbol))).map((state) => [state.exchangeClientOrderId, state]));
    let delivered = 0;
    for (const order of working) {
      if (order.terminal !== undefined) continue;
      let state = open.get(order.exchangeClientOrderId);
      // Not open any more (filled, canceled, expired while we were away), or still in flight: asked one by one.
      if (state === undefined || order.inFlight) state = await this.rest.fetchOrderState(order.exchangeClientOrderId, order.symbol);
      if (state === undefined) {
        if (order.inFlight) await this.resolveInFlight(order);
        continue;
      }
      const fillsBefore = order.tradeIds.size;
      const wasAccepted = order.accepted;
      const wasTerminal = order.terminal;
      await this.catchUp(order, state);
      if (order.tradeIds.size > fillsBefore || order.accepted !== wasAccepted || order.terminal !== wasTerminal) delivered += 1 + (order.tradeIds.size - fillsBefore);
    }
    return delivered;
  }

  /** An order found at the exchange that we did not send in this process (restart, or another session). */
  private adopt(clientOrderId: string, state: RawOrderState): TrackedOrder {
    return this.keeper.track({
      clientOrderId,
      symbol: state.symbol,
      side: state.side,
      type: state.type,
      exchangeClientOrderId: state.exchangeClientOrderId,
      venueOrderId: state.venueOrderId,
      inFlight: false,
      sentAt: this.clock.now(),
      quantity: state.quantity,
      ...(state.price !== undefined ? { price: state.price } : {}),
      accepted: true,
    });
  }

  /** The exchange's id for an engine id this process did not send (a restart), or undefined when it has none. */
  private exchangeIdOf(clientOrderId: string): string | undefined {
    const mapped = this.profile.exchangeClientOrderId(clientOrderId);
    return 'id' in mapped ? mapped.id : undefined;
  }

  private statusOf(clientOrderId: string, state: RawOrderState): VenueOrderStatus {
    return {
      clientOrderId,
      venueOrderId: state.venueOrderId,
      symbol: state.symbol,
      side: state.side,
      type: state.type,
      status: state.status,
      quantity: state.quantity,
      filledQuantity: state.filledQuantity,
      ...(state.price !== undefined ? { price: state.price } : {}),
    };
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

function sameTerms(order: TrackedOrder, state: RawOrderState): boolean {
  return order.side === state.side && decimal(order.quantity).eq(decimal(state.quantity)) && (order.price === undefined || state.price === undefined || decimal(order.price).eq(decimal(state.price)));
}

function toVenueFill(clientOrderId: string, fill: RawFill): VenueFill {
  return { clientOrderId, tradeId: fill.tradeId, quantity: fill.quantity, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency, liquidity: fill.liquidity, timestamp: fill.timestamp };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
