// Historical market data from CSV text: trades, top-of-book quotes and OHLCV bars, with exact decimals and line-numbered errors.
import { ZERO, decimal, isDecimalText, type Decimal } from '../../src/domain/decimal.ts';
import type { BarTick, QuoteTick, TradeTick } from '../../src/domain/market-data.ts';

export { barToTrades, expandBarsToTrades, availableAt } from './bars.ts';

/** A row (or the header) that cannot be read; `line` counts from 1 at the first line of the text. */
export class CsvFormatError extends Error {
  override name = 'CsvFormatError';
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

export interface CsvReplayOptions {
  /** The symbol every row belongs to (the files hold one instrument each). */
  readonly symbol: string;
}

export interface BarCsvOptions extends CsvReplayOptions {
  /** Length of one bar, e.g. 60_000 for one-minute bars. */
  readonly intervalMs: number;
}

export const TRADE_COLUMNS = ['timestamp', 'price', 'quantity', 'side'] as const;
export const QUOTE_COLUMNS = ['timestamp', 'bid_price', 'bid_quantity', 'ask_price', 'ask_quantity'] as const;
export const BAR_COLUMNS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Trades: `timestamp,price,quantity,side`, side being the aggressor (`buy` or `sell`). */
export function parseTradesCsv(text: string, options: CsvReplayOptions): TradeTick[] {
  return readRows(text, TRADE_COLUMNS).map((row) => tradeFromRow(row, options.symbol));
}

/** Top-of-book quotes: `timestamp,bid_price,bid_quantity,ask_price,ask_quantity`, one level a side. */
export function parseQuotesCsv(text: string, options: CsvReplayOptions): QuoteTick[] {
  return readRows(text, QUOTE_COLUMNS).map((row) => quoteFromRow(row, options.symbol));
}

/** OHLCV bars: `timestamp,open,high,low,close,volume`, timestamp being the bar's open time. */
export function parseBarsCsv(text: string, options: BarCsvOptions): BarTick[] {
  checkInterval(options.intervalMs);
  return readRows(text, BAR_COLUMNS).map((row) => barFromRow(row, options.symbol, options.intervalMs));
}

export function checkInterval(intervalMs: number): void {
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
    throw new Error(`intervalMs must be a positive whole number of milliseconds, got ${intervalMs}`);
  }
}

export function tradeFromRow(row: CsvRow, symbol: string): TradeTick {
  const side = row.field('side').toLowerCase();
  if (side !== 'buy' && side !== 'sell') throw new CsvFormatError(row.line, `side must be "buy" or "sell", got ${JSON.stringify(row.field('side'))}`);
  return { type: 'trade', symbol, timestamp: row.timestamp, price: row.positive('price'), quantity: row.positive('quantity'), aggressor: side };
}

export function quoteFromRow(row: CsvRow, symbol: string): QuoteTick {
  const bidPrice = row.positive('bid_price');
  const askPrice = row.positive('ask_price');
  if (!bidPrice.lt(askPrice)) throw new CsvFormatError(row.line, `bid_price ${row.field('bid_price')} is not below ask_price ${row.field('ask_price')} (crossed book)`);
  return {
    type: 'quote',
    symbol,
    timestamp: row.timestamp,
    bids: [{ price: bidPrice, quantity: row.positive('bid_quantity') }],
    asks: [{ price: askPrice, quantity: row.positive('ask_quantity') }],
  };
}

export function barFromRow(row: CsvRow, symbol: string, intervalMs: number): BarTick {
  const open = row.positive('open');
  const high = row.positive('high');
  const low = row.positive('low');
  const close = row.positive('close');
  const volume = row.nonNegative('volume');
  checkBar(row.line, { open, high, low, close }, (column) => row.field(column));
  return { type: 'bar', symbol, timestamp: row.timestamp, intervalMs, open, high, low, close, volume };
}

/** A bar's high is its highest price and its low its lowest; the CSV and Binance readers share the check. */
export function checkBar(line: number, bar: { open: Decimal; high: Decimal; low: Decimal; close: Decimal }, text: (column: 'high' | 'low') => string): void {
  const { open, high, low, close } = bar;
  if (high.lt(open) || high.lt(close) || high.lt(low)) throw new CsvFormatError(line, `high ${text('high')} is below open, low or close`);
  if (low.gt(open) || low.gt(close)) throw new CsvFormatError(line, `low ${text('low')} is above open or close`);
}

const EPOCH_MILLISECONDS = /^\d+$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch milliseconds (digits only) or ISO-8601. An ISO time without an offset is read as UTC, never as the
 * machine's local time, so a file replays the same everywhere. Returns undefined for anything else.
 */
export function parseTimestamp(text: string): number | undefined {
  if (EPOCH_MILLISECONDS.test(text)) {
    const milliseconds = Number(text);
    return Number.isSafeInteger(milliseconds) ? milliseconds : undefined;
  }
  const match = ISO_8601.exec(text);
  if (match === null) return undefined;
  const normalized = text.replace(' ', 'T');
  const hasTime = normalized.includes('T');
  const withOffset = match[1] !== undefined || !hasTime ? normalized : `${normalized}Z`;
  const time = Date.parse(withOffset);
  return Number.isNaN(time) ? undefined : time;
}

export interface CsvRow {
  readonly line: number;
  readonly timestamp: number;
  field(column: string): string;
  positive(column: string): Decimal;
  nonNegative(column: string): Decimal;
}

/**
 * Splits the text into rows under its header (columns in any order, extra columns ignored, blank lines
 * skipped, CRLF accepted, fields optionally in double quotes) and checks the timestamp of every row.
 */
function readRows(text: string, required: readonly string[]): CsvRow[] {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new CsvFormatError(1, `empty file: expected a header row with ${required.join(',')}`);
  const readRow = csvRowReader(lines[headerIndex]!, headerIndex + 1, required);
  const rows: CsvRow[] = [];
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const raw = lines[index]!;
    if (raw.trim() === '') continue;
    rows.push(readRow(raw, index + 1));
  }
  return rows;
}

/**
 * The reader of one file's rows under its header line, one row at a time (so a stream can use it): checks
 * the header has every required column, then each row's field count, timestamp and time order. Throws
 * CsvFormatError with the line of any problem.
 */
export function csvRowReader(headerText: string, headerLine: number, required: readonly string[]): (raw: string, line: number) => CsvRow {
  const header = splitFields(headerText).map((name) => name.trim().toLowerCase());
  const positions = new Map<string, number>();
  header.forEach((name, index) => positions.set(name, index));
  const missing = required.filter((column) => !positions.has(column));
  if (missing.length > 0) {
    throw new CsvFormatError(headerLine, `header is missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${required.join(',')})`);
  }
  let previousTimestamp = -Infinity;
  return (raw, line) => {
    const fields = splitFields(raw).map((value) => value.trim());
    if (fields.length !== header.length) {
      throw new CsvFormatError(line, `expected ${header.length} fields (${header.join(',')}), got ${fields.length}`);
    }
    const field = (column: string): string => fields[positions.get(column)!]!;
    const number = (column: string): Decimal => {
      const value = field(column);
      if (!isDecimalText(value)) throw new CsvFormatError(line, `${column} ${JSON.stringify(value)} is not a decimal number`);
      return decimal(value);
    };
    const timestamp = parseTimestamp(field('timestamp'));
    if (timestamp === undefined) {
      throw new CsvFormatError(line, `timestamp ${JSON.stringify(field('timestamp'))} is neither epoch milliseconds nor ISO-8601`);
    }
    if (timestamp < previousTimestamp) {
      throw new CsvFormatError(line, `timestamp ${field('timestamp')} is earlier than the row before it (rows must be in time order)`);
    }
    previousTimestamp = timestamp;
    return {
      line,
      timestamp,
      field,
      positive(column) {
        const value = number(column);
        if (!value.gt(ZERO)) throw new CsvFormatError(line, `${column} must be positive, got ${field(column)}`);
        return value;
      },
      nonNegative(column) {
        const value = number(column);
        if (value.lt(ZERO)) throw new CsvFormatError(line, `${column} cannot be negative, got ${field(column)}`);
        return value;
      },
    };
  };
}

/** Comma-separated fields; a field may be wrapped in double quotes, with "" for a quote inside. */
export function splitFields(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        current += '"';
        index++;
      } else if (character === '"') {
        quoted = false;
      } else {
        current += character;
      }
    } else if (character === '"') {
      quoted = true;
    } else if (character === ',') {
      fields.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  fields.push(current);
  return fields;
}
