// A book for data that has none: before each trade of a trades-only (or bars-only) symbol, the paper venue is
// shown a one-level quote around it, so market orders, stops and exits can fill at the prices traded.
import { decimal, type Decimal } from '../domain/decimal.ts';
import type { QuoteTick, TradeTick } from '../domain/market-data.ts';

/**
 * Default size of each implied level, in base units: large enough that an order fills whole at the touch.
 * Trades say what changed hands, not what was on offer; set `data.impliedQuoteQuantity` to bound fills.
 */
export const DEFAULT_IMPLIED_QUOTE_QUANTITY = '1000000';

/**
 * The touch a trade implies: the side the aggressor took at the trade's price, the other side one tick away
 * (a buyer lifted the ask at the price, so the bid was at least a tick below; a seller hit the bid).
 */
export function impliedQuote(trade: TradeTick, tickSize: Decimal, quantity: Decimal): QuoteTick {
  const bid = trade.aggressor === 'sell' ? trade.price : trade.price.minus(tickSize);
  const ask = trade.aggressor === 'buy' ? trade.price : trade.price.plus(tickSize);
  return { type: 'quote', symbol: trade.symbol, timestamp: trade.timestamp, bids: bid.gt(decimal(0)) ? [{ price: bid, quantity }] : [], asks: [{ price: ask, quantity }] };
}
