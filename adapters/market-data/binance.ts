// Binance public data files (data.binance.vision), streamed: spot and futures trades, aggTrades and klines.
import path from 'node:path';
import type { BarTick, TradeTick } from '../../src/domain/market-data.ts';
import { checkBar, CsvFormatError } from './csv.ts';
import { dataFileError } from './data-file-error.ts';
import { readLineBatches } from './file-lines.ts';
import { nonNegative, positive, whole } from './row-fields.ts';
import { splitExchangeSymbol, type InferredSymbol } from './symbols.ts';

/*
 * Column layouts, as Binance publishes them. Spot files have no header row; futures files (since 2022) have one.
 *   trades     spot:    id,price,qty,quote_qty,time,is_buyer_maker,is_best_match
 *              futures: id,price,qty,quote_qty,time,is_buyer_maker
 *   aggTrades  spot:    agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match
 *              futures: agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker
 *   klines     both:    open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore
 * Spot timestamps are microseconds since 2025-01-01, milliseconds before and on futures: the unit is told by
 * magnitude, per file, from its first row, and every later row must agree.
 */

export type BinanceKind = 'trades' | 'aggTrades' | 'klines';

interface Layout {
  readonly kind: BinanceKind;
  readonly columns: readonly string[];
  readonly price: number;
  readonly quantity: number;
  readonly time: number;
  readonly buyerMaker: number;
}

const TRADE_COLUMNS = ['id', 'price', 'qty', 'quote_qty', 'time', 'is_buyer_maker'];
const AGG_TRADE_COLUMNS = ['agg_trade_id', 'price', 'quantity', 'first_trade_id', 'last_trade_id', 'transact_time', 'is_buyer_maker'];
export const BINANCE_KLINE_COLUMNS = ['open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time', 'quote_volume', 'count', 'taker_buy_volume', 'taker_buy_quote_volume', 'ignore'];

const LAYOUTS: readonly Layout[] = [
  { kind: 'trades', columns: TRADE_COLUMNS, price: 1, quantity: 2, time: 4, buyerMaker: 5 },
  { kind: 'trades', columns: [...TRADE_COLUMNS, 'is_best_match'], price: 1, quantity: 2, time: 4, buyerMaker: 5 },
  { kind: 'aggTrades', columns: AGG_TRADE_COLUMNS, price: 1, quantity: 2, time: 5, buyerMaker: 6 },
  { kind: 'aggTrades', columns: [...AGG_TRADE_COLUMNS, 'is_best_match'], price: 1, quantity: 2, time: 5, buyerMaker: 6 },
  { kind: 'klines', columns: BINANCE_KLINE_COLUMNS, price: 4, quantity: 5, time: 0, buyerMaker: -1 },
];

const INTERVALS: Readonly<Record<string, number>> = {
  '1s': 1_000, '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000,
  '1h': 3_600_000, '2h': 7_200_000, '4h': 14_400_000, '6h': 21_600_000, '8h': 28_800_000, '12h': 43_200_000,
  '1d': 86_400_000, '3d': 259_200_000, '1w': 604_800_000,
};

export interface BinanceFileName {
  /** The exchange's symbol as the name writes it: BTCUSDT. */
  readonly exchangeSymbol?: string;
  /** Undefined when the name does not start with a symbol of a common quote asset. */
  readonly symbol?: InferredSymbol;
  readonly kind?: BinanceKind;
  readonly intervalMs?: number;
}

/** What a Binance file name says: `BTCUSDT-trades-2025-01-01.zip`, `ETHUSDT-aggTrades-2025-01.csv`, `BTCUSDT-1m-2025-01-01.zip`. */
export function parseBinanceFileName(file: string): BinanceFileName {
  const parts = path.basename(file).replace(/\.(zip|gz)$/i, '').replace(/\.csv$/i, '').split('-');
  const exchangeSymbol = parts[0] === '' ? undefined : parts[0];
  const symbol = exchangeSymbol === undefined ? undefined : splitExchangeSymbol(exchangeSymbol);
  const second = parts[1];
  if (second === 'trades' || second === 'aggTrades') return { exchangeSymbol, symbol, kind: second };
  if (second !== undefined && INTERVALS[second] !== undefined) return { exchangeSymbol, symbol, kind: 'klines', intervalMs: INTERVALS[second] };
  return { exchangeSymbol, symbol };
}

export interface BinanceReadOptions {
  readonly symbol: string;
  /** From the file name when absent; else told from the first row's layout. */
  readonly kind?: BinanceKind;
  /** Klines: from the file name, else from the first row's open and close times. */
  readonly intervalMs?: number;
}

const MICROSECONDS_FROM = 1e14;

/**
 * The ticks of one Binance file in order: trades and aggTrades as trade ticks (the aggressor is the seller
 * when the buyer was the maker), klines as bars. Throws DataFileError naming the file and line of any row
 * that does not fit the layout, has a bad number, a timestamp in another unit than the file's, or goes back in time.
 */
export async function* readBinanceFile(file: string, options: BinanceReadOptions): AsyncGenerator<TradeTick | BarTick> {
  for await (const batch of readBinanceBatches(file, options)) yield* batch;
}

/** The same ticks a chunk of the file at a time (what the backtest reads: one await per chunk, not per row). */
export async function* readBinanceBatches(file: string, options: BinanceReadOptions): AsyncGenerator<(TradeTick | BarTick)[]> {
  const named = parseBinanceFileName(file);
  const wantedKind = options.kind ?? named.kind;
  let layout: Layout | undefined;
  let microseconds: boolean | undefined;
  let intervalMs = options.intervalMs ?? named.intervalMs;
  let previous = -Infinity;
  let lineNumber = 0;
  try {
    for await (const batch of readLineBatches(file)) {
      const ticks: (TradeTick | BarTick)[] = [];
      for (let index = 0; index < batch.lines.length; index++) {
        const text = batch.lines[index]!;
        const line = batch.firstLine + index;
        lineNumber = line;
        if (text === '' || text.trim() === '') continue;
        const fields = text.split(',');
        if (layout === undefined) {
          const header = !/^\d+$/.test(fields[0]!.trim());
          layout = chooseLayout(fields, header, wantedKind, line);
          if (header) continue;
        }
        if (fields.length !== layout.columns.length) {
          throw new CsvFormatError(line, `expected ${layout.columns.length} fields (${layout.columns.join(',')}), got ${fields.length}`);
        }
        const rawTime = whole(fields[layout.time]!, layout.columns[layout.time]!, line);
        const inMicroseconds = rawTime >= MICROSECONDS_FROM;
        microseconds ??= inMicroseconds;
        if (inMicroseconds !== microseconds) {
          throw new CsvFormatError(line, `${layout.columns[layout.time]} ${rawTime} is in ${inMicroseconds ? 'microseconds' : 'milliseconds'} but the file's first row was in ${microseconds ? 'microseconds' : 'milliseconds'}`);
        }
        const timestamp = microseconds ? Math.floor(rawTime / 1000) : rawTime;
        if (timestamp < previous) throw new CsvFormatError(line, `${layout.columns[layout.time]} ${fields[layout.time]} is earlier than the row before it (rows must be in time order)`);
        previous = timestamp;
        if (layout.kind === 'klines') {
          const closeTime = whole(fields[6]!, 'close_time', line);
          const rowInterval = microseconds ? (closeTime - rawTime + 1) / 1000 : closeTime - rawTime + 1;
          intervalMs ??= rowInterval;
          if (rowInterval !== intervalMs) throw new CsvFormatError(line, `close_time ${closeTime} makes a ${rowInterval} ms bar, the file's bars are ${intervalMs} ms`);
          const open = positive(fields[1]!, 'open', line);
          const high = positive(fields[2]!, 'high', line);
          const low = positive(fields[3]!, 'low', line);
          const close = positive(fields[4]!, 'close', line);
          const volume = nonNegative(fields[5]!, 'volume', line);
          checkBar(line, { open, high, low, close }, (column) => (column === 'high' ? fields[2]! : fields[3]!));
          ticks.push({ type: 'bar', symbol: options.symbol, timestamp, intervalMs, open, high, low, close, volume });
        } else {
          const makerText = fields[layout.buyerMaker]!.trim().toLowerCase();
          if (makerText !== 'true' && makerText !== 'false') throw new CsvFormatError(line, `is_buyer_maker must be true or false, got ${JSON.stringify(fields[layout.buyerMaker])}`);
          ticks.push({
            type: 'trade',
            symbol: options.symbol,
            timestamp,
            price: positive(fields[layout.price]!, 'price', line),
            quantity: positive(fields[layout.quantity]!, layout.columns[layout.quantity]!, line),
            // The buyer made the market: the seller took it.
            aggressor: makerText === 'true' ? 'sell' : 'buy',
          });
        }
      }
      if (ticks.length > 0) yield ticks;
    }
  } catch (error) {
    throw dataFileError(file, lineNumber, error);
  }
}

function chooseLayout(fields: readonly string[], header: boolean, kind: BinanceKind | undefined, line: number): Layout {
  const names = fields.map((field) => field.trim().toLowerCase());
  const candidates = LAYOUTS.filter((layout) => (kind === undefined || layout.kind === kind) && layout.columns.length === fields.length);
  if (header) {
    const match = candidates.find((layout) => layout.columns.every((column, index) => names[index] === column || (column === 'qty' && names[index] === 'quantity')));
    if (match === undefined) throw new CsvFormatError(line, `header ${JSON.stringify(fields.join(','))} is not a Binance ${kind ?? 'trades, aggTrades or klines'} header`);
    return match;
  }
  if (candidates.length === 1) return candidates[0]!;
  // Without a header, spot trades and futures aggTrades both have 7 columns: a trade's 6th field is is_buyer_maker.
  if (candidates.length === 2) return candidates.find((layout) => (layout.kind === 'trades') === /^(true|false)$/i.test(fields[5]?.trim() ?? ''))!;
  throw new CsvFormatError(line, `${fields.length} fields fit no Binance ${kind ?? 'trades, aggTrades or klines'} layout`);
}

