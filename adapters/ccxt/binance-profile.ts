// The Binance profiles (spot and USDⓈ-M futures) of the ccxt adapter: client order ids, capabilities and
// instruments from exchangeInfo, the params of each order; the rest is delegated to one file per concern
// (binance-connection, -payloads, -account-payloads, -conditional-orders, -errors, -request-limits).
import type { Exchange } from 'ccxt';
import { decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { InstrumentSpec } from '../../src/domain/instrument.ts';
import type { OrderSide, OrderType } from '../../src/domain/order-request.ts';
import type { AccountReport, Balance, VenueCapabilities, VenueOrder, VenuePosition } from '../venue.ts';
import { accountChangeFromBinance, balancesFromBinance, feesFromBinance, forcedCloseFromBinance, fundingFromBinance, liquidationFromBinanceStream, positionsFromBinance } from './binance-account-payloads.ts';
import { FUTURES_CONDITIONAL_TYPES, algoOrderFromRaw, conditionalOrderParams, futuresTrailingIssue, isAlgoRecord } from './binance-conditional-orders.ts';
import { binanceUserStreamOpened, closeBinanceUserStream, createBinanceExchange, prepareBinanceUserStream } from './binance-connection.ts';
import { binanceCancelReplaceFailure, classifyBinanceError, isBinanceOrderCountRefusal } from './binance-errors.ts';
import { spotTrailingIssue, spotTrailingParams, spotTrailingType } from './binance-spot-trailing.ts';
import { BINANCE_SPOT_ORDER_LISTS } from './binance-order-lists.ts';
import { fillFromBinanceRest, fillFromBinanceStream, marketTradeFromBinance, orderFromBinance } from './binance-payloads.ts';
import { binanceWeightLimitFrom, binanceWeightOf } from './binance-request-limits.ts';
import { BINANCE_CLIENT_ORDER_IDS, ClientOrderIdCodec, type ExchangeIdResult } from './client-order-ids.ts';
import { binanceOrderCountLimits, type OrderCountLimit } from './order-count-budget.ts';
import type { AccountChange, CancelReplaceFailure, ErrorClass, ExchangeProfile, MarketKind, OrderListProtocol, RawFill, RawMarketTrade, RawOrderState, UrlOverride, WeightedCall } from './profile.ts';
import { exact } from './raw-decimal.ts';

const CLIENT_ORDER_IDS = new ClientOrderIdCodec(BINANCE_CLIENT_ORDER_IDS);
/** A cancel-replace's id: the engine id, "/r" and the generation ("/" is never in an engine id). */
const REPLACEMENT_SUFFIX = /\/r[1-9][0-9]*$/;

type Raw = Record<string, unknown>;

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

export class BinanceProfile implements ExchangeProfile {
  readonly exchange = 'binance';
  readonly amendStyle: 'native' | 'cancelReplace';
  readonly usedWeightHeader = 'x-mbx-used-weight-1m';
  /** Spot holds OCO lists (POST /api/v3/orderList/oco); USDⓈ-M futures has no order lists. */
  readonly orderLists: OrderListProtocol | undefined;

  constructor(readonly market: MarketKind) {
    this.amendStyle = market === 'future' ? 'native' : 'cancelReplace';
    this.orderLists = market === 'spot' ? BINANCE_SPOT_ORDER_LISTS : undefined;
  }

  createExchange(config: { apiKey: string; secret: string; testnet: boolean; urls?: UrlOverride; recvWindowMs: number }): Exchange {
    return createBinanceExchange(this.market, config);
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
    // Spot trailing stops: STOP_LOSS / TAKE_PROFIT with trailingDelta, where every traded symbol allows them.
    const spotTrailing =
      this.market === 'spot' && conditional.includes('stop') && conditional.includes('takeProfit') && tradedSymbols.every((symbol) => (exchange.markets?.[symbol]?.info as Raw | undefined)?.allowTrailingStop === true);
    // OCO lists where every traded symbol allows them (exchangeInfo ocoAllowed) and holds LIMIT_MAKER and the stops.
    const oco = this.orderLists !== undefined && tradedSymbols.length > 0 && conditional.includes('stop') && listed.every((types) => types.has('LIMIT_MAKER')) && tradedSymbols.every((symbol) => (exchange.markets?.[symbol]?.info as Raw | undefined)?.ocoAllowed === true);
    return {
      ...(oco ? { orderLists: this.orderLists!.kinds } : {}),
      orderTypes: ['market', 'limit', ...conditional, ...(spotTrailing ? (['trailingStop'] as const) : [])],
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

  ccxtOrderType(type: OrderType, order?: VenueOrder): string {
    if (this.market === 'spot' && type === 'trailingStop') {
      if (order === undefined) throw new Error('binance spot: a trailing stop is sent only as a new order');
      return spotTrailingType(order);
    }
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
    else if (order.type === 'trailingStop') Object.assign(params, spotTrailingParams(order));
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

  termsIssue(order: VenueOrder, exchange: Exchange): string | undefined {
    return this.market === 'future' ? futuresTrailingIssue(order) : spotTrailingIssue(order, exchange.markets?.[order.symbol]?.info as Record<string, unknown> | undefined);
  }

  orderFromRaw(payload: unknown): RawOrderState | undefined {
    const info = payload as Raw;
    return this.market === 'future' && isAlgoRecord(info) ? algoOrderFromRaw(info) : orderFromBinance(info);
  }

  fillFromStream(payload: unknown): RawFill | undefined {
    return fillFromBinanceStream(payload as Raw);
  }

  marketTradeFromRaw(payload: unknown): RawMarketTrade | undefined {
    return marketTradeFromBinance(payload as Raw);
  }

  fillsOfOrderParams(venueOrderId: string): Record<string, unknown> {
    return { orderId: venueOrderId };
  }

  fillFromRest(payload: unknown): RawFill {
    return fillFromBinanceRest(payload as Raw);
  }

  balancesFromRaw(payload: unknown): Balance[] {
    return balancesFromBinance(payload);
  }

  feesFromRaw(payload: unknown): { maker: DecimalString; taker: DecimalString } | undefined {
    return feesFromBinance(payload);
  }

  positionsFromRaw(payload: unknown): VenuePosition[] {
    return positionsFromBinance(payload);
  }

  fundingFromRaw(payload: unknown, venue: string): Extract<AccountReport, { type: 'funding' }> | undefined {
    return fundingFromBinance(payload, venue);
  }

  accountChangeFromStream(payload: unknown): AccountChange | undefined {
    return accountChangeFromBinance(payload);
  }

  liquidationKinds(): ReadonlyArray<Record<string, unknown>> {
    // GET /fapi/v1/forceOrders lists one kind per request; ccxt asks for LIQUIDATION unless told.
    return this.market === 'future' ? [{ autoCloseType: 'LIQUIDATION' }, { autoCloseType: 'ADL' }] : [];
  }

  forcedCloseFromRest(payload: unknown): { venueOrderId: string; symbol: string; side: OrderSide; time: number } | undefined {
    return forcedCloseFromBinance(payload);
  }

  liquidationFromStream(payload: unknown, venue: string): Extract<AccountReport, { type: 'liquidation' }> | undefined {
    return liquidationFromBinanceStream(payload, venue);
  }

  classifyError(error: unknown): ErrorClass {
    return classifyBinanceError(error);
  }

  cancelReplaceFailure(error: unknown): CancelReplaceFailure | undefined {
    return binanceCancelReplaceFailure(error);
  }

  orderCountLimitsFrom(url: string, body: string): OrderCountLimit[] | undefined {
    return url.includes('/exchangeInfo') ? binanceOrderCountLimits(body) : undefined;
  }

  isOrderCountRefusal(body: string): boolean {
    return isBinanceOrderCountRefusal(body);
  }

  weightLimitFrom(url: string, body: string): number | undefined {
    return binanceWeightLimitFrom(url, body);
  }

  weightOf(call: WeightedCall): number {
    return binanceWeightOf(this.market, call);
  }

  prepareUserStream(exchange: Exchange): Promise<void> {
    return prepareBinanceUserStream(this.market, exchange);
  }

  userStreamOpened(exchange: Exchange): Promise<void> {
    return binanceUserStreamOpened(this.market, exchange);
  }

  closeUserStream(exchange: Exchange): Promise<void> {
    return closeBinanceUserStream(this.market, exchange);
  }

}
