// The report's price samples, kept compactly during a run: each symbol's price at a sample is its last trade
// then, and a symbol with no trade yet has no price at that sample.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBacktestConfig } from '../../src/backtest/config.ts';
import { runBacktest } from '../../src/backtest/runner.ts';
import type { Strategy } from '../../src/backtest/strategy.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { writeBinanceTrades } from './sample-data.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-recorder-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const START = Date.UTC(2025, 0, 1);

/** Trade times (ms) and prices of a Binance spot trades file (microsecond times). */
function tradesOf(file: string): Array<{ time: number; price: string }> {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => {
    const columns = line.split(',');
    return { time: Number(columns[4]) / 1000, price: columns[1]! };
  });
}

const idle: Strategy & { name: string } = { name: 'idle', start: () => undefined };

describe('price samples', () => {
  it('hold each symbol\'s last trade price at every sample, and nothing for a symbol before its first trade', async () => {
    const btc = path.join(directory, 'BTCUSDT-trades-2025-01-01.csv');
    const eth = path.join(directory, 'ETHUSDT-trades-2025-01-01.csv');
    writeBinanceTrades(btc, { seed: 1, rows: 600, startTime: START, stepMs: 1_000, microseconds: true });
    // ETH trades from the third minute on, every 7 seconds, never at a sample's time (a tie would be in either).
    writeBinanceTrades(eth, { seed: 2, rows: 60, startTime: START + 150_500, stepMs: 7_000, microseconds: true });
    const result = await runBacktest({
      data: [btc, eth],
      strategy: idle,
      config: parseBacktestConfig({ balances: { USDT: '100000' }, report: { sampleEveryMs: 60_000 } }),
    });
    const trades = { 'BTC/USDT': tradesOf(btc), 'ETH/USDT': tradesOf(eth) };
    const times = result.report.equity.map((point) => point.time);
    expect(times.length).toBeGreaterThanOrEqual(10);
    for (const [symbol, series] of Object.entries(trades)) {
      const sampled = result.report.prices[symbol]!;
      // A point at every sample from the symbol's first trade on, none before it.
      expect(sampled.map((point) => point.time)).toEqual(times.filter((time) => time >= series[0]!.time));
      for (const point of sampled) {
        const last = series.filter((trade) => trade.time <= point.time).at(-1)!;
        expect(decimal(point.price).eq(last.price), `${symbol} at ${point.time}: ${point.price}, last trade ${last.price}`).toBe(true);
      }
    }
    expect(result.report.prices['ETH/USDT']!.length).toBeLessThan(result.report.prices['BTC/USDT']!.length);
  });
});
