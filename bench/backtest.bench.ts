// Bench: rows/s of Binance trade files replayed through the engine (paper venue, simulated clock) by a strategy
// holding 100 protected positions, beside the same files only parsed; and the heap after a run of 1 GB of
// generated rows beside the heap after a run of 100 MB, each read at the end of its own run (engine, positions
// and recorder alive). Files are generated into the system's temporary folder and deleted after.
// The 1 GB run takes many minutes: by default the heap row compares 10 MB with 100 MB (the same tenfold step);
// FILLSTATE_BENCH_BACKTEST_FULL=1 runs 100 MB against 1 GB, as the goal is stated.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { catalogDataFiles, listDataFiles, mergeDataFiles } from '../adapters/market-data/data-files.ts';
import { parseBacktestConfig } from '../src/backtest/config.ts';
import { runBacktest } from '../src/backtest/runner.ts';
import type { Strategy } from '../src/backtest/strategy.ts';
import { streamBinanceTrades } from '../test/backtest/sample-data.ts';
import { heapUsedAfterGc, type BenchRow } from './harness.ts';

/** Positions net per instrument: 100 positions need 100 symbols, one Binance trades file each. */
const SYMBOLS = 100;
const BYTES_PER_ROW = 76;

/** Opens a long with a stop and a take-profit on every symbol that has none, at its next trade. */
function holdProtectedPositions(onRow: (rows: number) => void): Strategy & { name: string } {
  return {
    name: '100 protected positions',
    start({ engine, instruments, subscribeMarketData }) {
      const open = new Set<string>();
      const unsubscribe = engine.subscribe((event) => {
        if (event.type === 'PositionClosed') open.delete(event.symbol);
      });
      let rows = 0;
      const stop = subscribeMarketData(instruments.map((instrument) => instrument.symbol), (tick) => {
        if (tick.type !== 'trade') return;
        onRow(++rows);
        if (open.has(tick.symbol)) return;
        open.add(tick.symbol);
        engine.openPosition({
          symbol: tick.symbol, direction: 'long', quantity: '0.01',
          plan: { stopLoss: { method: 'percent', percent: '0.5' }, takeProfit: [{ target: { method: 'riskReward', multiple: '1' }, fraction: '1' }] },
        });
      });
      return () => {
        stop();
        unsubscribe();
      };
    },
  };
}

interface GeneratedRun {
  readonly bytes: number;
  readonly rows: number;
  readonly trades: number;
  readonly replaySeconds: number;
  /** Parse-only seconds of the same files, when asked for. */
  readonly parseSeconds?: number;
  /** Heap after the run's rows, read with the run alive. */
  readonly heapAfterRows: number;
}

/** Generates `megabytes` of trades over 100 symbols' files, replays them (and parses them only, if asked), deletes them. */
async function generatedRun(megabytes: number, parseToo: boolean): Promise<GeneratedRun> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-backtest-bench-'));
  try {
    const rowsPerSymbol = Math.ceil((megabytes * 1024 * 1024) / BYTES_PER_ROW / SYMBOLS);
    let bytes = 0;
    for (let symbol = 0; symbol < SYMBOLS; symbol++) {
      // One trade a second per symbol, the symbols 10 ms apart: the merged stream interleaves them.
      bytes += await streamBinanceTrades(path.join(directory, `S${String(symbol).padStart(2, '0')}USDT-trades-2025-01-01.csv`), {
        seed: symbol + 1, rows: rowsPerSymbol, startTime: Date.UTC(2025, 0, 1) + symbol * 10, stepMs: 1_000, microseconds: true,
      });
    }
    const totalRows = rowsPerSymbol * SYMBOLS;

    let parseSeconds: number | undefined;
    if (parseToo) {
      // Parsed only: the same readers and merge the backtest uses, every row made into a tick.
      const parseStarted = process.hrtime.bigint();
      const catalog = await catalogDataFiles(await listDataFiles([directory]));
      let parsed = 0;
      for await (const batch of mergeDataFiles(catalog.files)) parsed += batch.length;
      parseSeconds = Number(process.hrtime.bigint() - parseStarted) / 1e9;
      if (parsed !== totalRows) throw new Error(`parsed ${parsed} rows, expected ${totalRows}`);
    }

    // Read during the run, with the engine, its positions and the recorder alive. Each open file holds a
    // chunk of parsed rows; near the end files run out and drop theirs, so the figure is the larger of the
    // readings at 95 % (every file still open) and at the last row.
    let heapAfterRows = 0;
    const late = Math.floor(totalRows * 0.95);
    const strategy = holdProtectedPositions((rows) => {
      if (rows === late || rows === totalRows) heapAfterRows = Math.max(heapAfterRows, heapUsedAfterGc());
    });
    const config = parseBacktestConfig({ balances: { USDT: '100000000' }, report: { sampleEveryMs: 60_000 } });
    const replayStarted = process.hrtime.bigint();
    const result = await runBacktest({ data: [directory], strategy, config });
    const replaySeconds = Number(process.hrtime.bigint() - replayStarted) / 1e9;
    if (result.rows !== totalRows) throw new Error(`replayed ${result.rows} rows, expected ${totalRows}`);
    return { bytes, rows: totalRows, trades: result.report.trades.length, replaySeconds, parseSeconds, heapAfterRows };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const megabytesOf = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export async function run(): Promise<BenchRow[]> {
  const full = process.env.FILLSTATE_BENCH_BACKTEST_FULL === '1';
  const [smallMb, largeMb] = full ? [100, 1024] : [10, 100];
  // Rows/s come from the 100 MB run (parsed only as well): the larger run by default, the smaller one when full.
  const small = await generatedRun(smallMb, full);
  const large = await generatedRun(largeMb, !full);
  const measured = full ? small : large;
  const parseRate = measured.rows / measured.parseSeconds!;
  const replayRate = measured.rows / measured.replaySeconds;
  const scale = `${megabytesOf(measured.bytes)}, ${measured.rows.toLocaleString('en-US')} rows, ${SYMBOLS} files`;
  return [
    {
      name: `rows/s through the engine, 100 protected positions (${scale}; ${measured.trades} trades closed)`,
      value: replayRate,
      unit: 'rows/s',
      baselineName: 'the same files only parsed',
      baselineValue: parseRate,
      goal: '>= 25% of parse speed',
      met: replayRate >= 0.25 * parseRate,
    },
    {
      name: `heap after a run of ${megabytesOf(large.bytes)} of rows (${large.rows.toLocaleString('en-US')} rows, ${large.trades} trades)`,
      value: large.heapAfterRows / 1024 / 1024,
      unit: 'MB',
      baselineName: `heap after a run of ${megabytesOf(small.bytes)} (${small.rows.toLocaleString('en-US')} rows)`,
      baselineValue: small.heapAfterRows / 1024 / 1024,
      goal: '<= 1.2x',
      met: large.heapAfterRows <= 1.2 * small.heapAfterRows,
    },
  ];
}
