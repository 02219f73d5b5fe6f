// REST access to one exchange through ccxt, as the ccxt venue uses it: every call under the request-weight
// budget and the exchange's rate-limit bans (read off its own response headers), signed with the exchange's
// clock, and answers read from raw payloads into exact-decimal order states and fills.
import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { Clock } from '../../src/domain/clock.ts';
import type { OrderType } from '../../src/domain/order-request.ts';
import type { ExchangeProfile, RawFill, RawOrderState, WeightedCall } from './profile.ts';
import { OrderCountBudget } from './order-count-budget.ts';
import { RequestBudget } from './request-budget.ts';

/** A ccxt call refused locally before it was sent (rate-limit ban, spent weight budget). */
export class NotSent extends Error {}

/** The exchanges' documented limits, used until the exchange states its own. */
const DEFAULT_WEIGHT_LIMIT = { spot: 6000, future: 2400 } as const;

export interface ExchangeRestOptions {
  readonly exchange: Exchange;
  readonly profile: ExchangeProfile;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly venueId: string;
  /** A fixed weight limit per minute; default: what the exchange states. */
  readonly weightLimitPerMinute?: number;
  /** The symbols traded (to look for an order whose symbol is not known). */
  readonly symbols: () => readonly string[];
}

export class ExchangeRest {
  readonly exchange: Exchange;
  private readonly profile: ExchangeProfile;
  private readonly clock: Clock;
  private readonly budget: RequestBudget;
  /** The exchange's limits on new orders (count per window), apart from request weight. */
  readonly orderCount: OrderCountBudget;
  /** Wall time of the last resync a refused timestamp caused. */
  private lastSkewResync = 0;

  constructor(private readonly options: ExchangeRestOptions) {
    this.exchange = options.exchange;
    this.profile = options.profile;
    this.clock = options.clock;
    this.budget = new RequestBudget(this.clock, { limit: options.weightLimitPerMinute ?? DEFAULT_WEIGHT_LIMIT[this.profile.market] });
    this.orderCount = new OrderCountBudget(this.clock);
    this.observeResponses();
  }

  /** Clock time until which nothing is sent (a 429/418 ban), or 0. */
  get bannedUntil(): number {
    return this.budget.bannedUntilTime;
  }

  /**
   * Every REST call goes through here: the weight budget and rate-limit bans first, then ccxt. Writes are
   * not held back (a late order is a different order): refused at once with NotSent. Reads wait.
   */
  async call<T>(name: WeightedCall, kind: 'read' | 'write', run: () => Promise<T>): Promise<T> {
    const weight = this.profile.weightOf(name);
    for (;;) {
      const admission = this.budget.admit(weight, kind);
      if (admission.admitted) break;
      if (kind === 'write') throw new NotSent(admission.reason);
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, Math.max(50, admission.retryAt - this.clock.now())));
    }
    // A new order counts once; an order list once per leg (Binance's OCO: 2).
    const newOrders = name === 'createOrder' || name === 'editOrder' ? 1 : name === 'createOrderList' ? 2 : 0;
    if (newOrders > 0) {
      const refusal = this.orderCount.admit(newOrders);
      if (refusal !== undefined) throw new NotSent(refusal);
    }
    try {
      return await run();
    } catch (error) {
      // A read refused for its timestamp is asked again once with the exchange's clock; a write never is.
      if (this.profile.classifyError(error).kind === 'clockSkew' && kind === 'read') {
        await this.resyncAfterRefusedTimestamp();
        return await run();
      }
      throw error;
    }
  }

  /** The exchange's clock: signed requests carry its time, so a skewed local clock never makes them stale. */
  async syncTime(): Promise<void> {
    const before = Date.now();
    const serverTime = (await this.call('fetchTime', 'read', () => this.exchange.fetchTime())) as number;
    const after = Date.now();
    (this.exchange.options as Record<string, unknown>).timeDifference = Math.round((before + after) / 2) - serverTime;
  }

  /**
   * At most one time resync per 10 s, however many requests a skew refuses: never a storm. Wall time on
   * purpose: ccxt stamps requests with it, so the offset is between the wall clock and the exchange's.
   */
  async resyncAfterRefusedTimestamp(): Promise<void> {
    if (Date.now() - this.lastSkewResync < 10_000) return;
    this.lastSkewResync = Date.now();
    await this.syncTime().catch((error) => this.options.logger.warn({ err: error }, `venue ${this.options.venueId}: time resync failed`));
  }

  /**
   * The order the exchange holds under this client order id (looked for in every traded symbol if need be).
   * `type` says where to look: a type the exchange keeps apart until its trigger is asked of its conditional
   * book (and, once triggered, of the order it became); another type only of the regular orders; no type of
   * both, regular first.
   */
  async fetchOrderState(exchangeClientOrderId: string, symbol: string | undefined, type?: OrderType): Promise<RawOrderState | undefined> {
    const conditionalParams = this.profile.conditionalParams?.();
    const apart = conditionalParams !== undefined && (type === undefined || this.profile.heldApart?.(type) === true);
    const regular = type === undefined || !apart;
    const symbols = symbol !== undefined ? [symbol] : this.options.symbols();
    for (const candidate of symbols) {
      if (regular) {
        const state = await this.readOrder(candidate, undefined, this.profile.byClientOrderId(exchangeClientOrderId));
        if (state !== undefined) return state;
      }
      if (apart) {
        const state = await this.readOrder(candidate, undefined, { ...this.profile.byClientOrderId(exchangeClientOrderId), ...conditionalParams });
        if (state !== undefined) return state.heldApart === false ? await this.triggeredState(candidate, state) : state;
      }
    }
    return undefined;
  }

  /** A triggered conditional order's state is its regular order's, under the conditional order's own id and terms. */
  private async triggeredState(symbol: string, conditional: RawOrderState): Promise<RawOrderState> {
    const order = await this.readOrder(symbol, conditional.venueOrderId, {});
    if (order === undefined) return conditional;
    return { ...order, exchangeClientOrderId: conditional.exchangeClientOrderId, type: conditional.type, ...(conditional.stopPrice !== undefined ? { stopPrice: conditional.stopPrice } : {}), working: true, heldApart: false };
  }

  private async readOrder(symbol: string, venueOrderId: string | undefined, params: Record<string, unknown>): Promise<RawOrderState | undefined> {
    try {
      const order = await this.call('fetchOrder', 'read', () => this.exchange.fetchOrder(venueOrderId as unknown as string, symbol, params));
      const state = this.profile.orderFromRaw((order as { info: unknown }).info);
      return state === undefined ? undefined : this.withUnifiedSymbol(state);
    } catch (error) {
      if (this.profile.classifyError(error).kind === 'notFound') return undefined;
      throw error;
    }
  }

  /** Every open order of the account in the traded symbols (one request for all, and one for the conditional book). */
  async fetchOpenOrderStates(isTraded: (symbol: string) => boolean): Promise<RawOrderState[]> {
    const orders = (await this.call('fetchOpenOrders', 'read', () => this.exchange.fetchOpenOrders())) as Array<{ info: unknown }>;
    const conditionalParams = this.profile.conditionalParams?.();
    if (conditionalParams !== undefined) orders.push(...((await this.call('fetchOpenOrders', 'read', () => this.exchange.fetchOpenOrders(undefined, undefined, undefined, conditionalParams))) as Array<{ info: unknown }>));
    const states: RawOrderState[] = [];
    for (const order of orders) {
      const state = this.profile.orderFromRaw(order.info);
      if (state !== undefined && isTraded(this.symbolOfMarketId(state.symbol))) states.push(this.withUnifiedSymbol(state));
    }
    return states;
  }

  /** Every fill of one exchange order, from the account's trade list. */
  async fetchFills(symbol: string, venueOrderId: string): Promise<RawFill[]> {
    const trades = (await this.call('fetchMyTrades', 'read', () => this.exchange.fetchMyTrades(symbol, undefined, undefined, this.profile.fillsOfOrderParams(venueOrderId)))) as Array<{ info: unknown }>;
    return trades.map((trade) => this.profile.fillFromRest(trade.info)).filter((fill) => fill.venueOrderId === venueOrderId);
  }

  marketId(symbol: string): string {
    return (this.exchange.markets?.[symbol]?.id as string | undefined) ?? symbol;
  }

  symbolOfMarketId(marketId: string): string {
    const markets = (this.exchange as unknown as { markets_by_id?: Record<string, Array<{ symbol: string }>> }).markets_by_id;
    return markets?.[marketId]?.[0]?.symbol ?? marketId;
  }

  withUnifiedSymbol(state: RawOrderState): RawOrderState {
    return { ...state, symbol: this.symbolOfMarketId(state.symbol) };
  }

  /** Reads the exchange's weight headers, stated limits and 429/418 answers off every REST response ccxt receives. */
  private observeResponses(): void {
    const exchange = this.exchange as unknown as { onRestResponse: (status: number, statusText: string, url: string, method: string, headers: Record<string, string>, body: string, ...rest: unknown[]) => string };
    const original = exchange.onRestResponse.bind(this.exchange);
    exchange.onRestResponse = (status, statusText, url, method, headers, body, ...rest) => {
      // Names are asked in lower case; a header not found as given is looked for in a lower-cased copy, made once.
      let lowerCased: Record<string, string> | undefined;
      const header = (name: string) => {
        const direct = headers[name];
        if (direct !== undefined) return direct;
        lowerCased ??= Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
        return lowerCased[name];
      };
      if (status === 200 && this.options.weightLimitPerMinute === undefined) {
        const limit = this.profile.weightLimitFrom(url, body);
        if (limit !== undefined) this.budget.setLimit(limit);
      }
      if (status === 200) {
        const orderLimits = this.profile.orderCountLimitsFrom(url, body);
        if (orderLimits !== undefined) this.orderCount.setLimits(orderLimits);
      }
      this.orderCount.observe(header);
      const used = this.profile.usedWeightHeader === undefined ? undefined : header(this.profile.usedWeightHeader);
      if (used !== undefined) this.budget.observeUsedWeight(Number(used));
      if (status === 429 && this.profile.isOrderCountRefusal(body)) {
        // Too many new orders: only new orders wait (reads and cancels are not counted against it).
        const retryAfter = header('retry-after');
        this.orderCount.observeRefusal(retryAfter === undefined ? undefined : Number(retryAfter), 'too many new orders (429)');
        this.options.logger.warn({ status, retryAfter }, `venue ${this.options.venueId}: the exchange refused a new order for the order count; new orders wait`);
      } else if (status === 429 || status === 418) {
        const retryAfter = header('retry-after');
        this.budget.observeBan(status, retryAfter === undefined ? undefined : Number(retryAfter));
        this.options.logger.warn({ status, retryAfter }, `venue ${this.options.venueId}: the exchange answered ${status}; nothing is sent until Retry-After has passed`);
      }
      return original(status, statusText, url, method, headers, body, ...rest);
    };
  }
}
