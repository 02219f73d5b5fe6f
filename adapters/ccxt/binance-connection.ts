// How the ccxt adapter connects to Binance: the ccxt.pro instance for spot or USDⓈ-M futures (its options,
// testnet or demo trading, base URLs overridden for a simulator or proxy) and the user data stream's socket.
import type { Exchange } from 'ccxt';
import { pro } from './ccxt-library.ts';
import type { MarketKind, UrlOverride } from './profile.ts';

type Raw = Record<string, unknown>;

/** The ccxt.pro instance for one market; `urls` replaces Binance's base URLs. */
export function createBinanceExchange(market: MarketKind, config: { apiKey: string; secret: string; testnet: boolean; urls?: UrlOverride; recvWindowMs: number }): Exchange {
  const options = {
    apiKey: config.apiKey,
    secret: config.secret,
    // The adapter budgets request weight itself from the exchange's own headers.
    enableRateLimit: false,
    options: {
      fetchMarkets: { types: [market === 'spot' ? 'spot' : 'linear'] },
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
      defaultType: market === 'spot' ? 'spot' : 'future',
    },
  };
  const exchange: Exchange = market === 'spot' ? new pro.binance(options) : new pro.binanceusdm(options);
  if (config.testnet && config.urls === undefined) {
    // ccxt refuses sandbox mode for futures (Binance retired that testnet for "demo trading"); futures on
    // testnet therefore need `urls`.
    if (market === 'spot') exchange.setSandboxMode(true);
    else exchange.enableDemoTrading?.(true);
  }
  if (config.urls !== undefined) overrideUrls(exchange, config.urls);
  return exchange;
}

/** Opens the user stream's authentication before the watch loops start. */
export async function prepareBinanceUserStream(market: MarketKind, exchange: Exchange): Promise<void> {
  // Spot: a signed userDataStream.subscribe.signature on the WebSocket API; futures: a listen key over REST.
  await (exchange as unknown as { authenticate(params: Record<string, unknown>): Promise<void> }).authenticate({ type: market });
}

/** Resolves once the user stream's socket is open. */
export async function binanceUserStreamOpened(market: MarketKind, exchange: Exchange): Promise<void> {
  const client = exchange.client(binanceUserStreamUrl(market, exchange)) as unknown as { connected: Promise<unknown> };
  await client.connected;
}

/** Closes the user stream's socket, so the watch loops end with an error. */
export async function closeBinanceUserStream(market: MarketKind, exchange: Exchange): Promise<void> {
  const url = binanceUserStreamUrl(market, exchange);
  const client = (exchange.clients as Record<string, { close(): Promise<unknown> | void } | undefined>)[url];
  if (client !== undefined) await client.close();
  if (market === 'future') {
    // A new listen key on the next dial (an expired one would leave a socket that never speaks).
    const futureOptions = (exchange.options as Record<string, Raw>).future;
    if (futureOptions !== undefined) Object.assign(futureOptions, { listenKey: undefined, lastAuthenticatedTime: 0 });
  }
}

/** The user data stream's socket URL: spot's WebSocket API, or the futures private stream of the current listen key. */
function binanceUserStreamUrl(market: MarketKind, exchange: Exchange): string {
  const urls = (exchange.urls as unknown as { api: { ws: Record<string, unknown> } }).api.ws;
  if (market === 'spot') return (urls['ws-api'] as Record<string, string>).spot!;
  const listenKey = String(((exchange.options as Record<string, Raw>).future ?? {}).listenKey);
  return (exchange as unknown as { getPrivateWsUrl(type: string, key: string): string }).getPrivateWsUrl('future', listenKey);
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
