// The Binance profiles (spot and USDⓈ-M futures) of the ccxt adapter: ccxt.pro.binance / binanceusdm set up
// for one market, instruments from exchangeInfo filters, exact decimals from Binance's raw payloads, and
// Binance's error codes read as what they mean for an order's fate.
import type { Exchange } from 'ccxt';
import { ccxtErrors, pro } from './ccxt-library.ts';
import { decimal, toDecimalString, type DecimalString } from '../../src/domain/decimal.ts';
import { exact } from './raw-decimal.ts';
import type { InstrumentSpec } from '../../src/domain/instrument.ts';
import type { OrderSide, OrderType } from '../../src/domain/order-request.ts';
import type { AccountReport, Balance, VenueCapabilities, VenueOrder, VenueOrderStatusName, VenuePosition } from '../venue.ts';
import { BINANCE_CLIENT_ORDER_IDS, ClientOrderIdCodec, type ExchangeIdResult } from './client-order-ids.ts';
import { FUTURES_CONDITIONAL_TYPES, algoOrderFromRaw, conditionalOrderParams, futuresTrailingIssue, isAlgoRecord } from './binance-conditional-orders.ts';
import { binanceOrderCountLimits, type OrderCountLimit } from './order-count-budget.ts';
import type { AccountChange, CancelReplaceFailure, ErrorClass, ExchangeProfile, MarketKind, RawFill, RawMarketTrade, RawOrderState, UrlOverride, WeightedCall } from './profile.ts';

const CLIENT_ORDER_IDS = new ClientOrderIdCodec(BINANCE_CLIENT_ORDER_IDS);
/** A cancel-replace's id: the engine id, "/r" and the generation ("/" is never in an engine id). */
const REPLACEMENT_SUFFIX = /\/r[1-9][0-9]*$/;

type Raw = Record<string, unknown>;

const STATUS: Record<string, VenueOrderStatusName> = {
  NEW: 'open',
  PARTIALLY_FILLED: 'partial',
  FILLED: 'filled',
  CANCELED: 'canceled',
  PENDING_CANCEL: 'open',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired',
};

const TYPE_FROM_BINANCE: Record<string, OrderType> = {
  LIMIT: 'limit',
  LIMIT_MAKER: 'limit',
  MARKET: 'market',
  STOP_LOSS: 'stop',
  STOP_MARKET: 'stop',
  STOP_LOSS_LIMIT: 'stopLimit',
  STOP: 'stopLimit',
  TAKE_PROFIT: 'takeProfit',
  TAKE_PROFIT_MARKET: 'takeProfit',
  TAKE_PROFIT_LIMIT: 'takeProfitLimit',
  TRAILING_STOP_MARKET: 'trailingStop',
};

/**
 * The engine's conditional order types as Binance spot names them. A type is held at the exchange only when
 * every traded symbol lists it in exchangeInfo `orderTypes`; otherwise the engine emulates it. Futures'
 * conditional orders are held by Binance's Algo Service (binance-conditional-orders.ts).
 */
const SPOT_CONDITIONAL_TYPES: Partial<Record<OrderType, string>> = {
  stop: 'STOP_LOSS',
  stopLimit: 'STOP_LOSS_LIMIT',
  takeProfit: 'TAKE_PROFIT',
  takeProfitLimit: 'TAKE_PROFIT_LIMIT',
};

/** Binance error codes and what they mean for the request's outcome. */
const REFUSED_CODES = new Set([-1013, -1100, -1102, -1111, -1112, -1114, -1115, -1116, -1117, -1121, -2010, -2011, -2013, -2021, -2022, -2026, -4003, -4014, -4023, -4024, -4028, -4061, -4164, -5022]);
const NOT_FOUND_CODES = new Set([-2013, -2011]);
const DUPLICATE_PATTERN = /duplicate/i;

export class BinanceProfile implements ExchangeProfile {
  readonly exchange = 'binance';
  readonly amendStyle: 'native' | 'cancelReplace';
  readonly usedWeightHeader = 'x-mbx-used-weight-1m';

  constructor(readonly market: MarketKind) {
    this.amendStyle = market === 'future' ? 'native' : 'cancelReplace';
  }

  createExchange(config: { apiKey: string; secret: string; testnet: boolean; urls?: UrlOverride; recvWindowMs: number }): Exchange {
    const options = {
      apiKey: config.apiKey,
      secret: config.secret,
      // The adapter budgets request weight itself from the exchange's own headers.
      enableRateLimit: false,
      options: {
        fetchMarkets: { types: [this.market === 'spot' ? 'spot' : 'linear'] },
        fetchCurrencies: false,
        fetchMargins: false,
        recvWindow: config.recvWindowMs,
        adjustForTimeDifference: false,
        warnOnFetchOpenOrdersWithoutSymbol: false,
        fetchOpenOrders: { warnWithoutSymbol: false },
        // Positions are fetched by the adapter; ccxt's own snapshot would be an unawaited request.
        watchPositions: { fetchPositionsSnapshot: false },
        watchBalance: { fetchBalanceSnapshot: false },
        // Reconnects are paced by the venue-connection chart, not by ccxt.
        ws: { backoff: { base: 0 } },
        defaultType: this.market === 'spot' ? 'spot' : 'future',
      },
    };
    const exchange: Exchange = this.market === 'spot' ? new pro.binance(options) : new pro.binanceusdm(options);
    if (config.testnet && config.urls === undefined) {
      // ccxt refuses sandbox mode for futures (Binance retired that testnet for "demo trading"); futures on
      // testnet therefore need `urls`.
      if (this.market === 'spot') exchange.setSandboxMode(true);
      else exchange.enableDemoTrading?.(true);
    }
    if (config.urls !== undefined) overrideUrls(exchange, config.urls);
    return exchange;
  }

  exchangeClientOrderId(clientOrderId: string): ExchangeIdResult {
    return CLIENT_ORDER_IDS.toExchange(clientOrderId);
  }

  engineClientOrderId(exchangeClientOrderId: string): string {
    return exchangeClientOrderId.replace(REPLACEMENT_SUFFIX, '');
  }

  replacementClientOrderId(clientOrderId: string, generation: number): string | undefined {
    const id = `${clientOrderId}/r${generation}`;
    return id.length <= 36 ? id : undefined;
  }

  capabilities(exchange: Exchange, tradedSymbols: readonly string[]): VenueCapabilities {
    // What ccxt says the exchange takes (its `features`), narrowed to what this adapter sends: market and
    // limit orders, the conditional types every traded symbol lists (spot's stops and take-profits, futures'
    // also trailing stops), and GTD left to the engine (it is not mapped to Binance's goodTillDate).
    const features = exchange.features as Record<string, unknown> | undefined;
    const forMarket = (this.market === 'spot' ? features?.spot : (features?.swap as Record<string, unknown> | undefined)?.linear) as { createOrder?: { timeInForce?: Record<string, boolean> } } | undefined;
    const timeInForce = forMarket?.createOrder?.timeInForce ?? {};
    const has = exchange.has as Record<string, unknown>;
    const listed = tradedSymbols.map((symbol) => {
      const info = exchange.markets?.[symbol]?.info as Raw | undefined;
      return new Set(Array.isArray(info?.orderTypes) ? (info.orderTypes as string[]) : []);
    });
    const names = this.market === 'spot' ? SPOT_CONDITIONAL_TYPES : FUTURES_CONDITIONAL_TYPES;
    const conditional = tradedSymbols.length === 0 ? [] : (Object.entries(names) as Array<[OrderType, string]>).filter(([, name]) => listed.every((types) => types.has(name))).map(([type]) => type);
    return {
      orderTypes: ['market', 'limit', ...conditional],
      timeInForce: (['GTC', 'IOC', 'FOK'] as const).filter((name) => timeInForce[name] === true),
      postOnly: timeInForce.PO === true,
      reduceOnly: this.market === 'future' && has.createReduceOnlyOrder === true,
      amend: has.editOrder === true,
    };
  }

  instrument(market: { symbol: string; base: string; quote: string; info: unknown; active?: boolean | undefined }, fees: { maker: DecimalString; taker: DecimalString }): InstrumentSpec | undefined {
    const info = market.info as Raw;
    if (this.market === 'future' && info.contractType !== 'PERPETUAL') return undefined;
    const filters = (Array.isArray(info.filters) ? info.filters : []) as Raw[];
    const filter = (type: string) => filters.find((candidate) => candidate.filterType === type);
    const price = filter('PRICE_FILTER');
    const lot = filter('LOT_SIZE');
    const notional = filter('NOTIONAL') ?? filter('MIN_NOTIONAL');
    const tickSize = exact(price?.tickSize);
    const lotSize = exact(lot?.stepSize);
    if (tickSize === undefined || lotSize === undefined || !decimal(tickSize).gt('0') || !decimal(lotSize).gt('0')) return undefined;
    return {
      symbol: market.symbol,
      // USDⓈ-M perpetuals are traded on margin, settled in quote: the engine books them as such (margin-ledger.ts).
      ...(this.market === 'future' ? { kind: 'perpetual' as const } : {}),
      base: market.base,
      quote: market.quote,
      tickSize,
      lotSize,
      minQuantity: exact(lot?.minQty) ?? lotSize,
      minNotional: exact(notional?.minNotional ?? notional?.notional) ?? '0',
      makerFee: fees.maker,
      takerFee: fees.taker,
    };
  }

  ccxtOrderType(type: OrderType): string {
    if (type === 'market' || type === 'limit') return type;
    const name = (this.market === 'spot' ? SPOT_CONDITIONAL_TYPES : FUTURES_CONDITIONAL_TYPES)[type];
    if (name === undefined) throw new Error(`binance ${this.market}: ${type} orders are not held by this adapter`);
    return name;
  }

  orderParams(order: VenueOrder, exchangeClientOrderId: string): Record<string, unknown> {
    const params: Record<string, unknown> = { clientOrderId: exchangeClientOrderId };
    if (order.type === 'limit') {
      if (order.postOnly) params.postOnly = true;
      else params.timeInForce = order.timeInForce;
    }
    // ccxt writes the trigger as `stopPrice` (spot) or `triggerPrice` (the Algo Service); its text goes as it
    // is (the precision guard checked it).
    if (this.heldApart(order.type)) Object.assign(params, conditionalOrderParams(order));
    else if (order.stopPrice !== undefined) params.stopPrice = order.stopPrice;
    if (order.type === 'stopLimit' || order.type === 'takeProfitLimit') params.timeInForce = order.timeInForce;
    if (order.reduceOnly) params.reduceOnly = true;
    return params;
  }

  byClientOrderId(exchangeClientOrderId: string): Record<string, unknown> {
    return { origClientOrderId: exchangeClientOrderId };
  }

  heldApart(type: OrderType): boolean {
    return this.market === 'future' && FUTURES_CONDITIONAL_TYPES[type] !== undefined;
  }

  conditionalParams(): Record<string, unknown> | undefined {
    // ccxt's switch to the Algo Service endpoints (fetchOrder, fetchOpenOrders, cancelOrder).
    return this.market === 'future' ? { trigger: true } : undefined;
  }

  termsIssue(order: VenueOrder): string | undefined {
    return this.market === 'future' ? futuresTrailingIssue(order) : undefined;
  }

  orderFromRaw(payload: unknown): RawOrderState | undefined {
    const info = payload as Raw;
    if (this.market === 'future' && isAlgoRecord(info)) return algoOrderFromRaw(info);
    // REST order, spot executionReport, or futures ORDER_TRADE_UPDATE's `o`.
    const isStream = typeof info.e === 'string' || typeof info.X === 'string';
    const statusText = String(isStream ? info.X : info.status);
    const status = STATUS[statusText];
    if (status === undefined) return undefined;
    // A cancel's execution report names the cancel request in `c` and the order in `C` (spot).
    const ownId = isStream ? (typeof info.C === 'string' && info.C !== '' ? info.C : info.c) : info.clientOrderId;
    const typeText = String(isStream ? info.o : info.type);
    const price = exact(isStream ? info.p : info.price);
    const stopPrice = exact(isStream ? info.P ?? info.sp : info.stopPrice);
    const working = isStream ? info.w : info.isWorking;
    return {
      exchangeClientOrderId: String(ownId),
      venueOrderId: String(isStream ? info.i : info.orderId),
      symbol: String(info.s ?? info.symbol),
      side: (String(isStream ? info.S : info.side) === 'BUY' ? 'buy' : 'sell') as OrderSide,
      type: TYPE_FROM_BINANCE[typeText] ?? 'limit',
      status,
      quantity: exact(isStream ? info.q : info.origQty) ?? '0',
      filledQuantity: exact(isStream ? info.z : info.executedQty) ?? '0',
      ...(price !== undefined && decimal(price).gt('0') ? { price } : {}),
      ...(stopPrice !== undefined && decimal(stopPrice).gt('0') ? { stopPrice } : {}),
      ...(typeof working === 'boolean' ? { working } : {}),
      ...(isStream && (info.x === 'AMENDMENT' || info.x === 'REPLACED') ? { amended: true } : {}),
      timestamp: Number(info.T ?? info.updateTime ?? info.transactTime ?? info.time ?? 0),
    };
  }

  fillFromStream(payload: unknown): RawFill | undefined {
    const info = payload as Raw;
    if (info.x !== 'TRADE') return undefined;
    const quantity = exact(info.l);
    const price = exact(info.L);
    if (quantity === undefined || price === undefined) return undefined;
    return {
      exchangeClientOrderId: String(info.c),
      venueOrderId: String(info.i),
      symbol: String(info.s),
      tradeId: String(info.t),
      quantity,
      price,
      fee: exact(info.n) ?? '0',
      feeCurrency: typeof info.N === 'string' ? info.N : '',
      liquidity: info.m === true ? 'maker' : 'taker',
      timestamp: Number(info.T ?? info.E ?? 0),
    };
  }

  marketTradeFromRaw(payload: unknown): RawMarketTrade | undefined {
    // A trade stream message: `m` true means the buyer was the maker, so a seller took liquidity.
    const info = payload as Raw;
    const price = exact(info.p);
    const quantity = exact(info.q);
    if (price === undefined || quantity === undefined) return undefined;
    return { price, quantity, aggressor: info.m === true ? 'sell' : 'buy', timestamp: Number(info.T ?? 0) };
  }

  fillsOfOrderParams(venueOrderId: string): Record<string, unknown> {
    return { orderId: venueOrderId };
  }

  fillFromRest(payload: unknown): RawFill {
    const info = payload as Raw;
    return {
      venueOrderId: String(info.orderId),
      symbol: String(info.symbol),
      tradeId: String(info.id),
      quantity: exact(info.qty) ?? '0',
      price: exact(info.price) ?? '0',
      fee: exact(info.commission) ?? '0',
      feeCurrency: String(info.commissionAsset ?? ''),
      liquidity: info.isMaker === true || info.maker === true ? 'maker' : 'taker',
      timestamp: Number(info.time ?? 0),
    };
  }

  balancesFromRaw(payload: unknown): Balance[] {
    const info = payload as Raw;
    if (Array.isArray(info.balances)) {
      return (info.balances as Raw[])
        .map((row) => ({ currency: String(row.asset), free: exact(row.free) ?? '0', locked: exact(row.locked) ?? '0' }))
        .filter((row) => decimal(row.free).gt('0') || decimal(row.locked).gt('0'))
        .map((row) => ({ currency: row.currency, total: toDecimalString(decimal(row.free).plus(row.locked)), reserved: row.locked }));
    }
    if (Array.isArray(info.assets)) {
      // Futures: the wallet balance is the account's money; margin held for orders and positions is reserved.
      return (info.assets as Raw[])
        .map((row) => {
          const wallet = exact(row.walletBalance) ?? '0';
          const available = exact(row.availableBalance) ?? wallet;
          const reserved = decimal(wallet).minus(available);
          return { currency: String(row.asset), total: wallet, reserved: toDecimalString(reserved.gt('0') ? reserved : decimal('0')) };
        })
        .filter((row) => decimal(row.total).gt('0'));
    }
    return [];
  }

  feesFromRaw(payload: unknown): { maker: DecimalString; taker: DecimalString } | undefined {
    const rates = (payload as Raw).commissionRates as Raw | undefined;
    const maker = exact(rates?.maker);
    const taker = exact(rates?.taker);
    return maker !== undefined && taker !== undefined ? { maker, taker } : undefined;
  }

  positionsFromRaw(payload: unknown): VenuePosition[] {
    const rows = (Array.isArray(payload) ? payload : []) as Raw[];
    return rows.map((row) => {
      const amount = decimal(exact(row.positionAmt) ?? '0');
      const marginType = String(row.marginType ?? '').toLowerCase();
      const liquidation = exact(row.liquidationPrice);
      return {
        symbol: String(row.symbol),
        direction: amount.gt('0') ? 'long' : amount.lt('0') ? 'short' : 'flat',
        quantity: toDecimalString(amount.abs()),
        ...(exact(row.entryPrice) !== undefined && amount.abs().gt('0') ? { entryPrice: exact(row.entryPrice)! } : {}),
        ...(exact(row.markPrice) !== undefined ? { markPrice: exact(row.markPrice)! } : {}),
        ...(liquidation !== undefined && decimal(liquidation).gt('0') ? { liquidationPrice: liquidation } : {}),
        ...(exact(row.leverage) !== undefined ? { leverage: exact(row.leverage)! } : {}),
        ...(marginType === 'isolated' || marginType === 'cross' ? { marginMode: marginType } : {}),
        ...(exact(row.unRealizedProfit ?? row.unrealizedProfit) !== undefined ? { unrealizedPnl: exact(row.unRealizedProfit ?? row.unrealizedProfit)! } : {}),
      } satisfies VenuePosition;
    });
  }

  fundingFromRaw(payload: unknown, venue: string): Extract<AccountReport, { type: 'funding' }> | undefined {
    const row = payload as Raw;
    if (row.incomeType !== 'FUNDING_FEE') return undefined;
    const amount = exact(row.income);
    if (amount === undefined) return undefined;
    return {
      type: 'funding',
      venue,
      symbol: String(row.symbol),
      amount,
      currency: String(row.asset),
      // The income record does not carry the rate; the adapter fills it from the funding rate history.
      rate: '0',
      timestamp: Number(row.time ?? 0),
      fundingId: String(row.tranId),
    };
  }

  accountChangeFromStream(payload: unknown): AccountChange | undefined {
    // Futures ACCOUNT_UPDATE: `a.m` is why (ORDER, FUNDING_FEE, ...). A funding message carries no payment id,
    // so the payments themselves are read from the income history, whose tranId is their id.
    const info = payload as Raw;
    if (info.e !== 'ACCOUNT_UPDATE') return undefined;
    const update = (info.a ?? {}) as Raw;
    return { fundingPaid: update.m === 'FUNDING_FEE', positionsChanged: Array.isArray(update.P) && update.P.length > 0 };
  }

  liquidationKinds(): ReadonlyArray<Record<string, unknown>> {
    // GET /fapi/v1/forceOrders lists one kind per request; ccxt asks for LIQUIDATION unless told.
    return this.market === 'future' ? [{ autoCloseType: 'LIQUIDATION' }, { autoCloseType: 'ADL' }] : [];
  }

  forcedCloseFromRest(payload: unknown): { venueOrderId: string; symbol: string; side: OrderSide; time: number } | undefined {
    const row = payload as Raw;
    if (row.orderId === undefined || typeof row.symbol !== 'string') return undefined;
    return { venueOrderId: String(row.orderId), symbol: row.symbol, side: String(row.side) === 'BUY' ? 'buy' : 'sell', time: Number(row.updateTime ?? row.time ?? 0) };
  }

  liquidationFromStream(payload: unknown, venue: string): Extract<AccountReport, { type: 'liquidation' }> | undefined {
    // ORDER_TRADE_UPDATE's `o` of the exchange's own order: liquidation "autoclose-…", auto-deleverage "adl_autoclose".
    const info = payload as Raw;
    const clientOrderId = String(info.c ?? '');
    if (!(clientOrderId.startsWith('autoclose-') || clientOrderId === 'adl_autoclose') || info.x !== 'TRADE') return undefined;
    const fill = this.fillFromStream(info);
    if (fill === undefined) return undefined;
    return { type: 'liquidation', venue, symbol: fill.symbol, side: String(info.S) === 'BUY' ? 'buy' : 'sell', quantity: fill.quantity, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency, timestamp: fill.timestamp, tradeId: fill.tradeId };
  }

  classifyError(error: unknown): ErrorClass {
    const message = error instanceof Error ? error.message : String(error);
    const code = binanceCode(message);
    const reason = binanceMessage(message) ?? message;
    if (error instanceof ccxtErrors.AuthenticationError || error instanceof ccxtErrors.PermissionDenied || code === -2015 || code === -2014 || code === -1022) return { kind: 'credentials', reason };
    if (error instanceof ccxtErrors.InvalidNonce || code === -1021) return { kind: 'clockSkew', reason };
    if (error instanceof ccxtErrors.DDoSProtection || error instanceof ccxtErrors.RateLimitExceeded || code === -1003 || code === -1015 || /\b(429|418)\b/.test(message)) return { kind: 'rateLimited', reason };
    if (code === -4116 || (code === -2010 && DUPLICATE_PATTERN.test(reason)) || error instanceof ccxtErrors.DuplicateOrderId) return { kind: 'duplicate', reason };
    if (code !== undefined && NOT_FOUND_CODES.has(code)) return { kind: 'notFound', reason };
    if (error instanceof ccxtErrors.OrderNotFound) return { kind: 'notFound', reason };
    // -1007 (backend timeout, "execution status unknown"), -1001, 5xx, network errors: the request may have landed.
    if (code === -1007 || code === -1001 || code === -1006 || code === -1008 || error instanceof ccxtErrors.NetworkError) return { kind: 'ambiguous', reason };
    if ((code !== undefined && REFUSED_CODES.has(code)) || error instanceof ccxtErrors.InvalidOrder || error instanceof ccxtErrors.InsufficientFunds || error instanceof ccxtErrors.BadRequest || error instanceof ccxtErrors.BadSymbol) {
      return { kind: 'refused', reason };
    }
    // Anything else (an unknown answer) may hide a placed order: never read it as a refusal.
    return { kind: 'ambiguous', reason };
  }

  cancelReplaceFailure(error: unknown): CancelReplaceFailure | undefined {
    const message = error instanceof Error ? error.message : String(error);
    const code = binanceCode(message);
    if (code !== -2021 && code !== -2022) return undefined;
    const detail = /"newOrderResponse"\s*:\s*\{[^}]*"msg"\s*:\s*"([^"]*)"/.exec(message)?.[1] ?? /"cancelResponse"\s*:\s*\{[^}]*"msg"\s*:\s*"([^"]*)"/.exec(message)?.[1];
    if (code === -2021) return { canceled: true, reason: `the order was canceled but its replacement was refused: ${detail ?? 'no reason given'}` };
    return { canceled: false, reason: `the cancel failed, so no replacement was placed: ${detail ?? 'no reason given'}` };
  }

  orderCountLimitsFrom(url: string, body: string): OrderCountLimit[] | undefined {
    return url.includes('/exchangeInfo') ? binanceOrderCountLimits(body) : undefined;
  }

  isOrderCountRefusal(body: string): boolean {
    // -1015: "Too many new orders; current limit is %s orders per %s."
    return binanceCode(body) === -1015;
  }

  weightLimitFrom(url: string, body: string): number | undefined {
    if (!url.includes('/exchangeInfo')) return undefined;
    try {
      const info = JSON.parse(body) as { rateLimits?: Array<{ rateLimitType?: string; interval?: string; intervalNum?: number; limit?: number }> };
      const weight = info.rateLimits?.find((limit) => limit.rateLimitType === 'REQUEST_WEIGHT' && limit.interval === 'MINUTE' && limit.intervalNum === 1);
      return typeof weight?.limit === 'number' && weight.limit > 0 ? weight.limit : undefined;
    } catch {
      return undefined;
    }
  }

  weightOf(call: WeightedCall): number {
    const spot = this.market === 'spot';
    switch (call) {
      case 'createOrder':
      case 'cancelOrder':
      case 'editOrder':
      case 'fetchTime':
      case 'setLeverage':
      case 'setMarginMode':
      case 'listenKey':
        return 1;
      case 'fetchOrder':
        return spot ? 4 : 1;
      case 'fetchOpenOrders':
        return spot ? 80 : 40;
      case 'fetchMyTrades':
        return 5;
      case 'fetchBalance':
        return spot ? 20 : 5;
      case 'fetchPositions':
        return 5;
      case 'loadMarkets':
        return 20;
      case 'fetchFundingHistory':
        return 30;
      case 'fetchLiquidations':
        return 50;
    }
  }

  async prepareUserStream(exchange: Exchange): Promise<void> {
    // Spot: a signed userDataStream.subscribe.signature on the WebSocket API; futures: a listen key over REST.
    await (exchange as unknown as { authenticate(params: Record<string, unknown>): Promise<void> }).authenticate({ type: this.market });
  }

  async userStreamOpened(exchange: Exchange): Promise<void> {
    const client = exchange.client(this.userStreamUrl(exchange)) as unknown as { connected: Promise<unknown> };
    await client.connected;
  }

  async closeUserStream(exchange: Exchange): Promise<void> {
    const url = this.userStreamUrl(exchange);
    const client = (exchange.clients as Record<string, { close(): Promise<unknown> | void } | undefined>)[url];
    if (client !== undefined) await client.close();
    if (this.market === 'future') {
      // A new listen key on the next dial (an expired one would leave a socket that never speaks).
      const futureOptions = (exchange.options as Record<string, Raw>).future;
      if (futureOptions !== undefined) Object.assign(futureOptions, { listenKey: undefined, lastAuthenticatedTime: 0 });
    }
  }

  private userStreamUrl(exchange: Exchange): string {
    const urls = (exchange.urls as unknown as { api: { ws: Record<string, unknown> } }).api.ws;
    if (this.market === 'spot') return (urls['ws-api'] as Record<string, string>).spot!;
    const listenKey = String(((exchange.options as Record<string, Raw>).future ?? {}).listenKey);
    return (exchange as unknown as { getPrivateWsUrl(type: string, key: string): string }).getPrivateWsUrl('future', listenKey);
  }
}

/**
 * Every REST base URL of the exchange moved onto `urls.rest` (same paths: /api/v3, /fapi/v1, ...), and the
 * WebSocket ones onto `urls.ws` under fixed paths: /ws (spot streams), /ws-api/v3 (spot WebSocket API, the
 * user data stream), /fws/{public,market,private}/ws (USDⓈ-M streams; ccxt adds the category). One host
 * serves all of them: a simulator, or a proxy that routes by path to Binance's hosts.
 */
function overrideUrls(exchange: Exchange, urls: UrlOverride): void {
  const rest = urls.rest.replace(/\/+$/, '');
  const ws = urls.ws.replace(/\/+$/, '');
  const api = (exchange.urls as { api: Record<string, unknown> }).api;
  for (const [key, value] of Object.entries(api)) {
    if (typeof value === 'string') api[key] = value.replace(/^https?:\/\/[^/]+/, rest);
  }
  api.ws = {
    spot: `${ws}/ws`,
    margin: `${ws}/ws`,
    future: `${ws}/fws/ws`,
    delivery: `${ws}/dws/ws`,
    'ws-api': { spot: `${ws}/ws-api/v3`, future: `${ws}/ws-fapi/v1`, delivery: `${ws}/ws-dapi/v1` },
  };
}

function binanceCode(message: string): number | undefined {
  const match = /"code"\s*:\s*(-?\d+)/.exec(message);
  return match === null ? undefined : Number(match[1]);
}

function binanceMessage(message: string): string | undefined {
  return /"msg"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
}
