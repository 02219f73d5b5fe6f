// Binance's request limits: each call's request weight, and the per-minute limit exchangeInfo states.
import type { MarketKind, WeightedCall } from './profile.ts';

/** The request weight of each call the adapter makes, as Binance documents it. */
export function binanceWeightOf(market: MarketKind, call: WeightedCall): number {
  const spot = market === 'spot';
  switch (call) {
    case 'createOrder':
    case 'createOrderList':
    case 'cancelOrder':
    case 'cancelOrderList':
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

/** Binance's own REQUEST_WEIGHT per minute, from exchangeInfo. */
export function binanceWeightLimitFrom(url: string, body: string): number | undefined {
  if (!url.includes('/exchangeInfo')) return undefined;
  try {
    const info = JSON.parse(body) as { rateLimits?: Array<{ rateLimitType?: string; interval?: string; intervalNum?: number; limit?: number }> };
    const weight = info.rateLimits?.find((limit) => limit.rateLimitType === 'REQUEST_WEIGHT' && limit.interval === 'MINUTE' && limit.intervalNum === 1);
    return typeof weight?.limit === 'number' && weight.limit > 0 ? weight.limit : undefined;
  } catch {
    return undefined;
  }
}
