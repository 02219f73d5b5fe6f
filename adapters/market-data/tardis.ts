// Tardis.dev CSV datasets, streamed: trades, quotes and incremental_book_L2 (with its snapshots) as ticks.
import { ZERO, type Decimal } from '../../src/domain/decimal.ts';
import type { BookLevel, QuoteTick, TradeTick } from '../../src/domain/market-data.ts';
import { CsvFormatError } from './csv.ts';
import { dataFileError } from './data-file-error.ts';
import { readLineBatches } from './file-lines.ts';
import { nonNegative, positive, whole } from './row-fields.ts';

/*
 * Layouts (docs.tardis.dev, "CSV datasets"), always with a header row; times are microseconds since the epoch:
 *   trades               exchange,symbol,timestamp,local_timestamp,id,side,price,amount
 *   quotes               exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount
 *   incremental_book_L2  exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
 * A tick is stamped with local_timestamp, when the data was received: rows are in that order, and replaying
 * by it never shows a strategy anything before it could have seen it (exchange timestamps can go backwards).
 */

export type TardisKind = 'trades' | 'quotes' | 'incremental_book_L2';

const COLUMNS: Readonly<Record<TardisKind, readonly string[]>> = {
  trades: ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'id', 'side', 'price', 'amount'],
  quotes: ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'ask_amount', 'ask_price', 'bid_price', 'bid_amount'],
  incremental_book_L2: ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'is_snapshot', 'side', 'price', 'amount'],
};

/** Which Tardis dataset a header is, or undefined when it is none of them. */
export function tardisKindOfHeader(headerLine: string): TardisKind | undefined {
  const names = new Set(headerLine.split(',').map((name) => name.trim().toLowerCase()));
  const kinds: TardisKind[] = ['incremental_book_L2', 'quotes', 'trades'];
  return kinds.find((kind) => COLUMNS[kind].every((column) => names.has(column)));
}

export interface TardisReadOptions {
  /** The runtime's symbol for the file's exchange symbol (e.g. BTCUSDT -> BTC/USDT). */
  readonly symbolOf: (exchangeSymbol: string) => string;
  /** Book levels a side in each quote from incremental_book_L2; default 10. */
  readonly depth?: number;
}

interface Book {
  readonly bids: Map<string, BookLevel>;
  readonly asks: Map<string, BookLevel>;
  /** The last row applied was part of a snapshot: the next snapshot row continues it rather than starting anew. */
  inSnapshot: boolean;
}

/**
 * The ticks of one Tardis file in order. Trades with side `unknown` take the tick rule's aggressor (a price
 * above the last is a buy, below a sell, equal the last aggressor). Book updates sharing a local_timestamp
 * are applied together and give one quote of the top `depth` levels; an is_snapshot row after updates starts
 * the book anew; an amount of 0 removes the level. Throws DataFileError with the file and line of a bad row.
 */
export async function* readTardisFile(file: string, options: TardisReadOptions): AsyncGenerator<TradeTick | QuoteTick> {
  for await (const batch of readTardisBatches(file, options)) yield* batch;
}

/** The same ticks a chunk of the file at a time. */
export async function* readTardisBatches(file: string, options: TardisReadOptions): AsyncGenerator<(TradeTick | QuoteTick)[]> {
  const depth = options.depth ?? 10;
  let kind: TardisKind | undefined;
  let position = new Map<string, number>();
  let previous = -Infinity;
  let lineNumber = 0;
  const symbols = new Map<string, string>();
  const lastTrade = new Map<string, { price: Decimal; aggressor: 'buy' | 'sell' }>();
  const books = new Map<string, Book>();
  let pending: { symbol: string; exchangeSymbol: string; timestamp: number } | undefined;
  const symbolOf = (raw: string): string => {
    let symbol = symbols.get(raw);
    if (symbol === undefined) symbols.set(raw, (symbol = options.symbolOf(raw)));
    return symbol;
  };
  try {
    for await (const batch of readLineBatches(file)) {
      const ticks: (TradeTick | QuoteTick)[] = [];
      for (let index = 0; index < batch.lines.length; index++) {
        const text = batch.lines[index]!;
        const line = batch.firstLine + index;
        lineNumber = line;
        if (text.trim() === '') continue;
        const fields = text.split(',');
        if (kind === undefined) {
          kind = tardisKindOfHeader(text);
          if (kind === undefined) throw new CsvFormatError(line, `header ${JSON.stringify(text)} is not a Tardis trades, quotes or incremental_book_L2 header`);
          position = new Map(fields.map((name, index) => [name.trim().toLowerCase(), index]));
          continue;
        }
        if (fields.length !== position.size) throw new CsvFormatError(line, `expected ${position.size} fields (${COLUMNS[kind].join(',')}), got ${fields.length}`);
        const field = (column: string): string => fields[position.get(column)!]!;
        const timestamp = Math.floor(whole(field('local_timestamp'), 'local_timestamp', line) / 1000);
        if (timestamp < previous) throw new CsvFormatError(line, `local_timestamp ${field('local_timestamp')} is earlier than the row before it (rows must be in time order)`);
        previous = timestamp;
        const exchangeSymbol = field('symbol');
        if (exchangeSymbol === '') throw new CsvFormatError(line, 'symbol is empty');

        if (kind === 'trades') {
          const price = positive(field('price'), 'price', line);
          const side = field('side').toLowerCase();
          if (side !== 'buy' && side !== 'sell' && side !== 'unknown') throw new CsvFormatError(line, `side must be buy, sell or unknown, got ${JSON.stringify(field('side'))}`);
          const last = lastTrade.get(exchangeSymbol);
          const aggressor = side !== 'unknown' ? side : last === undefined ? 'buy' : price.gt(last.price) ? 'buy' : price.lt(last.price) ? 'sell' : last.aggressor;
          lastTrade.set(exchangeSymbol, { price, aggressor });
          ticks.push({ type: 'trade', symbol: symbolOf(exchangeSymbol), timestamp, price, quantity: positive(field('amount'), 'amount', line), aggressor });
        } else if (kind === 'quotes') {
          const bids = level(field('bid_price'), field('bid_amount'), 'bid', line);
          const asks = level(field('ask_price'), field('ask_amount'), 'ask', line);
          if (bids[0] !== undefined && asks[0] !== undefined && !bids[0].price.lt(asks[0].price)) {
            throw new CsvFormatError(line, `bid_price ${field('bid_price')} is not below ask_price ${field('ask_price')} (crossed book)`);
          }
          ticks.push({ type: 'quote', symbol: symbolOf(exchangeSymbol), timestamp, bids, asks });
        } else {
          if (pending !== undefined && (pending.timestamp !== timestamp || pending.exchangeSymbol !== exchangeSymbol)) {
            const quote = bookQuote(books.get(pending.exchangeSymbol)!, pending.symbol, pending.timestamp, depth);
            if (quote !== undefined) ticks.push(quote);
          }
          const snapshotText = field('is_snapshot').toLowerCase();
          if (snapshotText !== 'true' && snapshotText !== 'false') throw new CsvFormatError(line, `is_snapshot must be true or false, got ${JSON.stringify(field('is_snapshot'))}`);
          const side = field('side').toLowerCase();
          if (side !== 'bid' && side !== 'ask') throw new CsvFormatError(line, `side must be bid or ask, got ${JSON.stringify(field('side'))}`);
          const price = positive(field('price'), 'price', line);
          const amount = nonNegative(field('amount'), 'amount', line);
          let book = books.get(exchangeSymbol);
          if (book === undefined) books.set(exchangeSymbol, (book = { bids: new Map(), asks: new Map(), inSnapshot: false }));
          const isSnapshot = snapshotText === 'true';
          if (isSnapshot && !book.inSnapshot) {
            book.bids.clear();
            book.asks.clear();
          }
          book.inSnapshot = isSnapshot;
          const levels = side === 'bid' ? book.bids : book.asks;
          const key = price.toFixed();
          if (amount.eq(ZERO)) levels.delete(key);
          else levels.set(key, { price, quantity: amount });
          pending = { symbol: symbolOf(exchangeSymbol), exchangeSymbol, timestamp };
        }
      }
      if (ticks.length > 0) yield ticks;
    }
    if (pending !== undefined) {
      const quote = bookQuote(books.get(pending.exchangeSymbol)!, pending.symbol, pending.timestamp, depth);
      if (quote !== undefined) yield [quote];
    }
  } catch (error) {
    throw dataFileError(file, lineNumber, error);
  }
}

/** One level from a price and an amount; both empty means that side of the book is empty. */
function level(priceText: string, amountText: string, side: 'bid' | 'ask', line: number): BookLevel[] {
  if (priceText === '' && amountText === '') return [];
  return [{ price: positive(priceText, `${side}_price`, line), quantity: positive(amountText, `${side}_amount`, line) }];
}

/** The top `depth` levels a side, best first; undefined while a side is empty or the book is crossed (mid-update). */
function bookQuote(book: Book, symbol: string, timestamp: number, depth: number): QuoteTick | undefined {
  if (book.bids.size === 0 || book.asks.size === 0) return undefined;
  const bids = best(book.bids, depth, (a, b) => b.price.cmp(a.price));
  const asks = best(book.asks, depth, (a, b) => a.price.cmp(b.price));
  if (!bids[0]!.price.lt(asks[0]!.price)) return undefined;
  return { type: 'quote', symbol, timestamp, bids, asks };
}

/** The first `count` levels in `order`, by one pass keeping a short sorted list (books hold thousands of levels). */
function best(levels: Map<string, BookLevel>, count: number, order: (a: BookLevel, b: BookLevel) => number): BookLevel[] {
  const top: BookLevel[] = [];
  for (const entry of levels.values()) {
    if (top.length === count && order(entry, top[count - 1]!) >= 0) continue;
    let index = top.length;
    while (index > 0 && order(entry, top[index - 1]!) < 0) index--;
    top.splice(index, 0, entry);
    if (top.length > count) top.pop();
  }
  return top;
}
