// CSV replay: trades, quotes and bars with exact decimals, epoch or ISO timestamps, and line-numbered errors.
import { describe, expect, it } from 'vitest';
import { toDecimalString } from '../../src/domain/decimal.ts';
import type { BarTick } from '../../src/domain/market-data.ts';
import { CsvFormatError, barToTrades, expandBarsToTrades, parseBarsCsv, parseQuotesCsv, parseTimestamp, parseTradesCsv } from '../../adapters/market-data/csv.ts';

const symbol = 'BTC-USD';

function thrown(body: () => unknown): CsvFormatError {
  try {
    body();
  } catch (error) {
    if (error instanceof CsvFormatError) return error;
    throw error;
  }
  throw new Error('expected a CsvFormatError');
}

describe('CSV trades', () => {
  it('parses trades with exact decimals, epoch-ms and ISO timestamps, any column order and CRLF', () => {
    const text = 'side,timestamp,quantity,price\r\nbuy,1767225600000,0.1,50000.10\r\n\r\nSELL,2026-01-01T00:00:01.250Z,0.30000001,49999.99\r\n';
    const trades = parseTradesCsv(text, { symbol });
    expect(trades.map((trade) => [trade.timestamp, toDecimalString(trade.price), toDecimalString(trade.quantity), trade.aggressor])).toEqual([
      [1767225600000, '50000.1', '0.1', 'buy'],
      [1767225601250, '49999.99', '0.30000001', 'sell'],
    ]);
    // 0.1 + 0.2 style sums stay exact.
    expect(toDecimalString(trades[0]!.quantity.plus(trades[1]!.quantity))).toBe('0.40000001');
    expect(trades[0]!.symbol).toBe(symbol);
  });

  it('names the line number and the problem for a bad row', () => {
    const text = 'timestamp,price,quantity,side\n1767225600000,50000,1,buy\n1767225601000,fifty,1,buy\n';
    const error = thrown(() => parseTradesCsv(text, { symbol }));
    expect(error.line).toBe(3);
    expect(error.message).toBe('line 3: price "fifty" is not a decimal number');
  });

  it('reports a missing column, a wrong field count, a bad side, a bad timestamp and rows out of time order', () => {
    expect(thrown(() => parseTradesCsv('timestamp,price,side\n1,2,buy', { symbol })).message).toMatch(/^line 1: header is missing column quantity/);
    expect(thrown(() => parseTradesCsv('timestamp,price,quantity,side\n1,2,buy', { symbol })).message).toBe(
      'line 2: expected 4 fields (timestamp,price,quantity,side), got 3',
    );
    expect(thrown(() => parseTradesCsv('timestamp,price,quantity,side\n1,2,3,long', { symbol })).message).toBe('line 2: side must be "buy" or "sell", got "long"');
    expect(thrown(() => parseTradesCsv('timestamp,price,quantity,side\nyesterday,2,3,buy', { symbol })).message).toMatch(/^line 2: timestamp "yesterday"/);
    expect(thrown(() => parseTradesCsv('timestamp,price,quantity,side\n5,2,3,buy\n4,2,3,buy', { symbol })).message).toMatch(/^line 3: timestamp 4 is earlier/);
    expect(thrown(() => parseTradesCsv('timestamp,price,quantity,side\n5,2,-3,buy', { symbol })).message).toBe('line 2: quantity must be positive, got -3');
    expect(thrown(() => parseTradesCsv('', { symbol })).message).toMatch(/^line 1: empty file/);
  });
});

describe('CSV quotes', () => {
  it('parses top-of-book quotes into one level a side', () => {
    const text = 'timestamp,bid_price,bid_quantity,ask_price,ask_quantity\n2026-01-01T00:00:00Z,99.5,2,100.5,3\n"2026-01-01 00:00:01",99.6,1.5,100.4,0.5\n';
    const quotes = parseQuotesCsv(text, { symbol });
    expect(quotes).toHaveLength(2);
    expect(quotes[1]!.timestamp).toBe(Date.UTC(2026, 0, 1, 0, 0, 1));
    expect(quotes.map((quote) => [quote.bids.map((level) => toDecimalString(level.price)), quote.asks.map((level) => toDecimalString(level.quantity))])).toEqual([
      [['99.5'], ['3']],
      [['99.6'], ['0.5']],
    ]);
  });

  it('refuses a crossed quote, naming the line', () => {
    const text = 'timestamp,bid_price,bid_quantity,ask_price,ask_quantity\n1,99.5,2,100.5,3\n2,101,2,100.5,3\n';
    expect(thrown(() => parseQuotesCsv(text, { symbol })).message).toBe('line 3: bid_price 101 is not below ask_price 100.5 (crossed book)');
  });
});

describe('CSV bars', () => {
  const text = 'timestamp,open,high,low,close,volume\n2026-01-01T00:00:00Z,100,110,95,105,8\n2026-01-01T00:01:00Z,105,107,90,92,4\n';

  it('parses OHLCV bars with their interval', () => {
    const bars = parseBarsCsv(text, { symbol, intervalMs: 60_000 });
    expect(bars.map((bar) => [bar.timestamp, bar.intervalMs, ...[bar.open, bar.high, bar.low, bar.close, bar.volume].map(toDecimalString)])).toEqual([
      [Date.UTC(2026, 0, 1, 0, 0), 60_000, '100', '110', '95', '105', '8'],
      [Date.UTC(2026, 0, 1, 0, 1), 60_000, '105', '107', '90', '92', '4'],
    ]);
  });

  it('refuses a bar whose high is below its close', () => {
    const bad = 'timestamp,open,high,low,close,volume\n0,100,110,95,105,8\n60000,100,101,95,105,8\n';
    expect(thrown(() => parseBarsCsv(bad, { symbol, intervalMs: 60_000 })).message).toBe('line 3: high 101 is below open, low or close');
  });

  it('turns a bar into ordered trades: an up bar dips first (open, low, high, close), a down bar rallies first', () => {
    const [up, down] = parseBarsCsv(text, { symbol, intervalMs: 60_000 }) as [BarTick, BarTick];
    const path = (bar: BarTick) => barToTrades(bar).map((trade) => [trade.timestamp - bar.timestamp, toDecimalString(trade.price), toDecimalString(trade.quantity), trade.aggressor]);
    expect(path(up)).toEqual([
      [0, '100', '2', 'buy'],
      [20_000, '95', '2', 'sell'],
      [40_000, '110', '2', 'buy'],
      [59_999, '105', '2', 'sell'],
    ]);
    expect(path(down)).toEqual([
      [0, '105', '1', 'sell'],
      [20_000, '107', '1', 'buy'],
      [40_000, '90', '1', 'sell'],
      [59_999, '92', '1', 'buy'],
    ]);
  });

  it('expands a bar stream into its trades followed by the bar itself', () => {
    const bars = parseBarsCsv(text, { symbol, intervalMs: 60_000 });
    const expanded = [...expandBarsToTrades(bars)];
    expect(expanded.map((tick) => tick.type)).toEqual(['trade', 'trade', 'trade', 'trade', 'bar', 'trade', 'trade', 'trade', 'trade', 'bar']);
  });
});

describe('timestamps', () => {
  it('reads epoch milliseconds and ISO-8601, an ISO time without offset as UTC', () => {
    expect(parseTimestamp('1767225600000')).toBe(1767225600000);
    expect(parseTimestamp('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimestamp('2026-01-01T00:00:00')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimestamp('2026-01-01T02:00:00+02:00')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimestamp('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimestamp('1.5e12')).toBeUndefined();
    expect(parseTimestamp('Jan 1 2026')).toBeUndefined();
  });
});
