// Data files for a backtest: found in folders, told apart (Binance, Tardis, generic CSV), sampled, and merged in time order.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MarketData } from '../../src/domain/market-data.ts';
import { availableAt, expandBarsToTrades } from './bars.ts';
import { readBinanceBatches, parseBinanceFileName } from './binance.ts';
import { genericKindOfHeader, readGenericCsvBatches } from './csv-file.ts';
import { DataFileError } from './data-file-error.ts';
import { readLines } from './file-lines.ts';
import { DecimalsSeen } from './infer-instrument.ts';
import { splitExchangeSymbol, type InferredSymbol } from './symbols.ts';
import { readTardisBatches, tardisKindOfHeader } from './tardis.ts';

export type DataFormat = 'binance' | 'tardis' | 'csv';

const DATA_FILE = /\.(csv|csv\.gz|gz|zip)$/i;

/** What a config may say of a data file; everything else is told from the file. */
export interface DataFileOptions {
  readonly format?: DataFormat;
  /** The runtime symbol of every row (Binance and generic files); Tardis rows name theirs. */
  readonly symbol?: string;
  /** Bars: the length of one bar, when the file name does not say (`-1m-`). */
  readonly intervalMs?: number;
}

export interface DataFile {
  readonly file: string;
  readonly format: DataFormat;
  /** trades, aggTrades, klines, quotes, incremental_book_L2 or bars. */
  readonly kind: string;
  /** When the first tick is available; undefined for a file with no rows. */
  readonly firstTime: number | undefined;
  /** The symbols of the rows sampled (a Tardis file may hold more further on). */
  readonly symbols: readonly string[];
  /** Every tick in order, in batches (a chunk of the file each), bars followed by their implied trades (see bars.ts). */
  open(): AsyncGenerator<MarketData[]>;
}

export interface DataCatalog {
  /** In the order their first ticks come, ties by path. */
  readonly files: readonly DataFile[];
  /** Symbols seen, with their assets when known (from the config or the exchange symbol). */
  readonly symbols: ReadonlyMap<string, InferredSymbol | undefined>;
  /** Decimals seen in the sampled rows, per symbol: what instrument inference uses. */
  readonly decimals: DecimalsSeen;
  /** Rows sampled per symbol at most (from its first file). */
  readonly sampleRows: number;
}

export interface CatalogOptions {
  /** Per file (by the path given or its base name). */
  readonly files?: Readonly<Record<string, DataFileOptions>>;
  /** Exchange symbol -> runtime symbol (BTCUSDT -> BTC/USDT), for names the common quote assets do not split. */
  readonly symbols?: Readonly<Record<string, string>>;
  /** Rows read from each symbol's first file to infer its tick and lot; default 10,000. */
  readonly sampleRows?: number;
}

/** Every data file under the paths given (folders read recursively, in name order); a path that is neither is an error. */
export async function listDataFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of paths) {
    const info = await stat(entry).catch(() => undefined);
    if (info === undefined) throw new Error(`data path ${entry} does not exist`);
    if (info.isDirectory()) {
      const names = (await readdir(entry)).sort();
      found.push(...(await listDataFiles(names.filter((name) => !name.startsWith('.')).map((name) => path.join(entry, name)))).filter((file) => DATA_FILE.test(file)));
    } else {
      found.push(entry);
    }
  }
  if (found.length === 0) throw new Error(`no data files (.csv, .gz, .zip) in ${paths.join(', ')}`);
  return found;
}

/**
 * Tells each file's format and kind, reads its first tick, and samples each symbol's first file for the
 * decimals in use. Nothing is held but the sample's counters: the files are read again, streamed, by open().
 */
export async function catalogDataFiles(files: readonly string[], options: CatalogOptions = {}): Promise<DataCatalog> {
  const sampleRows = options.sampleRows ?? 10_000;
  const decimals = new DecimalsSeen();
  const symbols = new Map<string, InferredSymbol | undefined>();
  const configured = new Map(Object.entries(options.symbols ?? {}));
  const resolve = (raw: string): InferredSymbol | undefined => {
    const mapped = configured.get(raw);
    if (mapped !== undefined) return splitExchangeSymbol(mapped) ?? { symbol: mapped, base: '', quote: '' };
    return splitExchangeSymbol(raw);
  };
  const symbolOf = (raw: string): string => {
    const resolved = resolve(raw);
    const symbol = resolved?.symbol ?? configured.get(raw) ?? raw;
    if (!symbols.has(symbol)) symbols.set(symbol, resolved !== undefined && resolved.base !== '' ? resolved : undefined);
    return symbol;
  };
  const described: DataFile[] = [];
  for (const file of files) {
    const fileOptions = options.files?.[file] ?? options.files?.[path.basename(file)] ?? {};
    const opened = await describe(file, fileOptions, symbolOf, configured);
    let firstTime: number | undefined;
    let sampled = 0;
    const fileSymbols = new Set<string>();
    for await (const tick of ticksOf(opened.open())) {
      firstTime ??= availableAt(tick);
      fileSymbols.add(tick.symbol);
      const seenBefore = decimals.rows(tick.symbol);
      if (seenBefore >= sampleRows) break;
      decimals.observe(tick);
      if (++sampled >= sampleRows) break;
    }
    described.push({ ...opened, firstTime, symbols: [...fileSymbols] });
  }
  described.sort((a, b) => (a.firstTime ?? Infinity) - (b.firstTime ?? Infinity) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files: described, symbols, decimals, sampleRows };
}

async function describe(file: string, options: DataFileOptions, symbolOf: (raw: string) => string, configured: ReadonlyMap<string, string>): Promise<Omit<DataFile, 'firstTime' | 'symbols'>> {
  const header = await firstLine(file);
  const format = options.format ?? (tardisKindOfHeader(header) !== undefined ? 'tardis' : genericKindOfHeader(header) !== undefined ? 'csv' : 'binance');
  if (format === 'tardis') {
    const kind = tardisKindOfHeader(header);
    if (kind === undefined) throw new DataFileError(file, 1, `header ${JSON.stringify(header)} is not a Tardis trades, quotes or incremental_book_L2 header`);
    return { file, format, kind, open: () => readTardisBatches(file, { symbolOf }) };
  }
  const named = parseBinanceFileName(file);
  const fileSymbol = (): string => {
    if (options.symbol !== undefined) return symbolOf(options.symbol);
    if (named.symbol === undefined && (named.exchangeSymbol === undefined || !configured.has(named.exchangeSymbol))) {
      throw new DataFileError(file, 1, `the symbol cannot be told from the file name ${path.basename(file)}: name it in the config (data.files["${path.basename(file)}"].symbol)`);
    }
    return symbolOf(named.exchangeSymbol!);
  };
  const symbol = fileSymbol();
  if (format === 'csv') {
    const kind = genericKindOfHeader(header);
    const intervalMs = options.intervalMs ?? named.intervalMs;
    return { file, format, kind: kind ?? 'unknown', open: () => expandBars(readGenericCsvBatches(file, { symbol, intervalMs })) };
  }
  const kind = named.kind ?? 'binance';
  return { file, format, kind, open: () => expandBars(readBinanceBatches(file, { symbol, intervalMs: options.intervalMs })) };
}

async function firstLine(file: string): Promise<string> {
  for await (const { text } of readLines(file)) {
    if (text.trim() !== '') return text;
  }
  return '';
}

async function* expandBars(batches: AsyncIterable<MarketData[]>): AsyncGenerator<MarketData[]> {
  for await (const batch of batches) {
    if (!batch.some((tick) => tick.type === 'bar')) yield batch;
    else yield [...expandBarsToTrades(batch)];
  }
}

/** Every tick of the batches, one at a time. */
export async function* ticksOf(batches: AsyncIterable<readonly MarketData[]>): AsyncGenerator<MarketData> {
  for await (const batch of batches) yield* batch;
}

interface Cursor {
  /** Position in the catalog: breaks ties between files, so the merge is the same on every run. */
  readonly order: number;
  readonly iterator: AsyncGenerator<MarketData[]>;
  batch: MarketData[];
  index: number;
  /** When batch[index] is available. */
  time: number;
}

function before(a: { time: number; order: number }, b: { time: number; order: number }): boolean {
  return a.time < b.time || (a.time === b.time && a.order < b.order);
}

/**
 * The ticks of every file in time order (by when each is available, ties in catalog order), in batches. A file
 * is opened only when the merged stream reaches its first tick and closed at its end, so a year of daily files
 * holds a few open at a time. A file running alone passes its batches through whole.
 */
export async function* mergeDataFiles(files: readonly DataFile[]): AsyncGenerator<MarketData[]> {
  const waiting = files.filter((file) => file.firstTime !== undefined);
  const heap: Cursor[] = [];
  const push = (cursor: Cursor) => {
    heap.push(cursor);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(cursor, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = cursor;
  };
  const pop = (): Cursor => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[child]!, last)) break;
        heap[index] = heap[child]!;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  };
  /** Reads a cursor's next batch; false at the end of its file. */
  const load = async (cursor: Cursor): Promise<boolean> => {
    for (;;) {
      const step = await cursor.iterator.next();
      if (step.done === true) return false;
      if (step.value.length === 0) continue;
      cursor.batch = step.value;
      cursor.index = 0;
      cursor.time = availableAt(step.value[0]!);
      return true;
    }
  };
  let next = 0;
  try {
    for (;;) {
      // Open every file whose first tick is due no later than the earliest head.
      while (next < waiting.length && (heap.length === 0 || waiting[next]!.firstTime! <= heap[0]!.time)) {
        const cursor: Cursor = { order: next, iterator: waiting[next]!.open(), batch: [], index: 0, time: 0 };
        next++;
        if (await load(cursor)) push(cursor);
      }
      if (heap.length === 0) return;
      const chosen = pop();
      // Take its ticks up to the next file's head (or the next file to open).
      let bound: { time: number; order: number } = heap.length > 0 ? heap[0]! : { time: Infinity, order: Infinity };
      if (next < waiting.length && before({ time: waiting[next]!.firstTime!, order: next }, bound)) bound = { time: waiting[next]!.firstTime!, order: next };
      const { batch } = chosen;
      let end = chosen.index;
      while (end < batch.length && before({ time: availableAt(batch[end]!), order: chosen.order }, bound)) end++;
      yield chosen.index === 0 && end === batch.length ? batch : batch.slice(chosen.index, end);
      if (end < batch.length) {
        chosen.index = end;
        chosen.time = availableAt(batch[end]!);
        push(chosen);
      } else if (await load(chosen)) {
        push(chosen);
      }
    }
  } finally {
    for (const cursor of heap) await cursor.iterator.return(undefined);
  }
}
