// Market-data files in their published layouts (Binance public data, Tardis CSV, generic CSV), plain, gzip and
// zip, read as streams into exact ticks; a bad row is reported with its file and line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readBinanceFile, parseBinanceFileName } from '../../../adapters/market-data/binance.ts';
import { readGenericCsvFile } from '../../../adapters/market-data/csv-file.ts';
import { DataFileError } from '../../../adapters/market-data/data-file-error.ts';
import { catalogDataFiles, listDataFiles, mergeDataFiles, ticksOf } from '../../../adapters/market-data/data-files.ts';
import { inferredInstrumentSpec } from '../../../adapters/market-data/infer-instrument.ts';
import { splitExchangeSymbol } from '../../../adapters/market-data/symbols.ts';
import { readTardisFile } from '../../../adapters/market-data/tardis.ts';
import type { MarketData } from '../../../src/domain/market-data.ts';
import { writeZip } from './zip-writer.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-readers-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, lines: readonly string[], packing: 'plain' | 'gzip' | 'zip' = 'plain'): string {
  const file = path.join(directory, name);
  const text = `${lines.join('\n')}\n`;
  if (packing === 'zip') writeZip(file, name.replace(/\.zip$/, '.csv'), text);
  else writeFileSync(file, packing === 'gzip' ? gzipSync(text) : text);
  return file;
}

async function collect<T>(ticks: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const tick of ticks) all.push(tick);
  return all;
}

async function failure(ticks: AsyncIterable<unknown>): Promise<DataFileError> {
  try {
    await collect(ticks);
  } catch (error) {
    if (error instanceof DataFileError) return error;
    throw error;
  }
  throw new Error('expected a DataFileError');
}

/** A tick as plain text, to compare exactly. */
function show(tick: MarketData): string {
  if (tick.type === 'trade') return `trade ${tick.symbol} ${tick.timestamp} ${tick.price.toFixed()} x ${tick.quantity.toFixed()} ${tick.aggressor}`;
  if (tick.type === 'bar') return `bar ${tick.symbol} ${tick.timestamp}+${tick.intervalMs} ${[tick.open, tick.high, tick.low, tick.close, tick.volume].map((value) => value.toFixed()).join(' ')}`;
  const levels = (side: typeof tick.bids) => side.map((level) => `${level.price.toFixed()}x${level.quantity.toFixed()}`).join(' ');
  return `quote ${tick.symbol} ${tick.timestamp} ${levels(tick.bids)} | ${levels(tick.asks)}`;
}

const JAN_1_2025_MS = Date.UTC(2025, 0, 1);

describe('Binance public data', () => {
  it('reads spot trades in microseconds (2025 on), no header, zipped, buyer-maker rows as sell aggressors', async () => {
    const file = write('BTCUSDT-trades-2025-01-01.zip', [
      '4310000001,93415.07000000,0.00100000,93.41507000,1735689600000123,True,True',
      '4310000002,93415.08000000,0.01000000,934.15080000,1735689600000999,False,True',
      '4310000003,93415.08000000,0.25000000,23353.77000000,1735689600001500,False,True',
    ], 'zip');
    expect(parseBinanceFileName(file)).toMatchObject({ exchangeSymbol: 'BTCUSDT', symbol: { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT' }, kind: 'trades' });
    const ticks = await collect(readBinanceFile(file, { symbol: 'BTC/USDT' }));
    expect(ticks.map(show)).toEqual([
      `trade BTC/USDT ${JAN_1_2025_MS} 93415.07 x 0.001 sell`,
      `trade BTC/USDT ${JAN_1_2025_MS} 93415.08 x 0.01 buy`,
      `trade BTC/USDT ${JAN_1_2025_MS + 1} 93415.08 x 0.25 buy`,
    ]);
  });

  it('reads futures trades in milliseconds under their header, gzipped', async () => {
    const file = write('BTCUSDT-trades-2024-12-31.csv.gz', [
      'id,price,qty,quote_qty,time,is_buyer_maker',
      '5800000001,93400.10,0.005,467.0005,1735603200001,true',
      '5800000002,93400.20,0.120,11208.024,1735603200002,false',
    ], 'gzip');
    expect((await collect(readBinanceFile(file, { symbol: 'BTC/USDT' }))).map(show)).toEqual([
      'trade BTC/USDT 1735603200001 93400.1 x 0.005 sell',
      'trade BTC/USDT 1735603200002 93400.2 x 0.12 buy',
    ]);
  });

  it('reads spot aggTrades (8 columns, no header) and futures aggTrades (7 columns, header)', async () => {
    const spot = write('ETHUSDT-aggTrades-2024-01-01.csv', [
      '3300000001,2281.63000000,1.50000000,4000000001,4000000003,1704067200000,False,True',
      '3300000002,2281.62000000,0.04000000,4000000004,4000000004,1704067200250,True,True',
    ]);
    expect((await collect(readBinanceFile(spot, { symbol: 'ETH/USDT' }))).map(show)).toEqual([
      'trade ETH/USDT 1704067200000 2281.63 x 1.5 buy',
      'trade ETH/USDT 1704067200250 2281.62 x 0.04 sell',
    ]);
    const futures = write('ETHUSDT-aggTrades-2024-01-02.csv', [
      'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker',
      '1900000001,2352.11,3.250,3900000001,3900000004,1704153600123,true',
    ]);
    expect((await collect(readBinanceFile(futures, { symbol: 'ETH/USDT' }))).map(show)).toEqual(['trade ETH/USDT 1704153600123 2352.11 x 3.25 sell']);
    // Headerless futures-style aggTrades (7 columns) are told from spot trades by their 6th field.
    const headerless = write('agg-no-name.csv', ['1900000001,2352.11,3.250,3900000001,3900000004,1704153600123,true']);
    expect((await collect(readBinanceFile(headerless, { symbol: 'ETH/USDT' }))).map(show)).toEqual(['trade ETH/USDT 1704153600123 2352.11 x 3.25 sell']);
  });

  it('reads spot klines in microseconds and futures klines with a header, the interval from the name or the row', async () => {
    const spot = write('BTCUSDT-1m-2025-01-01.zip', [
      '1735689600000000,93576.00000000,93610.93000000,93537.50000000,93610.93000000,8.21827000,1735689659999999,768978.40003580,1574,4.13432000,386832.92931970,0',
    ], 'zip');
    expect((await collect(readBinanceFile(spot, { symbol: 'BTC/USDT' }))).map(show)).toEqual([`bar BTC/USDT ${JAN_1_2025_MS}+60000 93576 93610.93 93537.5 93610.93 8.21827`]);
    const futures = write('klines-unnamed.csv', [
      'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
      '1735603200000,93530.0,93575.8,93518.1,93565.0,168.823,1735603499999,15796286.80110,3164,96.386,9018567.90170,0',
      '1735603500000,93565.0,93570.0,93500.0,93510.5,99.1,1735603799999,9270000.1,2001,40.2,3760000.5,0',
    ]);
    expect((await collect(readBinanceFile(futures, { symbol: 'BTC/USDT' }))).map(show)).toEqual([
      'bar BTC/USDT 1735603200000+300000 93530 93575.8 93518.1 93565 168.823',
      'bar BTC/USDT 1735603500000+300000 93565 93570 93500 93510.5 99.1',
    ]);
  });

  it('names the file and line of a bad row', async () => {
    const base = '4310000001,93415.07000000,0.00100000,93.41507000,1735689600000123,True,True';
    const cases: Array<[string[], string]> = [
      [[base, '4310000002,abc,0.1,1,1735689600000200,True,True'], 'line 2: price "abc" is not a decimal number'],
      [[base, '4310000002,93415.07,0.1,1,1735689600000,True,True'], 'line 2: time 1735689600000 is in milliseconds but the file\'s first row was in microseconds'],
      [[base, '', '4310000002,93415.07,0.1,1,1735689500000000,True,True'], 'line 3: time 1735689500000000 is earlier than the row before it (rows must be in time order)'],
      [[base, '4310000002,93415.07,0.1,1,1735689600000200,maybe,True'], 'line 2: is_buyer_maker must be true or false, got "maybe"'],
      [[base, '4310000002,93415.07,0,1,1735689600000200,True,True'], 'line 2: qty must be positive, got 0'],
      [[base, '4310000002,93415.07,0.1,1735689600000200,True,True'], 'line 2: expected 7 fields (id,price,qty,quote_qty,time,is_buyer_maker,is_best_match), got 6'],
    ];
    for (const [index, [lines, message]] of cases.entries()) {
      const file = write(`BTCUSDT-trades-bad-${index}.csv`, lines);
      const error = await failure(readBinanceFile(file, { symbol: 'BTC/USDT' }));
      expect(error.file).toBe(file);
      expect(error.message).toBe(`${file} ${message}`);
    }
    const kline = write('BTCUSDT-1m-bad.csv', ['1735689600000000,93576,93500,93537.5,93610.93,8.2,1735689659999999,1,1,1,1,0']);
    expect((await failure(readBinanceFile(kline, { symbol: 'BTC/USDT' }))).message).toBe(`${kline} line 1: high 93500 is below open, low or close`);
    const notZip = write('BTCUSDT-trades-broken.zip', ['this is not a zip']);
    expect((await failure(readBinanceFile(notZip, { symbol: 'BTC/USDT' }))).message).toMatch(new RegExp(`^${notZip.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable zip file`));
    const notGzip = write('BTCUSDT-trades-broken.csv.gz', ['this is not gzip']);
    expect((await failure(readBinanceFile(notGzip, { symbol: 'BTC/USDT' }))).message).toMatch(/: incorrect header check$/);
    const wrongInterval = write('BTCUSDT-1h-bad.csv', ['1735689600000000,1,1,1,1,8.2,1735689659999999,1,1,1,1,0']);
    expect((await failure(readBinanceFile(wrongInterval, { symbol: 'BTC/USDT' }))).message).toBe(`${wrongInterval} line 1: close_time 1735689659999999 makes a 60000 ms bar, the file's bars are 3600000 ms`);
  });
});

describe('symbols from exchange names', () => {
  it('splits base and quote for the common quote assets, drops futures suffixes, and gives up otherwise', () => {
    expect(['BTCUSDT', 'ETHBTC', 'BTCFDUSD', 'BTCUSD_PERP', 'ETHUSD_250328', 'BTC-USDT', 'sol_usdc'].map((raw) => splitExchangeSymbol(raw)?.symbol)).toEqual([
      'BTC/USDT', 'ETH/BTC', 'BTC/FDUSD', 'BTC/USD', 'ETH/USD', 'BTC/USDT', 'SOL/USDC',
    ]);
    expect(splitExchangeSymbol('MYSTERY')).toBeUndefined();
    expect(parseBinanceFileName('ETHUSDT-aggTrades-2025-01.zip')).toMatchObject({ exchangeSymbol: 'ETHUSDT', kind: 'aggTrades' });
    expect(parseBinanceFileName('BTCUSDT-4h-2025-01.zip')).toMatchObject({ kind: 'klines', intervalMs: 14_400_000 });
  });
});

describe('Tardis CSV', () => {
  it('reads trades stamped with local_timestamp (microseconds), the tick rule for unknown sides', async () => {
    const file = write('binance-futures_trades_2025-01-01_BTCUSDT.csv.gz', [
      'exchange,symbol,timestamp,local_timestamp,id,side,price,amount',
      'binance-futures,BTCUSDT,1735689600123000,1735689600125432,5800000001,buy,93400.1,0.005',
      'binance-futures,BTCUSDT,1735689600124000,1735689600126000,5800000002,sell,93400.0,0.2',
      'binance-futures,BTCUSDT,1735689600130000,1735689600131000,5800000003,unknown,93400.5,1',
      'binance-futures,BTCUSDT,1735689600131000,1735689600132000,5800000004,unknown,93400.5,1',
    ], 'gzip');
    const ticks = await collect(readTardisFile(file, { symbolOf: (raw) => splitExchangeSymbol(raw)!.symbol }));
    expect(ticks.map(show)).toEqual([
      'trade BTC/USDT 1735689600125 93400.1 x 0.005 buy',
      'trade BTC/USDT 1735689600126 93400 x 0.2 sell',
      'trade BTC/USDT 1735689600131 93400.5 x 1 buy',
      'trade BTC/USDT 1735689600132 93400.5 x 1 buy',
    ]);
  });

  it('reads quotes, an empty side as no level', async () => {
    const file = write('binance_quotes_2025-01-01_ETHUSDT.csv', [
      'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount',
      'binance,ETHUSDT,1735689600100000,1735689600101000,1.2,3337.5,3337.49,0.8',
      'binance,ETHUSDT,1735689600200000,1735689600201000,,,3337.48,2',
    ]);
    expect((await collect(readTardisFile(file, { symbolOf: () => 'ETH/USDT' }))).map(show)).toEqual([
      'quote ETH/USDT 1735689600101 3337.49x0.8 | 3337.5x1.2',
      'quote ETH/USDT 1735689600201 3337.48x2 | ',
    ]);
  });

  it('rebuilds incremental_book_L2: a snapshot, updates sharing a time as one quote, deletes, and a new snapshot', async () => {
    const file = write('binance-futures_incremental_book_L2_2025-01-01_BTCUSDT.csv', [
      'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount',
      'binance-futures,BTCUSDT,1735689600000000,1735689600001000,true,ask,100.2,3',
      'binance-futures,BTCUSDT,1735689600000000,1735689600001000,true,ask,100.1,1',
      'binance-futures,BTCUSDT,1735689600000000,1735689600001000,true,bid,100.0,2',
      'binance-futures,BTCUSDT,1735689600000000,1735689600001000,true,bid,99.9,5',
      'binance-futures,BTCUSDT,1735689600050000,1735689600051000,false,ask,100.1,0',
      'binance-futures,BTCUSDT,1735689600050000,1735689600051000,false,bid,100.05,0.5',
      'binance-futures,BTCUSDT,1735689600060000,1735689600061000,false,bid,99.9,7',
      'binance-futures,BTCUSDT,1735689600070000,1735689600071000,true,bid,98,1',
      'binance-futures,BTCUSDT,1735689600070000,1735689600071000,true,ask,99,1',
    ]);
    const ticks = await collect(readTardisFile(file, { symbolOf: () => 'BTC/USDT', depth: 2 }));
    expect(ticks.map(show)).toEqual([
      'quote BTC/USDT 1735689600001 100x2 99.9x5 | 100.1x1 100.2x3',
      'quote BTC/USDT 1735689600051 100.05x0.5 100x2 | 100.2x3',
      'quote BTC/USDT 1735689600061 100.05x0.5 100x2 | 100.2x3',
      'quote BTC/USDT 1735689600071 98x1 | 99x1',
    ]);
  });

  it('names the file and line of a bad row', async () => {
    const header = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
    const cases: Array<[string, string]> = [
      ['binance-futures,BTCUSDT,1,1000,maybe,bid,1,1', 'line 2: is_snapshot must be true or false, got "maybe"'],
      ['binance-futures,BTCUSDT,1,1000,true,buy,1,1', 'line 2: side must be bid or ask, got "buy"'],
      ['binance-futures,BTCUSDT,1,1000,true,bid,1,-1', 'line 2: amount cannot be negative, got -1'],
      ['binance-futures,BTCUSDT,1,soon,true,bid,1,1', 'line 2: local_timestamp "soon" is not a whole number'],
    ];
    for (const [index, [row, message]] of cases.entries()) {
      const file = write(`tardis-bad-${index}.csv`, [header, row]);
      expect((await failure(readTardisFile(file, { symbolOf: () => 'BTC/USDT' }))).message).toBe(`${file} ${message}`);
    }
    const notTardis = write('tardis-bad-header.csv', ['exchange,symbol,when,price']);
    expect((await failure(readTardisFile(notTardis, { symbolOf: () => 'X/Y' }))).message).toMatch(/line 1: header "exchange,symbol,when,price" is not a Tardis/);
  });
});

describe('generic CSV files', () => {
  it('reads trades as a stream and reports a bad row with its file and line', async () => {
    const file = write('BTC-USDT_trades.csv', ['timestamp,price,quantity,side', '1767225600000,50000.10,0.1,buy', '2026-01-01T00:00:01Z,49999.9,0.2,sell']);
    expect((await collect(readGenericCsvFile(file, { symbol: 'BTC/USDT' }))).map(show)).toEqual([
      'trade BTC/USDT 1767225600000 50000.1 x 0.1 buy',
      'trade BTC/USDT 1767225601000 49999.9 x 0.2 sell',
    ]);
    const bad = write('BTC-USDT_bad.csv.gz', ['timestamp,price,quantity,side', '1767225600000,50000.10,0.1,buy', '1767225600001,50000.10,0.1,long'], 'gzip');
    expect((await failure(readGenericCsvFile(bad, { symbol: 'BTC/USDT' }))).message).toBe(`${bad} line 3: side must be "buy" or "sell", got "long"`);
  });
});

describe('a folder of data files', () => {
  it('finds every format, infers symbols, tick and lot, and merges the files in time order', async () => {
    const folder = path.join(directory, 'mixed');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    const at = (file: string) => path.join(folder, file);
    writeFileSync(at('BTCUSDT-trades-2025-01-01.csv'), [
      '1,93415.07000000,0.00100000,93.4,1735689600000000,True,True',
      '2,93415.10000000,0.00050000,46.7,1735689600002000,False,True',
    ].join('\n'));
    writeZip(at('ETHUSDT-trades-2025-01-01.zip'), 'ETHUSDT-trades-2025-01-01.csv', '7,3337.51000000,0.12340000,411.8,1735689600001000,False,True\n');
    writeFileSync(at('notes.md'), 'not data');
    const files = await listDataFiles([folder]);
    expect(files.map((file) => path.basename(file))).toEqual(['BTCUSDT-trades-2025-01-01.csv', 'ETHUSDT-trades-2025-01-01.zip']);
    const catalog = await catalogDataFiles(files);
    expect([...catalog.symbols.keys()]).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(catalog.decimals.steps('BTC/USDT')).toEqual({ tickSize: '0.01', lotSize: '0.0001' });
    expect(catalog.decimals.steps('ETH/USDT')).toEqual({ tickSize: '0.01', lotSize: '0.0001' });
    expect(inferredInstrumentSpec(catalog.symbols.get('ETH/USDT')!, catalog.decimals.steps('ETH/USDT')!)).toMatchObject({ base: 'ETH', quote: 'USDT', minQuantity: '0.0001' });
    const merged = await collect(ticksOf(mergeDataFiles(catalog.files)));
    expect(merged.map((tick) => `${tick.symbol}@${tick.timestamp}`)).toEqual([`BTC/USDT@${JAN_1_2025_MS}`, `ETH/USDT@${JAN_1_2025_MS + 1}`, `BTC/USDT@${JAN_1_2025_MS + 2}`]);
  });

  it('refuses a file whose symbol it cannot tell, naming what to configure', async () => {
    const file = write('mystery-trades.csv', ['timestamp,price,quantity,side', '1,2,3,buy']);
    await expect(catalogDataFiles([file])).rejects.toThrow(/the symbol cannot be told from the file name mystery-trades\.csv: name it in the config/);
    const catalog = await catalogDataFiles([file], { files: { 'mystery-trades.csv': { symbol: 'ABC/USDT' } } });
    expect([...catalog.symbols.keys()]).toEqual(['ABC/USDT']);
  });
});
