// Backtests through the engine on simulated time: byte-identical output for the same inputs, strategy modules
// (TypeScript) with the library API, the period filter, the CLI, and configs and strategies refused whole.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBacktestConfig } from '../../src/backtest/config.ts';
import { runBacktest } from '../../src/backtest/runner.ts';
import { writeBinanceTrades } from './sample-data.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-backtest-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const START = Date.UTC(2025, 0, 1);
const data = path.join(directory, 'BTCUSDT-trades-2025-01-01.csv');
// 2,400 trades a second apart: 40 minutes of spot trades in microseconds, as Binance writes them since 2025.
writeBinanceTrades(data, { seed: 3, rows: 2_400, startTime: START, stepMs: 1_000, microseconds: true });
const config = parseBacktestConfig({ balances: { USDT: '100000', BTC: '1' }, strategy: { everyMs: 60_000 } });

describe('fillstate backtest', () => {
  it('gives byte-identical journal, report JSON and report HTML for the same inputs', async () => {
    const first = await runBacktest({ data: [data], config, outDir: path.join(directory, 'run-a') });
    const second = await runBacktest({ data: [data], config, outDir: path.join(directory, 'run-b') });
    for (const name of ['journal.jsonl', 'report.json', 'report.html']) {
      const a = readFileSync(path.join(directory, 'run-a', name));
      const b = readFileSync(path.join(directory, 'run-b', name));
      expect(a.length).toBeGreaterThan(1000);
      expect(a.equals(b), `${name} differs between two runs`).toBe(true);
    }
    // The demo strategy traded: positions opened, protected, and closed by signal, stop or take-profit.
    expect(first.rows).toBe(2_400);
    expect(first.report.trades.length).toBeGreaterThan(5);
    expect(first.report.byExitReason.map((row) => row.key)).toContain('signal');
    expect(first.report.stops.length).toBeGreaterThan(0);
    expect(first.report.takeProfits.length).toBeGreaterThan(0);
    expect(first.report.warnings.join('\n')).toMatch(/BTC\/USDT: no instrument in the config, inferred from the data: tick 0\.01 and lot 0\.00001/);
    const journal = readFileSync(path.join(directory, 'run-a', 'journal.jsonl'), 'utf8').trim().split('\n');
    expect(journal).toHaveLength(first.events);
    expect(journal.map((line) => (JSON.parse(line) as { sequence: number }).sequence)).toEqual(journal.map((_, index) => index + 1));
    // Money in the JSON is decimal strings.
    const report = JSON.parse(readFileSync(path.join(directory, 'run-a', 'report.json'), 'utf8'));
    expect(typeof report.statistics.endingEquity).toBe('string');
    expect(report.trades.every((trade: { realizedPnl: unknown }) => typeof trade.realizedPnl === 'string')).toBe(true);
    expect(second.report.statistics).toEqual(first.report.statistics);
  });

  it('runs a TypeScript strategy module through the library API, only within --from and --to', async () => {
    const strategy = path.join(directory, 'breakout.ts');
    writeFileSync(strategy, `
      import type { Strategy } from '${path.resolve('src/backtest/strategy.ts')}';
      const strategy: Strategy = {
        name: 'every tenth minute',
        start({ engine, clock, instruments, settings, subscribeMarketData }) {
          const symbol = instruments[0]!.symbol;
          let lastMinute = -1;
          return subscribeMarketData([symbol], (tick) => {
            const minute = Math.floor(clock.now() / 60_000);
            if (minute === lastMinute || minute % Number(settings.every) !== 0) return;
            lastMinute = minute;
            const open = engine.listPositions({ open: true });
            if (open.length > 0) engine.closePosition(open[0]!.positionId, { reason: 'signal' });
            else engine.openPosition({ symbol, direction: 'long', quantity: '0.01', plan: { stopLoss: { method: 'percent', percent: '1' } } });
          });
        },
      };
      export default strategy;
    `);
    const from = START + 5 * 60_000;
    const to = START + 25 * 60_000;
    const result = await runBacktest({ data: [data], strategyPath: strategy, config: parseBacktestConfig({ balances: { USDT: '100000' }, strategy: { every: 2 } }), from, to });
    expect(result.report.strategy).toBe('every tenth minute');
    expect(result.rows).toBe(20 * 60 + 1);
    expect(result.report.statistics.start).toBe(from);
    expect(result.report.trades.length).toBeGreaterThanOrEqual(4);
    expect(result.report.trades.every((trade) => trade.entryTime >= from && trade.exitTime <= to + 1_000)).toBe(true);
    expect(result.report.execution.byKind.map((group) => group.kind)).toContain('market (position)');
  });

  it('refuses a strategy without a usable default export, and a config with a bad field, naming the problem', async () => {
    const bad = path.join(directory, 'bad-strategy.js');
    writeFileSync(bad, 'export const notDefault = 1;\n');
    await expect(runBacktest({ data: [data], strategyPath: bad })).rejects.toThrow(/must export by default a function \(context\) => stop\? or an object with start\(context\); it exports nothing/);
    expect(() => parseBacktestConfig({ balances: { USDT: 100000 } })).toThrow(/balances\.USDT: Invalid input: expected string, received number/);
    expect(() => parseBacktestConfig({ venue: { orderLatency: 5 } })).toThrow(/venue: Unrecognized key/);
    await expect(runBacktest({ data: [path.join(directory, 'missing')] })).rejects.toThrow(/data path .*missing does not exist/);
  });

  it('runs from the command line, with progress on stderr, and compares two reports', async () => {
    const run = promisify(execFile);
    const out = path.join(directory, 'cli');
    const cli = path.resolve('bin/fillstate.mjs');
    const configFile = path.join(directory, 'backtest.json');
    writeFileSync(configFile, JSON.stringify({ balances: { USDT: '100000', BTC: '1' } }));
    const { stdout, stderr } = await run(process.execPath, [cli, 'backtest', '--data', data, '--config', configFile, '--to', '2025-01-01T00:20:00Z', '--out', out], { timeout: 60_000 });
    expect(stdout).toMatch(/^1,201 rows, [\d,]+ events, \d+ trades/);
    expect(stdout).toContain(`report ${path.join(out, 'report.html')}`);
    expect(stderr).toMatch(/backtest: 100\.0%, 1,201 rows, at 2025-01-01 00:20:0\d, [\d,]+ rows\/s, done in/);
    expect(stderr).toMatch(/warning: BTC\/USDT: no instrument in the config/);
    const comparison = path.join(directory, 'comparison.html');
    const compared = await run(process.execPath, [cli, 'report', '--compare', path.join(out, 'report.json'), path.join(directory, 'run-a', 'report.json'), '--out', comparison], { timeout: 60_000 });
    expect(compared.stdout).toContain(`comparison ${comparison}`);
    expect(existsSync(comparison)).toBe(true);
  }, 60_000);
});
