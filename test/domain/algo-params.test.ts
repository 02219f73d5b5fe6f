// Algo parameters: a plan that cannot be honoured whole is refused with every reason before anything is sent.
import { describe, expect, it } from 'vitest';
import { AlgoParamsError, parseAlgoSpec } from '../../src/domain/algo-params.ts';
import { createInstrument } from '../../src/domain/instrument.ts';

const BTC = createInstrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.01', minNotional: '0', makerFee: '0', takerFee: '0' });
const NOW = Date.UTC(2026, 0, 1);
const twap = { kind: 'twap', parentId: 'a1', symbol: 'BTC/USDT', side: 'buy', quantity: '10', horizonMs: 3_600_000, intervalMs: 60_000 };

function reasons(input: unknown, instrument: typeof BTC | undefined = BTC): string[] {
  try {
    parseAlgoSpec(input, instrument, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(AlgoParamsError);
    return [...(error as AlgoParamsError).issues];
  }
  return [];
}

describe('algo parameters', () => {
  it('accepts a TWAP and fills in its defaults, starting now', () => {
    const spec = parseAlgoSpec(twap, BTC, NOW);
    expect(spec.params).toEqual({ kind: 'twap', startAt: NOW, horizonMs: 3_600_000, intervalMs: 60_000, style: 'taker', atDeadline: 'sendRest', randomization: '0' });
    expect(spec.quantity).toBe('10');
  });

  it('refuses a horizon shorter than one interval', () => {
    expect(reasons({ ...twap, horizonMs: 30_000 })).toEqual(['the horizon (30000 ms) is shorter than one interval (60000 ms)']);
  });

  it('refuses slices below the instrument minimum, saying how big they would be', () => {
    expect(reasons({ ...twap, quantity: '0.5' })).toEqual(['0.5 over 60 slices is 0.008333333333333333333333333333 a slice, below the minimum 0.01 for BTC/USDT: use fewer slices']);
  });

  it('refuses an unknown symbol, and an instrument of another symbol', () => {
    expect(() => parseAlgoSpec(twap, undefined, NOW)).toThrow('unknown symbol BTC/USDT');
    expect(reasons({ ...twap, symbol: 'ETH/USDT' })).toEqual(['the instrument given is BTC/USDT, not ETH/USDT']);
  });

  it('refuses shares that are not fractions, and says 0.1 is 10 %', () => {
    expect(reasons({ ...twap, randomization: '1' })).toEqual(['randomization must be a fraction from 0 to below 1 (0.1 is 10 %), got 1']);
    expect(reasons({ kind: 'pov', parentId: 'p', symbol: 'BTC/USDT', side: 'sell', quantity: '1', targetRate: '10', minSlice: '0.01', maxSlice: '0.1' })).toEqual([
      'targetRate must be a fraction from 0 to below 1 (0.1 is 10 %), got 10',
    ]);
    expect(reasons({ kind: 'pov', parentId: 'p', symbol: 'BTC/USDT', side: 'sell', quantity: '1', targetRate: '0', minSlice: '0.01', maxSlice: '0.1' })).toEqual(['targetRate must be above 0']);
  });

  it('refuses quantities and prices off the grid, with every reason at once', () => {
    expect(reasons({ ...twap, quantity: '10.0005', limitPrice: '100.05', style: 'maker' })).toEqual([
      'quantity: quantity must be a positive multiple of 0.001, got 10.0005',
      'limitPrice 100.05 is not a multiple of the tick size 0.1',
    ]);
  });

  it('refuses maker slices without a limit price', () => {
    expect(reasons({ ...twap, style: 'maker' })).toEqual(['maker slices need a limitPrice']);
  });

  it('refuses a VWAP profile that does not match its intervals, or has no positive weight', () => {
    const vwap = { kind: 'vwap', parentId: 'v', symbol: 'BTC/USDT', side: 'buy', quantity: '1', horizonMs: 180_000, intervalMs: 60_000 };
    expect(reasons({ ...vwap, profile: ['1', '2'] })).toEqual(['the profile has 2 weights for 3 intervals']);
    expect(reasons({ ...vwap, profile: ['0', '0', '0'] })).toEqual(['the profile needs at least one positive weight']);
    expect(reasons({ ...vwap, profile: ['1', '-1', '1'] })).toEqual(['profile weights must not be negative']);
    expect(reasons({ ...vwap, profile: ['1', '1', '1'], participationCap: '1.5' })).toEqual(['participationCap must be a fraction from 0 to 1 (0.1 is 10 %), got 1.5']);
  });

  it('refuses POV slices that do not fit', () => {
    const pov = { kind: 'pov', parentId: 'p', symbol: 'BTC/USDT', side: 'sell', quantity: '1', targetRate: '0.1' };
    expect(reasons({ ...pov, minSlice: '0.005', maxSlice: '0.1' })).toEqual(['minSlice 0.005 is below the minimum 0.01 for BTC/USDT']);
    expect(reasons({ ...pov, minSlice: '0.2', maxSlice: '0.1' })).toEqual(['maxSlice 0.1 is below minSlice 0.2']);
    expect(reasons({ ...pov, minSlice: '2', maxSlice: '3' })).toEqual(['minSlice 2 is more than the quantity 1']);
  });

  it('refuses an iceberg without a limit, or whose randomised slice can fall below the minimum', () => {
    const iceberg = { kind: 'iceberg', parentId: 'i', symbol: 'BTC/USDT', side: 'buy', quantity: '1', displayQuantity: '0.02' };
    expect(reasons(iceberg)).toEqual(['an iceberg needs a limitPrice: its slices rest at it']);
    expect(reasons({ ...iceberg, limitPrice: '100', randomization: '0.6' })).toEqual(['displayQuantity 0.02 randomised by 0.6 can fall below the minimum 0.01']);
    expect(reasons({ ...iceberg, limitPrice: '100', displayQuantity: '2' })).toEqual(['displayQuantity 2 is more than the quantity 1']);
  });

  it('refuses unknown fields and kinds, and bad timings', () => {
    expect(reasons({ ...twap, slices: 4 })).toEqual(['Unrecognized key: "slices"']);
    expect(reasons({ ...twap, kind: 'sniper' })[0]).toContain('kind must be one of twap, vwap, pov, iceberg, chase');
    expect(reasons({ ...twap, intervalMs: 1.5 })).toEqual(['intervalMs must be a whole number of milliseconds']);
    expect(reasons({ kind: 'chase', parentId: 'c', symbol: 'BTC/USDT', side: 'buy', quantity: '1', crossAfterMs: 0 })).toEqual(['crossAfterMs must be positive']);
  });
});
