// A daemon's history: GET /v1/performance and `fillstate report --since` (its API client) give the same
// statistics for the same trades, worked out here by hand for a small history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHistoryReport } from '../../src/backtest/history-client.ts';
import { DaemonClient } from '../../src/daemon/client.ts';
import { startTestDaemon, SYMBOL, TOKEN, type TestDaemon } from '../daemon/fixture.ts';

let daemon: TestDaemon;
let secondTradeFrom = 0;

/** A long at market around `entry`, closed at market around `exit`, ten minutes later. */
function roundTrip(entry: string, exit: string): void {
  daemon.quote(entry);
  const { positionId } = daemon.engine.openPosition({ symbol: SYMBOL, direction: 'long', quantity: '1' });
  daemon.settle(60_000);
  daemon.quote(exit);
  daemon.engine.closePosition(positionId, { reason: 'signal' });
  daemon.settle(540_000);
}

beforeAll(async () => {
  daemon = await startTestDaemon();
  roundTrip('50000', '50100');
  secondTradeFrom = daemon.clock.now();
  roundTrip('50100', '49950');
  roundTrip('49950', '50300');
});

afterAll(async () => {
  await daemon?.close();
});

describe('GET /v1/performance and report --since', () => {
  it('answer the same statistics for the same history', async () => {
    const answer = await daemon.request('GET', `/v1/performance?since=${secondTradeFrom}`);
    expect(answer.status).toBe(200);
    const report = await fetchHistoryReport(new DaemonClient({ url: daemon.url, token: TOKEN }), { since: secondTradeFrom });
    expect(report.statistics).toEqual(answer.body.statistics);
    expect(report.trades).toHaveLength(2);
    expect(report.source).toBe('history');
  });

  it('works out the trades as by hand: market buys at the ask, sells at the bid, taker fees of 0.2 %', async () => {
    const { body } = await daemon.request('GET', '/v1/performance');
    const trades = daemon.engine.trades();
    expect(trades.map((trade) => [trade.entryPrice, trade.exitPrice])).toEqual([
      ['50000.1', '50099.9'],
      ['50100.1', '49949.9'],
      ['49950.1', '50299.9'],
    ]);
    // PnL: (exit − entry) × 1 − 0.002 × (entry + exit).
    expect(trades.map((trade) => trade.realizedPnl)).toEqual(['-100.4', '-350.3', '149.3']);
    expect(body.statistics).toMatchObject({ trades: 3, wins: 1, losses: 2, totalPnl: '-301.4', bestTrade: '149.3', worstTrade: '-350.3', fees: '600.8', winRate: '0.3333333333' });
    // The curve is the realized one: the starting equity plus each trade's PnL at its exit.
    expect(body.statistics.maxDrawdown).toBe('450.7');
    expect(body.performance.trades).toBe(3);
  });

  it('refuses a period that ends before it starts', async () => {
    const answer = await daemon.request('GET', '/v1/performance?since=10&until=5');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe('until (5) is before since (10)');
  });
});
