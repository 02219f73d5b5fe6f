import { describe, expect, it } from 'vitest';
import { ZERO, decimal, type Decimal } from '../../src/domain/decimal.ts';
import {
  averageLoss,
  averageWin,
  createTradeRecord,
  equityCurve,
  expectancy,
  grossLoss,
  grossProfit,
  maxDrawdown,
  pnlBySymbol,
  profitFactor,
  sharpeRatio,
  sortinoRatio,
  summarizePerformance,
  totalPnl,
  tradeReturn,
  winRate,
  type TradeRecord,
} from '../../src/analytics/performance.ts';

const d = (text: string): Decimal => decimal(text);
const text = (value: Decimal | string | null) => (value === null || typeof value === 'string' ? value : value.toFixed());

const base = { entryTime: 0, exitReason: 'manual' as const };
// Net PnL by hand: +9, −10.5, +9.5, −1, 0.
const trades: TradeRecord[] = [
  createTradeRecord({ ...base, id: 'a', symbol: 'BTC/USDT', side: 'buy', entryPrice: '100', exitPrice: '110', quantity: '1', fees: '1', exitTime: 1, exitReason: 'takeProfit' }),
  createTradeRecord({ ...base, id: 'b', symbol: 'ETH/USDT', side: 'sell', entryPrice: '50', exitPrice: '55', quantity: '2', fees: '0.5', exitTime: 2, exitReason: 'stop' }),
  createTradeRecord({ ...base, id: 'c', symbol: 'BTC/USDT', side: 'buy', entryPrice: '100', exitPrice: '120', quantity: '0.5', fees: '0.5', exitTime: 3, exitReason: 'trailing' }),
  createTradeRecord({ ...base, id: 'd', symbol: 'ETH/USDT', side: 'buy', entryPrice: '50', exitPrice: '49', quantity: '1', fees: '0', exitTime: 4 }),
  createTradeRecord({ ...base, id: 'e', symbol: 'SOL/USDT', side: 'sell', entryPrice: '20', exitPrice: '20', quantity: '1', fees: '0', exitTime: 5, exitReason: 'signal' }),
];

describe('trade records', () => {
  it('compute net realized PnL for longs and shorts', () => {
    expect(trades.map((trade) => trade.realizedPnl)).toEqual(['9', '-10.5', '9.5', '-1', '0']);
  });

  it('refuse impossible trades, naming the value', () => {
    expect(() => createTradeRecord({ ...base, id: 'x', symbol: 'S', side: 'buy', entryPrice: '1', exitPrice: '1', quantity: '0', fees: '0', exitTime: 1 })).toThrow(
      'trade x: quantity must be positive, got 0',
    );
    expect(() => createTradeRecord({ ...base, id: 'y', symbol: 'S', side: 'buy', entryPrice: '1', exitPrice: '1', quantity: '1', fees: '-1', exitTime: 1 })).toThrow(
      'trade y: fees must not be negative, got -1',
    );
    expect(() => createTradeRecord({ ...base, id: 'z', symbol: 'S', side: 'buy', entryTime: 5, entryPrice: '1', exitPrice: '1', quantity: '1', fees: '0', exitTime: 1 })).toThrow(
      'trade z: exitTime 1 is before entryTime 5',
    );
  });
});

describe('trade metrics, by hand', () => {
  it('win rate, gross profit and loss, profit factor', () => {
    expect(text(winRate(trades))).toBe('0.4');
    expect(text(grossProfit(trades))).toBe('18.5');
    expect(text(grossLoss(trades))).toBe('11.5');
    // 18.5 / 11.5 = 37 / 23
    expect((profitFactor(trades) as Decimal).round(20).toFixed()).toBe('1.60869565217391304348');
  });

  it('profit factor with no losses is "infinite", with nothing at all null', () => {
    expect(profitFactor([trades[0]!, trades[2]!])).toBe('infinite');
    expect(profitFactor([trades[4]!])).toBeNull();
    expect(profitFactor([])).toBeNull();
    expect(winRate([])).toBeNull();
  });

  it('total and per-symbol PnL, average win and loss, expectancy', () => {
    expect(text(totalPnl(trades))).toBe('7');
    expect([...pnlBySymbol(trades)].map(([symbol, pnl]) => [symbol, pnl.toFixed()])).toEqual([
      ['BTC/USDT', '18.5'],
      ['ETH/USDT', '-11.5'],
      ['SOL/USDT', '0'],
    ]);
    expect(text(averageWin(trades))).toBe('9.25');
    expect(text(averageLoss(trades))).toBe('-5.75');
    // 7 / 5 = 0.4 × 9.25 + 0.4 × (−5.75)
    expect(text(expectancy(trades))).toBe('1.4');
    expect(averageLoss([trades[0]!])).toBeNull();
  });

  it('per-trade return on committed capital', () => {
    expect(trades.map((trade) => tradeReturn(trade).toFixed())).toEqual(['0.09', '-0.105', '0.19', '-0.02', '0']);
  });
});

describe('Sharpe and Sortino', () => {
  const returns = ['0.01', '0.02', '-0.01', '0.03'].map(d);

  it('Sharpe = mean / sample standard deviation, optionally × √periods', () => {
    // mean 0.0125, sample sd sqrt(0.000875 / 3) = 0.017078251276599...
    expect((sharpeRatio(returns) as Decimal).round(12).toFixed()).toBe('0.731925054711');
    expect((sharpeRatio(returns, { periodsPerYear: 252 }) as Decimal).round(10).toFixed()).toBe('11.6189500386');
    expect((sharpeRatio(returns, { benchmarkReturn: d('0.0125') }) as Decimal).toFixed()).toBe('0');
  });

  it('Sortino = mean / downside deviation over all n', () => {
    // Downside: sqrt((−0.01)² / 4) = 0.005; 0.0125 / 0.005 = 2.5.
    expect(text(sortinoRatio(returns) as Decimal)).toBe('2.5');
    expect(sortinoRatio(['0.01', '0.02'].map(d))).toBe('infinite');
  });

  it('are null where undefined', () => {
    expect(sharpeRatio([d('0.01')])).toBeNull();
    expect(sharpeRatio([d('0.01'), d('0.01')])).toBeNull();
    expect(sortinoRatio([])).toBeNull();
    expect(() => sharpeRatio(returns, { periodsPerYear: 0 })).toThrow('periodsPerYear must be a positive integer, got 0');
  });
});

describe('max drawdown', () => {
  it('of a given curve', () => {
    const drawdown = maxDrawdown(['100', '120', '90', '130', '65', '80', '140'].map(d));
    expect(text(drawdown.absolute)).toBe('65');
    expect(text(drawdown.fraction)).toBe('0.5');
    expect([drawdown.peakIndex, drawdown.troughIndex]).toEqual([3, 4]);
  });

  it('absolute and fractional maxima can come from different peaks', () => {
    const drawdown = maxDrawdown(['10', '5', '100', '60'].map(d));
    expect(text(drawdown.absolute)).toBe('40');
    expect(text(drawdown.fraction)).toBe('0.5');
  });

  it('is zero for a rising curve and has no fraction from a non-positive peak', () => {
    expect(maxDrawdown(['1', '2', '3'].map(d))).toEqual({ absolute: ZERO, peakIndex: 0, troughIndex: 0, fraction: ZERO });
    expect(maxDrawdown(['0', '-5', '3'].map(d)).fraction).toBeNull();
    expect(() => maxDrawdown([])).toThrow('at least one point');
  });

  it('of the equity curve built from trades', () => {
    expect(equityCurve(d('1000'), trades).map((point) => point.toFixed())).toEqual(['1000', '1009', '998.5', '1008', '1007', '1007']);
    const drawdown = maxDrawdown(equityCurve(d('1000'), trades));
    expect(text(drawdown.absolute)).toBe('10.5');
    expect((drawdown.fraction as Decimal).round(15).toFixed()).toBe('0.010406342913776');
  });
});

describe('summary', () => {
  it('reports every metric as decimal strings', () => {
    const summary = summarizePerformance(trades, d('1000'));
    expect(summary).toEqual({
      trades: 5,
      wins: 2,
      losses: 2,
      winRate: '0.4',
      grossProfit: '18.5',
      grossLoss: '11.5',
      profitFactor: '1.6086956522',
      totalPnl: '7',
      pnlBySymbol: { 'BTC/USDT': '18.5', 'ETH/USDT': '-11.5', 'SOL/USDT': '0' },
      averageWin: '9.25',
      averageLoss: '-5.75',
      expectancy: '1.4',
      sharpeRatio: '0.2750263842',
      sortinoRatio: '0.6485128586',
      maxDrawdown: '10.5',
      maxDrawdownFraction: '0.0104063429',
    });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('of no trades', () => {
    expect(summarizePerformance([], d('1000'))).toMatchObject({ trades: 0, winRate: null, profitFactor: null, expectancy: null, sharpeRatio: null, sortinoRatio: null, maxDrawdown: '0' });
  });
});
