// Report statistics: hand-worked examples of every figure, and properties that hold for any curve and trades.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal, type Decimal } from '../../src/domain/decimal.ts';
import {
  annualizedReturn,
  annualizedVolatility,
  calmarRatio,
  equityOnGrid,
  exposure,
  maxDrawdownDuration,
  periodReturns,
  returnPeriodMs,
  totalReturn,
  YEAR_MS,
  type EquityPoint,
} from '../../src/analytics/equity-statistics.ts';
import { computeStatistics, groupTrades, realizedEquityCurve } from '../../src/analytics/report-statistics.ts';
import { createTradeRecord } from '../../src/analytics/trade-record.ts';

const HOUR = 3_600_000;
const d = (text: string): Decimal => decimal(text);
const points = (values: readonly [number, string][]): EquityPoint[] => values.map(([time, equity]) => ({ time, equity: d(equity) }));
const texts = (values: readonly Decimal[]) => values.map((value) => value.toFixed());

describe('equity statistics, worked by hand', () => {
  const curve = points([[0, '100'], [HOUR, '110'], [2 * HOUR, '99'], [3 * HOUR, '121']]);

  it('samples the curve on a grid and takes period returns', () => {
    expect(texts(equityOnGrid(curve, HOUR))).toEqual(['100', '110', '99', '121']);
    // A two-hour grid: each point holds until the next; the last point closes the grid.
    expect(texts(equityOnGrid(curve, 2 * HOUR))).toEqual(['100', '99', '121']);
    expect(texts(periodReturns([d('100'), d('110'), d('99')]))).toEqual(['0.1', '-0.1']);
    expect(totalReturn(d('100'), d('121')).toFixed()).toBe('0.21');
  });

  it('annualises: over a year the total, over half a year compounded twice', () => {
    expect(annualizedReturn(d('0.21'), YEAR_MS)!.toFixed()).toBe('0.21');
    expect(annualizedReturn(d('0.21'), YEAR_MS / 2)!.toFixed()).toBe('0.4641');
    expect(annualizedReturn(d('-1'), YEAR_MS)).toBeNull();
    expect(annualizedReturn(d('0.1'), 0)).toBeNull();
    // Sample deviation of (0.1, -0.1) is sqrt(0.02); × sqrt(8,760 hours a year).
    expect(annualizedVolatility([d('0.1'), d('-0.1')], HOUR)!.toFixed(20)).toBe(d('175.2').sqrt().toFixed(20));
    expect(annualizedVolatility([d('0.1')], HOUR)).toBeNull();
  });

  it('measures the longest time under water, Calmar and exposure', () => {
    expect(maxDrawdownDuration(curve)).toEqual({ durationMs: 2 * HOUR, peakTime: HOUR, recoveryTime: 3 * HOUR });
    expect(maxDrawdownDuration(points([[0, '100'], [HOUR, '90'], [5 * HOUR, '95']]))).toEqual({ durationMs: 5 * HOUR, peakTime: 0, recoveryTime: undefined });
    expect(calmarRatio(d('0.4641'), d('0.1'))).toEqual(d('4.641'));
    expect(calmarRatio(d('0.2'), d('0'))).toBe('infinite');
    expect(exposure([{ start: 0, end: HOUR }, { start: HOUR / 2, end: 2 * HOUR }, { start: 2.5 * HOUR, end: 5 * HOUR }], 0, 4 * HOUR).toFixed()).toBe('0.875');
  });

  it('chooses the return period from the span', () => {
    expect([returnPeriodMs(HOUR), returnPeriodMs(10 * 24 * HOUR), returnPeriodMs(YEAR_MS)]).toEqual([60_000, HOUR, 24 * HOUR]);
  });
});

describe('computeStatistics, worked by hand', () => {
  const trades = [
    createTradeRecord({ id: 'p1', symbol: 'BTC/USDT', side: 'buy', entryTime: 0, exitTime: YEAR_MS / 4, entryPrice: '100', exitPrice: '115.5', quantity: '10', fees: '5', exitReason: 'takeProfit' }),
    createTradeRecord({ id: 'p2', symbol: 'ETH/USDT', side: 'sell', entryTime: YEAR_MS / 2, exitTime: (3 * YEAR_MS) / 4, entryPrice: '50', exitPrice: '54.5', quantity: '10', fees: '5', exitReason: 'stop' }),
  ];

  it('gives every figure of a year with one win and one loss', () => {
    const statistics = computeStatistics({ trades, equity: [{ time: 0, equity: '1000' }, { time: YEAR_MS / 2, equity: '900' }, { time: YEAR_MS, equity: '1100' }], start: 0, end: YEAR_MS });
    expect(statistics).toMatchObject({
      startingEquity: '1000',
      endingEquity: '1100',
      totalReturn: '0.1',
      annualizedReturn: '0.1',
      returnPeriodMs: 24 * HOUR,
      maxDrawdown: '100',
      maxDrawdownFraction: '0.1',
      maxDrawdownDurationMs: YEAR_MS,
      calmarRatio: '1',
      trades: 2,
      wins: 1,
      losses: 1,
      winRate: '0.5',
      // +150 and −50, net of 5 in fees each.
      totalPnl: '100',
      profitFactor: '3',
      expectancy: '50',
      averageWin: '150',
      averageLoss: '-50',
      bestTrade: '150',
      worstTrade: '-50',
      exposure: '0.5',
      fees: '10',
      // (100 + 115.5) × 10 + (50 + 54.5) × 10
      turnover: '3200',
      turnoverRatio: '3.2',
    });
    expect(statistics.sharpeRatio).not.toBeNull();
    expect(statistics.volatility).not.toBeNull();
  });

  it('tabulates trades per symbol and per exit reason', () => {
    expect(groupTrades(trades, 'exitReason')).toEqual([
      { key: 'takeProfit', trades: 1, wins: 1, winRate: '1', totalPnl: '150', averagePnl: '150', fees: '5' },
      { key: 'stop', trades: 1, wins: 0, winRate: '0', totalPnl: '-50', averagePnl: '-50', fees: '5' },
    ]);
    expect(groupTrades(trades, 'symbol').map((row) => row.key)).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('refuses an empty curve and points out of time order', () => {
    expect(() => computeStatistics({ trades: [], equity: [], start: 0, end: 1 })).toThrow(/at least one point/);
    expect(() => computeStatistics({ trades: [], equity: [{ time: 5, equity: '1' }, { time: 4, equity: '1' }], start: 0, end: 5 })).toThrow(/before the one before it/);
  });
});

const equityValue = fc.integer({ min: 1, max: 1_000_000 }).map((cents) => decimal(cents).div(decimal(100)));
const curveArbitrary = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 6 * HOUR }), equityValue), { minLength: 1, maxLength: 40 })
  .map((entries) => {
    let time = 0;
    return entries.map(([step, equity]) => ({ time: (time += step), equity }));
  });

describe('statistics properties', () => {
  it('scaling the whole curve changes no return, ratio or drawdown fraction', () => {
    fc.assert(
      fc.property(curveArbitrary, fc.integer({ min: 2, max: 1000 }), (curve, factor) => {
        const end = curve[curve.length - 1]!.time;
        const input = (scale: number) => ({ trades: [], equity: curve.map((point) => ({ time: point.time, equity: point.equity.times(decimal(scale)).toFixed() })), start: curve[0]!.time, end });
        const one = computeStatistics(input(1));
        const scaled = computeStatistics(input(factor));
        expect([scaled.totalReturn, scaled.sharpeRatio, scaled.sortinoRatio, scaled.maxDrawdownFraction, scaled.maxDrawdownDurationMs, scaled.volatility]).toEqual([
          one.totalReturn, one.sharpeRatio, one.sortinoRatio, one.maxDrawdownFraction, one.maxDrawdownDurationMs, one.volatility,
        ]);
      }),
      { numRuns: 60 },
    );
  });

  it('a curve that never falls has no drawdown, and the time under water never exceeds the span', () => {
    fc.assert(
      fc.property(curveArbitrary, (curve) => {
        const rising = curve.map((point, index) => ({ time: point.time, equity: decimal(index + 1) }));
        expect(maxDrawdownDuration(rising).durationMs).toBe(0);
        const duration = maxDrawdownDuration(curve).durationMs;
        expect(duration).toBeGreaterThanOrEqual(0);
        expect(duration).toBeLessThanOrEqual(curve[curve.length - 1]!.time - curve[0]!.time);
      }),
    );
  });

  it('exposure is in [0, 1], 1 when one interval covers the period, and never more than the intervals summed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 500 }))), (pairs) => {
        const intervals = pairs.map(([start, length]) => ({ start, end: start + length }));
        const share = exposure(intervals, 0, 1000);
        expect(share.gte(decimal(0)) && share.lte(decimal(1))).toBe(true);
        const summed = intervals.reduce((total, interval) => total + Math.max(0, Math.min(1000, interval.end) - Math.min(1000, interval.start)), 0);
        expect(share.lte(decimal(summed).div(decimal(1000)))).toBe(true);
        expect(exposure([...intervals, { start: -5, end: 2000 }], 0, 1000).toFixed()).toBe('1');
      }),
    );
  });

  it('the realized curve ends at starting equity plus the trades PnL, which the statistics report', () => {
    const tradeArbitrary = fc.record({
      entry: fc.integer({ min: 1, max: 10_000 }),
      exit: fc.integer({ min: 1, max: 10_000 }),
      quantity: fc.integer({ min: 1, max: 100 }),
      fees: fc.integer({ min: 0, max: 50 }),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      exitTime: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(tradeArbitrary, { maxLength: 20 }), (drafts) => {
        const trades = drafts.map((draft, index) =>
          createTradeRecord({ id: `t${index}`, symbol: 'X/Y', side: draft.side, entryTime: 0, exitTime: draft.exitTime, entryPrice: String(draft.entry), exitPrice: String(draft.exit), quantity: String(draft.quantity), fees: String(draft.fees), exitReason: 'signal' }),
        );
        const start = decimal('100000000');
        const curve = realizedEquityCurve(trades, start.toFixed(), 0);
        const statistics = computeStatistics({ trades, equity: curve, start: 0, end: 1_000_000 });
        expect(decimal(statistics.endingEquity).minus(statistics.startingEquity).toFixed()).toBe(statistics.totalPnl);
        expect(statistics.wins + statistics.losses).toBeLessThanOrEqual(statistics.trades);
      }),
      { numRuns: 60 },
    );
  });
});
