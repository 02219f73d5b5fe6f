// The OKX spot profile of the ccxt adapter: ccxt.pro.okx set up for SPOT (cash mode), instruments from the
// instruments' tickSz/lotSz/minSz, exact decimals from OKX's raw v5 payloads, and OKX's error codes
// (50000/51000 series) read as what they mean for an order's fate. OKX amends orders in place.
import type { Exchange } from 'ccxt';
import { ccxtErrors, pro } from './ccxt-library.ts';
import { decimal, toDecimalString, type DecimalString } from '../../src/domain/decimal.ts';
import type { InstrumentSpec } from '../../src/domain/instrument.ts';
import type { OrderSide, OrderType } from '../../src/domain/order-request.ts';
import type { AccountReport, Balance, VenueCapabilities, VenueOrder, VenueOrderStatusName, VenuePosition } from '../venue.ts';
import { exact } from './raw-decimal.ts';
import { ClientOrderIdCodec, OKX_CLIENT_ORDER_IDS, type ExchangeIdResult } from './client-order-ids.ts';
import type { OrderCountLimit } from './order-count-budget.ts';
import type { AccountChange, CancelReplaceFailure, ErrorClass, ExchangeProfile, MarketKind, RawFill, RawMarketTrade, RawOrderState, UrlOverride, WeightedCall } from './profile.ts';

/** OKX clOrdId: 1 to 32 letters and digits; engine ids outside that are encoded (client-order-ids.ts). */
const CLIENT_ORDER_IDS = new ClientOrderIdCodec(OKX_CLIENT_ORDER_IDS);

type Raw = Record<string, unknown>;

const STATUS: Record<string, VenueOrderStatusName> = {
  live: 'open',
  partially_filled: 'partial',
  filled: 'filled',
  canceled: 'canceled',
  mmp_canceled: 'canceled',
};

const TYPE_FROM_OKX: Record<string, OrderType> = {
  market: 'market',
  limit: 'limit',
  post_only: 'limit',
  ioc: 'limit',
  fok: 'limit',
  optimal_limit_ioc: 'market',
};

/** OKX codes (sCode of the order, or the envelope's code) and what they mean for the request's outcome. */
const CREDENTIAL_CODES = new Set(['50100', '50101', '50103', '50104', '50105', '50106', '50107', '50110', '50111', '50112', '50113', '50114']);
const NOT_FOUND_CODES = new Set(['51603', '51400', '51401', '51402', '51503', '51509', '51510']);
const RATE_LIMIT_CODES = new Set(['50011', '50061']);
/** Endpoint timeout ("does not indicate success or failure"), system busy, service unavailable. */
const AMBIGUOUS_CODES = new Set(['50001', '50004', '50005', '50013', '50026']);

export interface OkxProfileOptions {
  /** The API key's passphrase (OK-ACCESS-PASSPHRASE), from the environment. */
  readonly passphrase?: string;
}

export class OkxProfile implements ExchangeProfile {
  readonly exchange = 'okx';
  readonly amendStyle = 'native' as const;
  /** OKX states no used-weight header; its limits are per endpoint (requests per 2 s). */
  readonly usedWeightHeader = undefined;
  private readonly passphrase: string;

  constructor(
    readonly market: MarketKind,
    options: OkxProfileOptions = {},
  ) {
    if (market !== 'spot') throw new Error(`okx: only the spot market is supported by this profile, not "${market}"`);
    this.passphrase = options.passphrase ?? '';
  }

  createExchange(config: { apiKey: string; secret: string; testnet: boolean; urls?: UrlOverride; recvWindowMs: number }): Exchange {
    if (this.passphrase === '') throw new Error('okx: the API key passphrase is required (from the environment)');
    const exchange: Exchange = new pro.okx({
      apiKey: config.apiKey,
      secret: config.secret,
      password: this.passphrase,
      enableRateLimit: false,
      options: {
        fetchMarkets: { types: ['spot'] },
        defaultType: 'spot',
        adjustForTimeDifference: false,
        // One order per request on trade/order (ccxt's default wraps it in trade/batch-orders).
        createOrder: 'privatePostTradeOrder',
        watchOrders: { type: 'SPOT' },
        watchMyTrades: { type: 'SPOT' },
        ws: { backoff: { base: 0 } },
      },
    });
    stampDeadline(exchange, config.recvWindowMs);
    // Currencies come from a private endpoint the adapter does not need; instruments carry what it uses.
    (exchange.has as Record<string, unknown>).fetchCurrencies = false;
    if (config.testnet && config.urls === undefined) exchange.setSandboxMode(true);
    if (config.urls !== undefined) overrideUrls(exchange, config.urls);
    return exchange;
  }

  exchangeClientOrderId(clientOrderId: string): ExchangeIdResult {
    return CLIENT_ORDER_IDS.toExchange(clientOrderId);
  }

  engineClientOrderId(exchangeClientOrderId: string): string {
    return CLIENT_ORDER_IDS.toEngine(exchangeClientOrderId);
  }

  replacementClientOrderId(): string | undefined {
    // OKX amends in place: an order keeps its ids.
    return undefined;
  }

  capabilities(exchange: Exchange, _tradedSymbols: readonly string[]): VenueCapabilities {
    const features = exchange.features as Record<string, unknown> | undefined;
    const spot = features?.spot as { createOrder?: { timeInForce?: Record<string, boolean> } } | undefined;
    const timeInForce = spot?.createOrder?.timeInForce ?? {};
    const has = exchange.has as Record<string, unknown>;
    return {
      orderTypes: ['market', 'limit'],
      timeInForce: (['GTC', 'IOC', 'FOK'] as const).filter((name) => timeInForce[name] === true),
      postOnly: timeInForce.PO === true,
      reduceOnly: false,
      amend: has.editOrder === true,
    };
  }

  instrument(market: { symbol: string; base: string; quote: string; info: unknown; active?: boolean | undefined }, fees: { maker: DecimalString; taker: DecimalString }): InstrumentSpec | undefined {
    const info = market.info as Raw;
    if (info.instType !== 'SPOT' || info.state !== 'live') return undefined;
    const tickSize = exact(info.tickSz);
    const lotSize = exact(info.lotSz);
    if (tickSize === undefined || lotSize === undefined || !decimal(tickSize).gt('0') || !decimal(lotSize).gt('0')) return undefined;
    return {
      symbol: market.symbol,
      base: market.base,
      quote: market.quote,
      tickSize,
      lotSize,
      minQuantity: exact(info.minSz) ?? lotSize,
      // OKX states no minimum notional for spot instruments.
      minNotional: '0',
      makerFee: fees.maker,
      takerFee: fees.taker,
    };
  }

  ccxtOrderType(type: OrderType): string {
    return type === 'market' ? 'market' : 'limit';
  }

  orderParams(order: VenueOrder, exchangeClientOrderId: string): Record<string, unknown> {
    // Cash mode (spot without margin); market orders sized in the base currency.
    const params: Record<string, unknown> = { clOrdId: exchangeClientOrderId, tdMode: 'cash' };
    if (order.type === 'market') params.tgtCcy = 'base_ccy';
    if (order.type === 'limit') {
      if (order.postOnly) params.postOnly = true;
      else params.timeInForce = order.timeInForce;
    }
    return params;
  }

  byClientOrderId(exchangeClientOrderId: string): Record<string, unknown> {
    return { clOrdId: exchangeClientOrderId };
  }

  orderFromRaw(payload: unknown): RawOrderState | undefined {
    const info = payload as Raw;
    // trade/order and orders-pending rows and `orders` channel pushes carry `state`; the answers of
    // trade/order (POST), cancel-order and amend-order carry only ids and sCode.
    const status = STATUS[String(info.state)];
    if (status === undefined) return undefined;
    const price = exact(info.px);
    return {
      exchangeClientOrderId: String(info.clOrdId ?? ''),
      venueOrderId: String(info.ordId),
      symbol: String(info.instId),
      side: (info.side === 'buy' ? 'buy' : 'sell') as OrderSide,
      type: TYPE_FROM_OKX[String(info.ordType)] ?? 'limit',
      status,
      quantity: exact(info.sz) ?? '0',
      filledQuantity: exact(info.accFillSz) ?? '0',
      ...(price !== undefined && decimal(price).gt('0') ? { price } : {}),
      // An `orders` push that answers an amend-order request: amendResult "0" is a successful amendment.
      ...(info.amendResult === '0' ? { amended: true } : {}),
      // amendResult -1: the amend-order request was taken but not applied; the order keeps its terms.
      ...(info.amendResult === '-1' ? { amendFailed: `${String(info.code ?? '')} ${String(info.msg ?? '')}`.trim() || 'no reason given' } : {}),
      timestamp: Number(info.uTime ?? info.cTime ?? 0),
    };
  }

  fillFromStream(payload: unknown): RawFill | undefined {
    const info = payload as Raw;
    // An `orders` push is a fill when it names a tradeId; fillSz/fillPx are that fill's own.
    if (typeof info.tradeId !== 'string' || info.tradeId === '') return undefined;
    const quantity = exact(info.fillSz);
    const price = exact(info.fillPx);
    if (quantity === undefined || price === undefined || !decimal(quantity).gt('0')) return undefined;
    return {
      exchangeClientOrderId: String(info.clOrdId ?? ''),
      venueOrderId: String(info.ordId),
      symbol: String(info.instId),
      tradeId: info.tradeId,
      quantity,
      price,
      fee: feeCharged(info.fillFee),
      feeCurrency: String(info.fillFeeCcy ?? ''),
      liquidity: info.execType === 'M' ? 'maker' : 'taker',
      timestamp: Number(info.fillTime ?? info.uTime ?? 0),
    };
  }

  marketTradeFromRaw(payload: unknown): RawMarketTrade | undefined {
    // A `trades` channel row: `side` is the taker's.
    const info = payload as Raw;
    const price = exact(info.px);
    const quantity = exact(info.sz);
    if (price === undefined || quantity === undefined || (info.side !== 'buy' && info.side !== 'sell')) return undefined;
    return { price, quantity, aggressor: info.side, timestamp: Number(info.ts ?? 0) };
  }

  fillsOfOrderParams(venueOrderId: string): Record<string, unknown> {
    // fills-history answers only the latest 100 fills of the instrument unless narrowed by ordId.
    return { ordId: venueOrderId };
  }

  fillFromRest(payload: unknown): RawFill {
    const info = payload as Raw;
    return {
      venueOrderId: String(info.ordId),
      symbol: String(info.instId),
      tradeId: String(info.tradeId),
      quantity: exact(info.fillSz) ?? '0',
      price: exact(info.fillPx) ?? '0',
      fee: feeCharged(info.fee),
      feeCurrency: String(info.feeCcy ?? ''),
      liquidity: info.execType === 'M' ? 'maker' : 'taker',
      timestamp: Number(info.ts ?? info.fillTime ?? 0),
    };
  }

  balancesFromRaw(payload: unknown): Balance[] {
    // account/balance: data[0].details, one row per currency; cashBal is the money, frozenBal what orders hold.
    const info = payload as Raw;
    const account = (Array.isArray(info.data) ? info.data[0] : undefined) as Raw | undefined;
    const details = (Array.isArray(account?.details) ? account.details : []) as Raw[];
    return details
      .map((row) => ({ currency: String(row.ccy), total: exact(row.cashBal) ?? exact(row.eq) ?? '0', reserved: exact(row.frozenBal) ?? '0' }))
      .filter((row) => decimal(row.total).gt('0'));
  }

  feesFromRaw(): { maker: DecimalString; taker: DecimalString } | undefined {
    // The balance payload states no fee rates (they are on account/trade-fee).
    return undefined;
  }

  positionsFromRaw(): VenuePosition[] {
    return [];
  }

  fundingFromRaw(): Extract<AccountReport, { type: 'funding' }> | undefined {
    return undefined;
  }

  accountChangeFromStream(): AccountChange | undefined {
    // Spot in cash mode: no funding, no positions.
    return undefined;
  }

  liquidationFromStream(): Extract<AccountReport, { type: 'liquidation' }> | undefined {
    return undefined;
  }

  classifyError(error: unknown): ErrorClass {
    const message = error instanceof Error ? error.message : String(error);
    const code = okxCode(message);
    const reason = okxMessage(message) ?? message;
    if (error instanceof ccxtErrors.AuthenticationError || error instanceof ccxtErrors.PermissionDenied || (code !== undefined && CREDENTIAL_CODES.has(code))) return { kind: 'credentials', reason };
    if (error instanceof ccxtErrors.InvalidNonce || code === '50102') return { kind: 'clockSkew', reason };
    if (error instanceof ccxtErrors.RateLimitExceeded || error instanceof ccxtErrors.DDoSProtection || (code !== undefined && RATE_LIMIT_CODES.has(code)) || /\b429\b/.test(message)) return { kind: 'rateLimited', reason };
    if (code === '51016') return { kind: 'duplicate', reason };
    if ((code !== undefined && NOT_FOUND_CODES.has(code)) || error instanceof ccxtErrors.OrderNotFound) return { kind: 'notFound', reason };
    if ((code !== undefined && AMBIGUOUS_CODES.has(code)) || error instanceof ccxtErrors.NetworkError) return { kind: 'ambiguous', reason };
    if (code !== undefined && code.startsWith('51')) return { kind: 'refused', reason };
    if (error instanceof ccxtErrors.InvalidOrder || error instanceof ccxtErrors.InsufficientFunds || error instanceof ccxtErrors.BadRequest || error instanceof ccxtErrors.BadSymbol) return { kind: 'refused', reason };
    // Anything else may hide a placed order: never read it as a refusal.
    return { kind: 'ambiguous', reason };
  }

  cancelReplaceFailure(): CancelReplaceFailure | undefined {
    // Amends are native: there is no cancel-replace to fail halfway.
    return undefined;
  }

  orderCountLimitsFrom(): OrderCountLimit[] | undefined {
    // OKX limits orders per endpoint and instrument, which the request budget's weights keep (see weightOf).
    return undefined;
  }

  isOrderCountRefusal(): boolean {
    return false;
  }

  weightLimitFrom(): number | undefined {
    return undefined;
  }

  weightOf(call: WeightedCall): number {
    // OKX limits each endpoint on its own, per 2 s. The adapter's one budget is 6000 per minute, so each
    // call weighs 6000 / (its endpoint's requests per minute): no endpoint can pass its own per-minute share.
    switch (call) {
      case 'createOrder': // trade/order: 60 per 2 s
      case 'createOrderList': // not sent: OKX lists are held by the engine
      case 'cancelOrderList':
      case 'cancelOrder': // trade/cancel-order: 60 per 2 s
      case 'editOrder': // trade/amend-order: 60 per 2 s
      case 'fetchOrder': // trade/order (GET): 60 per 2 s
      case 'fetchOpenOrders': // trade/orders-pending: 60 per 2 s
        return 4;
      case 'fetchMyTrades': // trade/fills-history: 10 per 2 s
      case 'fetchBalance': // account/balance: 10 per 2 s
      case 'fetchTime': // public/time: 10 per 2 s
        return 20;
      case 'loadMarkets': // public/instruments: 20 per 2 s
        return 10;
      case 'listenKey': // the private socket's login
        return 1;
      case 'fetchPositions':
      case 'setLeverage':
      case 'setMarginMode':
      case 'fetchFundingHistory':
      case 'fetchLiquidations':
        return 20;
    }
  }

  async prepareUserStream(exchange: Exchange): Promise<void> {
    // The private socket's login (op "login", signed timestamp + GET + /users/self/verify).
    await (exchange as unknown as { authenticate(params: Record<string, unknown>): Promise<void> }).authenticate({ access: 'private' });
  }

  async userStreamOpened(exchange: Exchange): Promise<void> {
    const client = exchange.client(this.userStreamUrl(exchange)) as unknown as { connected: Promise<unknown> };
    await client.connected;
  }

  async closeUserStream(exchange: Exchange): Promise<void> {
    const client = (exchange.clients as Record<string, { close(): Promise<unknown> | void } | undefined>)[this.userStreamUrl(exchange)];
    if (client !== undefined) await client.close();
  }

  private userStreamUrl(exchange: Exchange): string {
    return (exchange as unknown as { getUrl(channel: string, access: string): string }).getUrl('orders', 'private');
  }
}

/**
 * OKX's REST base moved onto `urls.rest` (same /api/v5 paths) and its WebSocket base onto `urls.ws`, under
 * which ccxt dials /public, /private and /business (OKX's own /ws/v5/... layout when `ws` ends in /ws/v5).
 */
function overrideUrls(exchange: Exchange, urls: UrlOverride): void {
  const api = (exchange.urls as { api: Record<string, unknown> }).api;
  api.rest = urls.rest.replace(/\/+$/, '');
  api.ws = urls.ws.replace(/\/+$/, '');
}

/**
 * Every order write carries OKX's `expTime` header (its request deadline, ms): OKX does not process it once
 * that time has passed, so an order not found by clOrdId after the receive window was never placed.
 */
function stampDeadline(exchange: Exchange, windowMs: number): void {
  const target = exchange as unknown as { sign(path: string, api?: unknown, method?: string, ...rest: unknown[]): { url: string; method: string; body: unknown; headers: Record<string, string> | undefined }; nonce(): number };
  const sign = target.sign.bind(exchange);
  target.sign = (path, api, method, ...rest) => {
    const signed = sign(path, api, method, ...rest);
    if (api === 'private' && method === 'POST' && path.startsWith('trade/')) signed.headers = { ...(signed.headers ?? {}), expTime: String(target.nonce() + windowMs) };
    return signed;
  };
}

/** OKX writes a fee charged as a negative number (a rebate as positive); the venue reports the charge. */
function feeCharged(value: unknown): DecimalString {
  const fee = exact(value);
  return fee === undefined ? '0' : toDecimalString(decimal(fee).neg());
}

function okxCode(message: string): string | undefined {
  // The order's own sCode says more than the envelope's code ("1": operation failed).
  return /"sCode"\s*:\s*"(\d+)"/.exec(message)?.[1] ?? /"code"\s*:\s*"(\d+)"/.exec(message)?.[1];
}

function okxMessage(message: string): string | undefined {
  const detail = /"sMsg"\s*:\s*"((?:[^"\\]|\\.)+)"/.exec(message)?.[1] ?? /"msg"\s*:\s*"((?:[^"\\]|\\.)+)"/.exec(message)?.[1];
  const code = okxCode(message);
  return detail === undefined ? undefined : code === undefined ? detail : `${code}: ${detail}`;
}
