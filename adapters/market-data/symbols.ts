// Symbols from exchange file names: BTCUSDT -> BTC/USDT for the common quote assets, with futures suffixes dropped.

/** Quote assets recognised at the end of a concatenated symbol, longest first so FDUSD wins over USD. */
export const COMMON_QUOTE_ASSETS = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USDP', 'DAI', 'TRY', 'EUR', 'BRL', 'JPY', 'GBP', 'AUD', 'BTC', 'ETH', 'BNB', 'USD'] as const;

export interface InferredSymbol {
  /** As the runtime names it: `BTC/USDT`. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
}

/**
 * Splits an exchange's concatenated symbol (`BTCUSDT`, `ETHBTC`, `BTCUSD_PERP`, `BTC-USDT`, `BTC_USDT`) into
 * base and quote. Undefined when no common quote asset ends it (the config must then name the instrument).
 */
export function splitExchangeSymbol(raw: string): InferredSymbol | undefined {
  const upper = raw.toUpperCase().replace(/_(PERP|\d{6})$/, '');
  const separated = /^([A-Z0-9]+)[-_/]([A-Z0-9]+)$/.exec(upper);
  if (separated !== null) return { symbol: `${separated[1]}/${separated[2]}`, base: separated[1]!, quote: separated[2]! };
  if (!/^[A-Z0-9]+$/.test(upper)) return undefined;
  for (const quote of COMMON_QUOTE_ASSETS) {
    if (upper.length > quote.length && upper.endsWith(quote)) {
      const base = upper.slice(0, -quote.length);
      return { symbol: `${base}/${quote}`, base, quote };
    }
  }
  return undefined;
}
