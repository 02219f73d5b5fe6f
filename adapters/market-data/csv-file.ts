// The generic CSV formats of csv.ts (trades, quotes, bars under a header) read from a file as a stream.
import type { MarketData } from '../../src/domain/market-data.ts';
import { BAR_COLUMNS, barFromRow, checkInterval, csvRowReader, QUOTE_COLUMNS, quoteFromRow, splitFields, TRADE_COLUMNS, tradeFromRow } from './csv.ts';
import { dataFileError } from './data-file-error.ts';
import { readLineBatches } from './file-lines.ts';

export type GenericCsvKind = 'trades' | 'quotes' | 'bars';

/** Which generic layout a header is (every required column present), or undefined. */
export function genericKindOfHeader(headerLine: string): GenericCsvKind | undefined {
  const names = new Set(splitFields(headerLine).map((name) => name.trim().toLowerCase()));
  if (QUOTE_COLUMNS.every((column) => names.has(column))) return 'quotes';
  if (BAR_COLUMNS.every((column) => names.has(column))) return 'bars';
  if (TRADE_COLUMNS.every((column) => names.has(column))) return 'trades';
  return undefined;
}

export interface GenericCsvReadOptions {
  readonly symbol: string;
  /** Bars only: the length of one bar. */
  readonly intervalMs?: number;
}

/** The ticks of a generic CSV file in order; DataFileError with the file and line of a bad row. */
export async function* readGenericCsvFile(file: string, options: GenericCsvReadOptions): AsyncGenerator<MarketData> {
  for await (const batch of readGenericCsvBatches(file, options)) yield* batch;
}

/** The same ticks a chunk of the file at a time. */
export async function* readGenericCsvBatches(file: string, options: GenericCsvReadOptions): AsyncGenerator<MarketData[]> {
  let readRow: ReturnType<typeof csvRowReader> | undefined;
  let kind: GenericCsvKind | undefined;
  let lineNumber = 0;
  try {
    for await (const batch of readLineBatches(file)) {
      const ticks: MarketData[] = [];
      for (let index = 0; index < batch.lines.length; index++) {
        const text = batch.lines[index]!;
        const line = batch.firstLine + index;
        lineNumber = line;
        if (text.trim() === '') continue;
        if (readRow === undefined) {
          kind = genericKindOfHeader(text);
          if (kind === undefined) {
            throw dataFileError(file, line, new Error(`header ${JSON.stringify(text)} is none of trades (${TRADE_COLUMNS.join(',')}), quotes (${QUOTE_COLUMNS.join(',')}) or bars (${BAR_COLUMNS.join(',')})`));
          }
          if (kind === 'bars') {
            if (options.intervalMs === undefined) throw dataFileError(file, line, new Error('bars need their interval: name it in the config (intervalMs) or in the file name (e.g. BTCUSDT-1m-bars.csv)'));
            checkInterval(options.intervalMs);
          }
          readRow = csvRowReader(text, line, kind === 'trades' ? TRADE_COLUMNS : kind === 'quotes' ? QUOTE_COLUMNS : BAR_COLUMNS);
          continue;
        }
        const row = readRow(text, line);
        ticks.push(kind === 'trades' ? tradeFromRow(row, options.symbol) : kind === 'quotes' ? quoteFromRow(row, options.symbol) : barFromRow(row, options.symbol, options.intervalMs!));
      }
      if (ticks.length > 0) yield ticks;
    }
  } catch (error) {
    throw dataFileError(file, lineNumber, error);
  }
}
