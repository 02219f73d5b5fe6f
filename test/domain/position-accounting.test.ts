// Worked examples of net-position accounting: adds, partial closes, closes, flips, shorts, and the helpers.
import { describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/decimal.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import {
  applyPositionFill,
  flatPosition,
  leverageOf,
  liquidationPrice,
  notionalExposure,
  positionFromOpening,
  positionValue,
  splitFee,
  unrealizedPnl,
  type NetPosition,
  type PositionFill,
} from '../../src/domain/position-accounting.ts';

function fill(side: OrderSide, quantity: string, price: string, fee = '0'): PositionFill {
  return { side, quantity, price, fee };
}

function applyAll(fills: PositionFill[], start: NetPosition = flatPosition()): NetPosition {
  return fills.reduce((position, next) => applyPositionFill(position, next).position, start);
}

const THIRD = '0.333333333333333333333333333333';
const TWO_THIRDS = '0.666666666666666666666666666667';

describe('flatPosition', () => {
  it('is flat, empty, and plain JSON', () => {
    const flat = flatPosition();
    expect(flat).toEqual({
      direction: 'flat',
      quantity: '0',
      entryCost: '0',
      realizedPnl: '0',
      fees: '0',
      openedQuantity: '0',
      closedQuantity: '0',
    });
    expect(flat.averageEntryPrice).toBeUndefined();
    expect(JSON.parse(JSON.stringify(flat))).toEqual(flat);
  });
});

describe('a long position', () => {
  it('opens, scales in to a quantity-weighted average, partially closes, then flips short', () => {
    const opened = applyPositionFill(flatPosition(), fill('buy', '2', '100', '0.2'));
    expect(opened).toEqual({
      position: {
        direction: 'long',
        quantity: '2',
        averageEntryPrice: '100',
        entryCost: '200',
        realizedPnl: '0',
        fees: '0.2',
        openedQuantity: '2',
        closedQuantity: '0',
      },
      opening: { quantity: '2', price: '100', fee: '0.2' },
      flipped: false,
      closed: false,
    });

    const scaled = applyPositionFill(opened.position, fill('buy', '2', '110', '0.22'));
    expect(scaled.position).toMatchObject({ direction: 'long', quantity: '4', averageEntryPrice: '105', entryCost: '420', fees: '0.42', openedQuantity: '4' });
    expect(scaled.closing).toBeUndefined();
    expect(scaled.opening).toEqual({ quantity: '2', price: '110', fee: '0.22' });

    const reduced = applyPositionFill(scaled.position, fill('sell', '1', '120', '0.12'));
    expect(reduced.closing).toEqual({ quantity: '1', price: '120', fee: '0.12', realizedPnl: '15' });
    expect(reduced.opening).toBeUndefined();
    expect(reduced).toMatchObject({ flipped: false, closed: false });
    // A partial close leaves the average where it was.
    expect(reduced.position).toMatchObject({ direction: 'long', quantity: '3', averageEntryPrice: '105', entryCost: '315', realizedPnl: '15', fees: '0.54', closedQuantity: '1' });

    // Sell 4 against 3 held: 3 close at a loss of (90 - 105) * 3, 1 opens a new short; the fee splits 3:1.
    const flip = applyPositionFill(reduced.position, fill('sell', '4', '90', '0.36'));
    expect(flip.flipped).toBe(true);
    expect(flip.closed).toBe(true);
    expect(flip.closing).toEqual({ quantity: '3', price: '90', fee: '0.27', realizedPnl: '-45' });
    expect(flip.opening).toEqual({ quantity: '1', price: '90', fee: '0.09' });
    expect(flip.position).toEqual({
      direction: 'flat',
      quantity: '0',
      entryCost: '0',
      realizedPnl: '-30',
      fees: '0.81',
      openedQuantity: '4',
      closedQuantity: '4',
    });
    expect(flip.position.averageEntryPrice).toBeUndefined();

    const short = positionFromOpening('short', flip.opening!);
    expect(short).toEqual({
      direction: 'short',
      quantity: '1',
      averageEntryPrice: '90',
      entryCost: '90',
      realizedPnl: '0',
      fees: '0.09',
      openedQuantity: '1',
      closedQuantity: '0',
    });
  });

  it('splits a fee that does not divide evenly so the parts add back exactly', () => {
    const position = applyAll([fill('buy', '1', '100')]);
    const flip = applyPositionFill(position, fill('sell', '3', '100', '1'));
    expect(flip.closing!.fee).toBe(THIRD);
    expect(flip.opening!.fee).toBe(TWO_THIRDS);
    expect(decimal(flip.closing!.fee).plus(flip.opening!.fee).toFixed()).toBe('1');
  });

  it('closes exactly: flat, no basis, no average, closed but not flipped', () => {
    const position = applyAll([fill('buy', '2', '100'), fill('buy', '2', '110')]);
    const result = applyPositionFill(position, fill('sell', '4', '100', '0.4'));
    expect(result).toMatchObject({ flipped: false, closed: true });
    expect(result.opening).toBeUndefined();
    expect(result.closing).toEqual({ quantity: '4', price: '100', fee: '0.4', realizedPnl: '-20' });
    expect(result.position).toMatchObject({ direction: 'flat', quantity: '0', entryCost: '0', realizedPnl: '-20', fees: '0.4' });
    expect(result.position.averageEntryPrice).toBeUndefined();
  });

  it('clears a stale average when merged into a context with Object.assign', () => {
    const position = applyAll([fill('buy', '1', '100')]);
    const context = Object.assign({}, position, { positionId: 'p1' });
    const merged = Object.assign({}, context, applyPositionFill(context, fill('sell', '1', '101')).position);
    expect(merged.averageEntryPrice).toBeUndefined();
  });

  it('reopens a flat position, keeping its cumulative realized PnL, fees and quantities', () => {
    const position = applyAll([fill('buy', '1', '100', '1'), fill('sell', '1', '110', '1'), fill('buy', '2', '50', '1')]);
    expect(position).toMatchObject({
      direction: 'long',
      quantity: '2',
      averageEntryPrice: '50',
      entryCost: '100',
      realizedPnl: '10',
      fees: '3',
      openedQuantity: '3',
      closedQuantity: '1',
    });
  });

  it('treats a zero quantity as flat whatever its direction says (a position actor before its entry fills)', () => {
    const waiting: NetPosition = Object.assign(flatPosition(), { direction: 'long' as const });
    expect(applyPositionFill(waiting, fill('buy', '1', '10')).position).toMatchObject({ direction: 'long', quantity: '1', averageEntryPrice: '10' });
    expect(applyPositionFill(waiting, fill('sell', '1', '10')).position).toMatchObject({ direction: 'short', quantity: '1' });
  });

  it('keeps a rounded average, and the final close realizes the exact round-trip PnL', () => {
    // Cost 1 * 1 + 2 * 2 = 5 over 3: the average repeats and is rounded at 30 places.
    const position = applyAll([fill('buy', '1', '1'), fill('buy', '2', '2')]);
    expect(position.averageEntryPrice).toBe('1.666666666666666666666666666667');
    expect(position.entryCost).toBe('5');
    const partial = applyPositionFill(position, fill('sell', '1', '2'));
    // Exact given the average: (2 - 1.666...667) * 1.
    expect(partial.closing!.realizedPnl).toBe(THIRD);
    expect(partial.position.averageEntryPrice).toBe(position.averageEntryPrice);
    expect(partial.position.entryCost).toBe('3.333333333333333333333333333333');
    // The last part takes the whole remaining basis: 2 * 2 - 3.333...333.
    const last = applyPositionFill(partial.position, fill('sell', '2', '2'));
    expect(last.closing!.realizedPnl).toBe('0.666666666666666666666666666667');
    // Bought for 5, sold for 6: exactly 1.
    expect(last.position.realizedPnl).toBe('1');
  });

  it('values and marks: unrealized, signed value, exposure', () => {
    const position = applyAll([fill('buy', '2', '100'), fill('buy', '2', '110')]);
    expect(unrealizedPnl(position, '120')).toBe('60');
    expect(unrealizedPnl(position, '100')).toBe('-20');
    expect(positionValue(position, '120')).toBe('480');
    expect(notionalExposure(position, '120')).toBe('480');
  });
});

describe('a short position mirrors a long one', () => {
  it('opens, scales in, partially closes, then flips long', () => {
    let position = applyAll([fill('sell', '2', '100'), fill('sell', '2', '110')]);
    expect(position).toMatchObject({ direction: 'short', quantity: '4', averageEntryPrice: '105', entryCost: '420' });
    expect(unrealizedPnl(position, '100')).toBe('20');
    expect(unrealizedPnl(position, '120')).toBe('-60');
    expect(positionValue(position, '100')).toBe('-400');
    expect(notionalExposure(position, '100')).toBe('400');

    const reduced = applyPositionFill(position, fill('buy', '1', '90', '0.09'));
    expect(reduced.closing).toEqual({ quantity: '1', price: '90', fee: '0.09', realizedPnl: '15' });
    position = reduced.position;
    expect(position).toMatchObject({ direction: 'short', quantity: '3', averageEntryPrice: '105', entryCost: '315', realizedPnl: '15' });

    const flip = applyPositionFill(position, fill('buy', '4', '120', '0.48'));
    expect(flip).toMatchObject({ flipped: true, closed: true });
    expect(flip.closing).toEqual({ quantity: '3', price: '120', fee: '0.36', realizedPnl: '-45' });
    expect(flip.opening).toEqual({ quantity: '1', price: '120', fee: '0.12' });
    expect(flip.position).toMatchObject({ direction: 'flat', quantity: '0', realizedPnl: '-30', fees: '0.45' });
    expect(positionFromOpening('long', flip.opening!)).toMatchObject({ direction: 'long', quantity: '1', averageEntryPrice: '120', entryCost: '120', fees: '0.12' });
  });
});

describe('flat positions', () => {
  it('have no unrealized PnL, no value and no exposure', () => {
    expect(unrealizedPnl(flatPosition(), '100')).toBe('0');
    expect(positionValue(flatPosition(), '100')).toBe('0');
    expect(notionalExposure(flatPosition(), '100')).toBe('0');
  });
});

describe('invalid input', () => {
  const long = applyAll([fill('buy', '1', '100')]);
  it.each([
    [fill('buy', '0', '100'), /fill quantity must be positive, got 0/],
    [fill('buy', '-1', '100'), /fill quantity must be positive, got -1/],
    [fill('sell', '1', '0'), /fill price must be positive, got 0/],
    [fill('sell', '1', '-5'), /fill price must be positive, got -5/],
    [fill('buy', '1', '100', '-0.01'), /fill fee must not be negative, got -0.01/],
    [fill('buy', 'abc', '100'), /fill quantity must be a decimal string, got "abc"/],
    [{ side: 'hold' as OrderSide, quantity: '1', price: '1', fee: '0' }, /fill side must be "buy" or "sell", got "hold"/],
  ])('refuses %j', (bad, message) => {
    expect(() => applyPositionFill(long, bad)).toThrow(message);
  });

  it('refuses a negative position quantity and a non-flat quantity without a direction', () => {
    expect(() => applyPositionFill({ ...flatPosition(), quantity: '-1' }, fill('buy', '1', '1'))).toThrow(/position quantity must not be negative, got -1/);
    expect(() => applyPositionFill({ ...flatPosition(), quantity: '1' }, fill('buy', '1', '1'))).toThrow(/must be long or short, got "flat"/);
  });

  it('refuses a mark price that is not positive', () => {
    expect(() => unrealizedPnl(long, '0')).toThrow(/mark price must be positive, got 0/);
    expect(() => positionValue(long, '-1')).toThrow(/mark price must be positive/);
  });
});

describe('liquidationPrice', () => {
  it('long entry * (1 - 1/leverage + mmr), short entry * (1 + 1/leverage - mmr)', () => {
    expect(liquidationPrice({ direction: 'long', entryPrice: '100', leverage: '10', maintenanceMarginRate: '0.005' })).toBe('90.5');
    expect(liquidationPrice({ direction: 'short', entryPrice: '100', leverage: '10', maintenanceMarginRate: '0.005' })).toBe('109.5');
    expect(liquidationPrice({ direction: 'long', entryPrice: '100', leverage: '1', maintenanceMarginRate: '0' })).toBe('0');
    expect(liquidationPrice({ direction: 'short', entryPrice: '100', leverage: '1', maintenanceMarginRate: '0' })).toBe('200');
    expect(liquidationPrice({ direction: 'long', entryPrice: '300', leverage: '3', maintenanceMarginRate: '0.01' })).toBe('203');
    expect(liquidationPrice({ direction: 'long', entryPrice: '100', leverage: '3', maintenanceMarginRate: '0' })).toBe('66.666666666666666666666666666667');
  });

  it('refuses leverage below 1 and impossible rates', () => {
    expect(() => liquidationPrice({ direction: 'long', entryPrice: '100', leverage: '0.5', maintenanceMarginRate: '0' })).toThrow(/leverage must be at least 1, got 0.5/);
    expect(() => liquidationPrice({ direction: 'long', entryPrice: '100', leverage: '2', maintenanceMarginRate: '-0.1' })).toThrow(/maintenance margin rate/);
    expect(() => liquidationPrice({ direction: 'long', entryPrice: '100', leverage: '2', maintenanceMarginRate: '1' })).toThrow(/below 1/);
    expect(() => liquidationPrice({ direction: 'long', entryPrice: '0', leverage: '2', maintenanceMarginRate: '0' })).toThrow(/entry price must be positive/);
  });
});

describe('leverageOf', () => {
  it('is exposure over equity', () => {
    expect(leverageOf({ exposure: '5000', equity: '1000' })).toBe('5');
    expect(leverageOf({ exposure: '0', equity: '1000' })).toBe('0');
    expect(leverageOf({ exposure: '1', equity: '3' })).toBe(THIRD);
  });

  it('refuses equity that is not positive', () => {
    expect(() => leverageOf({ exposure: '100', equity: '0' })).toThrow(/equity is not positive, got equity 0/);
    expect(() => leverageOf({ exposure: '100', equity: '-5' })).toThrow(/got equity -5/);
    expect(() => leverageOf({ exposure: '-1', equity: '5' })).toThrow(/exposure must not be negative/);
  });
});

describe('splitFee', () => {
  it('is pro rata, and whole when the part is the whole', () => {
    expect(splitFee('0.4', '3', '4')).toBe('0.3');
    expect(splitFee('1', '1', '3')).toBe(THIRD);
    expect(splitFee('1', '3', '3')).toBe('1');
    expect(splitFee('1', '0', '3')).toBe('0');
  });

  it('refuses a part larger than the whole or a whole that is not positive', () => {
    expect(() => splitFee('1', '4', '3')).toThrow(/exceeds the whole/);
    expect(() => splitFee('1', '0', '0')).toThrow(/whole quantity must be positive/);
  });
});
