// The backtest config sets the paper venue's realism too: latency sampled from a file of measurements, the fill
// model, perpetual instruments with their margin terms; a bad setting refuses the config whole with its path.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBacktestConfig, readBacktestConfig } from '../../src/backtest/config.ts';
import { runBacktest } from '../../src/backtest/runner.ts';
import type { Strategy } from '../../src/backtest/strategy.ts';
import type { PaperVenue } from '../../adapters/paper/paper-venue.ts';
import type { Balance, VenuePosition } from '../../adapters/venue.ts';
import { writeBinanceTrades } from './sample-data.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-backtest-realism-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const data = path.join(directory, 'BTCUSDT-trades-2025-01-01.csv');
writeBinanceTrades(data, { seed: 9, rows: 1_200, startTime: Date.UTC(2025, 0, 1), stepMs: 1_000, microseconds: true });

const INSTRUMENT = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001' };

describe('backtest venue realism from the config', () => {
  it('delays every order by a latency drawn from the measured file, the same way on every run', async () => {
    writeFileSync(path.join(directory, 'entry-latency.txt'), '# measured order entry, ms\n250\n400\n');
    const configFile = path.join(directory, 'realism.json');
    writeFileSync(configFile, JSON.stringify({
      instruments: [INSTRUMENT],
      balances: { USDT: '100000', BTC: '1' },
      venue: { orderLatencyMs: { samplesFile: 'entry-latency.txt', seed: 3 }, reportLatencyMs: 0, fillModel: { kind: 'tradedVolume', participation: '0.5' } },
      strategy: { everyMs: 60_000 },
    }));
    const config = readBacktestConfig(configFile);
    expect(config.venue?.orderLatencyMs).toEqual({ samplesMs: [250, 400], seed: 3 });
    const outDir = path.join(directory, 'run');
    const result = await runBacktest({ data: [data], config, outDir });
    const journal = readFileSync(path.join(outDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; orderId?: string; orderType?: string; timestamp: number });
    const submitted = new Map(journal.filter((event) => event.type === 'OrderSubmitted' && event.orderType === 'market').map((event) => [event.orderId!, event.timestamp]));
    const delays = [...submitted].flatMap(([orderId, sentAt]) => {
      const fill = journal.find((event) => event.type === 'OrderFilled' && event.orderId === orderId);
      return fill === undefined ? [] : [fill.timestamp - sentAt];
    });
    expect(delays.length).toBeGreaterThan(5);
    // Each market order filled no sooner than its drawn entry latency (no later than the longest, plus the
    // wait for the next trade, one a second), and both measured latencies were drawn.
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(250);
    expect(delays.some((delay) => delay >= 400)).toBe(true);
    expect(delays.some((delay) => delay < 400)).toBe(true);
    const again = await runBacktest({ data: [data], config, outDir: path.join(directory, 'again') });
    expect(readFileSync(path.join(directory, 'again', 'journal.jsonl')).equals(readFileSync(path.join(outDir, 'journal.jsonl')))).toBe(true);
    expect(again.report.statistics).toEqual(result.report.statistics);
  }, 60_000);

  it('runs a perpetual on its margin terms', async () => {
    const config = parseBacktestConfig({
      instruments: [{ ...INSTRUMENT, kind: 'perpetual' }],
      balances: { USDT: '100000' },
      venue: { perpetuals: { 'BTC/USDT': { leverage: '10', marginMode: 'isolated', fundingRate: '0.0001', fundingIntervalMs: 3_600_000 } } },
    });
    let position: VenuePosition | undefined;
    let balances: readonly Balance[] = [];
    const strategy: Strategy & { name: string } = {
      name: 'one long',
      start({ engine, instruments, subscribeMarketData }) {
        let opened = false;
        const venue = engine.venue(engine.venueIds()[0]!) as PaperVenue;
        const stop = subscribeMarketData([instruments[0]!.symbol], () => {
          if (opened) return;
          opened = true;
          engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.1' });
        });
        return async () => {
          stop();
          position = venue.position('BTC/USDT');
          balances = await venue.balances();
        };
      },
    };
    const result = await runBacktest({ data: [data], config, strategy });
    expect(result.rows).toBe(1_200);
    // The venue held a long on 10x isolated margin: a tenth of the notional (and the fee) held, no BTC bought.
    expect(position).toMatchObject({ direction: 'long', quantity: '0.1', leverage: '10', marginMode: 'isolated' });
    const usdt = balances.find((balance) => balance.currency === 'USDT')!;
    expect(Number(usdt.reserved)).toBeCloseTo((Number(position!.entryPrice) * 0.1) / 10, 1);
    expect(balances.find((balance) => balance.currency === 'BTC')).toBeUndefined();
  }, 60_000);

  it('refuses bad realism settings whole, each with its path', () => {
    const refusal = (value: unknown): string => {
      try {
        parseBacktestConfig(value, 'bt.json', directory);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ instruments: [INSTRUMENT], venue: { perpetuals: { 'BTC/USDT': { leverage: '3' } } } })).toContain('venue.perpetuals.BTC/USDT: BTC/USDT is not an instrument of kind "perpetual" in the instruments');
    expect(refusal({ instruments: [{ ...INSTRUMENT, kind: 'perpetual' }], venue: { perpetuals: { 'BTC/USDT': { leverage: '100', maintenanceMarginRate: '0.02' } } } })).toContain(
      'venue.perpetuals.BTC/USDT: BTC/USDT: maintenanceMarginRate 0.02 must be at least 0 and below 1 / leverage (0.01)',
    );
    expect(refusal({ venue: { fillModel: { kind: 'tradedVolume', participation: '2' } } })).toContain('venue.fillModel: fill model tradedVolume: participation must be above 0 and at most 1, got 2');
    expect(refusal({ venue: { orderLatencyMs: { samplesFile: 'missing.txt', seed: 1 } } })).toContain(`venue.orderLatencyMs.samplesFile: ${path.join(directory, 'missing.txt')} does not exist`);
    expect(refusal({ venue: { marketDataLatencyMs: 'fast' } })).toMatch(/venue\.marketDataLatencyMs: marketDataLatencyMs must be milliseconds/);
  });
});
