// The paper venue's realism set in the daemon's config: perpetuals on margin (leverage, isolated margin,
// funding interval and rate, maintenance), the fill model, L2 book replay and latency sampled from a file.
// Read as `fillstate start` reads it, run in a daemon, and bad settings refused whole with their reason.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PaperVenue } from '../../../adapters/paper/paper-venue.ts';
import type { AccountReport } from '../../../adapters/venue.ts';
import { ConfigError, loadConfig } from '../../../src/daemon/config.ts';
import { startDaemon } from '../../../src/daemon/daemon.ts';
import { SimulatedClock } from '../../../src/domain/clock.ts';
import type { QuoteTick } from '../../../src/domain/market-data.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-paper-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const PERPETUAL = {
  symbol: 'BTC-PERP', kind: 'perpetual', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.0002', takerFee: '0.0005',
};

function writeConfig(name: string, venue: Record<string, unknown>): string {
  const file = path.join(directory, `${name}.json`);
  writeFileSync(file, JSON.stringify({ venue: { type: 'paper', ...venue }, demo: { enabled: false }, log: { level: 'silent' } }));
  return file;
}

const REALISTIC = {
  instruments: [PERPETUAL],
  balances: { USDT: '100000' },
  perpetuals: { 'BTC-PERP': { leverage: '5', marginMode: 'isolated', maintenanceMarginRate: '0.01', fundingIntervalMs: 3_600_000, fundingRate: '0.001', markPrice: 'mid' } },
  fillModel: { kind: 'tradedVolume', participation: '0.5' },
  // Relative to the config file's folder.
  orderLatencyMs: { samplesFile: 'latency.txt', seed: 11 },
  reportLatencyMs: 0,
  marketDataLatencyMs: 5,
  market: { book: 'l2', levels: 3, intervalMs: 100, startPrice: '50000' },
};

describe('paper venue realism in the daemon config', () => {
  it('is read as `fillstate start` reads it, and a daemon trades with it: latency from the file, a position on isolated margin, funding at its interval, no queue under the traded-volume model', async () => {
    writeFileSync(path.join(directory, 'latency.txt'), '# order entry, measured\n40\n40\n');
    const { config } = loadConfig({ configPath: writeConfig('realistic', REALISTIC), env: {}, overrides: { dataDir: path.join(directory, 'data'), port: 0 } });
    expect(config.venue).toMatchObject({ orderLatencyMs: { samplesMs: [40, 40], seed: 11 }, fillModel: { kind: 'tradedVolume', participation: '0.5' }, market: { book: 'l2', levels: 3 } });

    // 07:59 UTC: the next funding time on the hourly grid is 08:00.
    const clock = new SimulatedClock(Date.UTC(2026, 0, 1, 7, 59));
    const daemon = await startDaemon({ config, clock, env: { FILLSTATE_TOKEN: 'paper-config-token-0123456789' } });
    try {
      const venue = daemon.engine.venue('paper') as PaperVenue;
      const reports: AccountReport[] = [];
      venue.onAccountReport((report) => reports.push(report));
      let lastQuote: QuoteTick | undefined;
      const quotes: QuoteTick[] = [];
      venue.subscribeMarketData(['BTC-PERP'], (tick) => {
        if (tick.type !== 'quote') return;
        lastQuote = tick;
        quotes.push(tick);
      });
      const advance = async (ms: number) => {
        clock.advanceBy(ms);
        await daemon.store.whenCommitted();
      };
      await advance(1_000);
      // The synthetic market reaches the venue as L2 updates; subscribers see the rebuilt book, 3 levels a side.
      expect(quotes.length).toBeGreaterThan(0);
      expect(quotes.every((quote) => quote.bids.length === 3 && quote.asks.length === 3)).toBe(true);

      daemon.engine.submitOrder({ symbol: 'BTC-PERP', side: 'buy', type: 'market', quantity: '0.05', clientOrderId: 'long-1' });
      await daemon.store.whenCommitted();
      const sentAt = clock.now();
      await advance(39);
      // The order takes 40 ms (the only latency in the file) to reach the venue.
      expect(await venue.queryOrder('long-1')).toBeUndefined();
      await advance(2);
      expect(await venue.queryOrder('long-1')).toMatchObject({ status: 'filled' });
      expect(clock.now() - sentAt).toBeGreaterThanOrEqual(40);
      // A perpetual: the buy opened a long on isolated margin at 5x; no BTC was bought, a fifth of the notional is held.
      const position = venue.position('BTC-PERP')!;
      expect(position).toMatchObject({ direction: 'long', quantity: '0.05', leverage: '5', marginMode: 'isolated' });
      expect((await venue.balances()).find((balance) => balance.currency === 'BTC')).toBeUndefined();
      const usdt = (await venue.balances()).find((balance) => balance.currency === 'USDT')!;
      expect(Number(usdt.reserved)).toBeCloseTo((Number(position.entryPrice) * 0.05) / 5, 6);

      // 08:00 UTC: the long pays funding at the configured rate.
      await advance(Date.UTC(2026, 0, 1, 8) - clock.now());
      const funding = reports.filter((report): report is Extract<AccountReport, { type: 'funding' }> => report.type === 'funding');
      expect(funding).toHaveLength(1);
      expect(funding[0]).toMatchObject({ symbol: 'BTC-PERP', rate: '0.001', currency: 'USDT', timestamp: Date.UTC(2026, 0, 1, 8) });
      expect(Number(funding[0]!.amount)).toBeLessThan(0);

      // Traded-volume fills: a resting order at the best bid has no queue ahead of it (the queue model would put
      // the whole displayed level ahead).
      const bestBid = lastQuote!.bids[0]!;
      daemon.engine.submitOrder({ symbol: 'BTC-PERP', side: 'buy', type: 'limit', quantity: '0.02', price: bestBid.price.toFixed(), clientOrderId: 'bid-1' });
      await daemon.store.whenCommitted();
      await advance(41);
      const working = await venue.queryOrder('bid-1');
      if (working?.status === 'open') expect(venue.queuePosition('bid-1')).toBe('0');
      else expect(working?.status).toMatch(/filled|partial/);
    } finally {
      await daemon.shutdown('test over');
      // The venue's last change is saved on the next turn: let it land before the directory goes.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);

  it('refuses bad realism settings whole, each with its path and reason', () => {
    const refused = (name: string, venue: Record<string, unknown>): string[] => {
      try {
        loadConfig({ configPath: writeConfig(name, venue), env: {} });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return [...(error as ConfigError).issues];
      }
      throw new Error(`${name} was accepted`);
    };
    expect(refused('leverage', { ...REALISTIC, perpetuals: { 'BTC-PERP': { leverage: '50', maintenanceMarginRate: '0.05' } } })).toEqual([
      'venue.perpetuals.BTC-PERP: BTC-PERP: maintenanceMarginRate 0.05 must be at least 0 and below 1 / leverage (0.02)',
    ]);
    expect(refused('not-perpetual', { ...REALISTIC, perpetuals: { 'ETH-PERP': { leverage: '2' } } })).toEqual([
      'venue.perpetuals.ETH-PERP: ETH-PERP is not an instrument of kind "perpetual" in the instruments',
    ]);
    expect(refused('margin-mode', { ...REALISTIC, perpetuals: { 'BTC-PERP': { marginMode: 'portfolio' } } })).toEqual(['venue.perpetuals.BTC-PERP.marginMode: marginMode must be "isolated" or "cross"']);
    expect(refused('mark-feed', { ...REALISTIC, perpetuals: { 'BTC-PERP': { markPrice: 'feed' } } })[0]).toMatch(/^venue\.perpetuals\.BTC-PERP\.markPrice: markPrice must be "mid" or "last"/);
    expect(refused('funding', { ...REALISTIC, perpetuals: { 'BTC-PERP': { fundingIntervalMs: 0 } } })[0]).toMatch(/^venue\.perpetuals\.BTC-PERP\.fundingIntervalMs: /);
    expect(refused('no-quote', { ...REALISTIC, balances: { BTC: '1' } })).toEqual(['venue.balances: the perpetual BTC-PERP settles in USDT: its margin account needs a USDT balance']);
    expect(refused('fill-model', { ...REALISTIC, fillModel: { kind: 'magic' } })).toEqual(['venue.fillModel.kind: fillModel.kind must be "queuePosition", "probabilisticQueue" or "tradedVolume"']);
    expect(refused('participation', { ...REALISTIC, fillModel: { kind: 'tradedVolume', participation: '1.5' } })).toEqual([
      'venue.fillModel: fill model tradedVolume: participation must be above 0 and at most 1, got 1.5',
    ]);
    expect(refused('seedless', { ...REALISTIC, fillModel: { kind: 'probabilisticQueue' } })[0]).toMatch(/^venue\.fillModel\.seed: /);
    expect(refused('latency', { ...REALISTIC, orderLatencyMs: -1 })[0]).toMatch(/^venue\.orderLatencyMs: /);
    expect(refused('book', { ...REALISTIC, market: { book: 'l3' } })).toEqual(['venue.market.book: market.book must be "quotes" or "l2"']);
    expect(refused('kind', { ...REALISTIC, instruments: [{ ...PERPETUAL, kind: 'option' }] })[0]).toBe('venue.instruments.0.kind: kind must be "spot" or "perpetual"');

    writeFileSync(path.join(directory, 'bad-latency.txt'), '12\nfast\n');
    expect(refused('samples-line', { ...REALISTIC, orderLatencyMs: { samplesFile: 'bad-latency.txt', seed: 1 } })).toEqual([
      `venue.orderLatencyMs.samplesFile: ${path.join(directory, 'bad-latency.txt')}:2: a latency must be a non-negative number of milliseconds, got "fast"`,
    ]);
    expect(refused('samples-missing', { ...REALISTIC, reportLatencyMs: { samplesFile: 'nowhere.txt', seed: 1 } })).toEqual([
      `venue.reportLatencyMs.samplesFile: ${path.join(directory, 'nowhere.txt')} does not exist`,
    ]);
  });

  it('`fillstate start` with a bad setting exits 2 and says what is wrong, starting nothing', async () => {
    const file = writeConfig('cli-bad', { ...REALISTIC, perpetuals: { 'BTC-PERP': { leverage: '0.5' } } });
    const dataDir = path.join(directory, 'cli-data');
    const run = promisify(execFile)(process.execPath, [path.resolve('bin/fillstate.mjs'), 'start', '--config', file, '--data-dir', dataDir, '--port', '0'], { timeout: 60_000 });
    const failure = await run.then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('venue.perpetuals.BTC-PERP: BTC-PERP: leverage must be at least 1, got 0.5');
  }, 60_000);
});
