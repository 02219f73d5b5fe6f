// The exact decimal type: no float ever sneaks in, rounding goes where it is told.
import { describe, expect, it } from 'vitest';
import { add, canonical, decimal, DecimalParseError, roundToStep } from '../../src/domain/decimal.ts';

describe('decimal', () => {
  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    expect(add('0.1', '0.2')).toBe('0.3');
  });

  it('refuses floats, exponents and garbage', () => {
    expect(() => decimal(0.1)).toThrow(DecimalParseError);
    expect(() => decimal('1e5')).toThrow('"1e5" is not a decimal number');
    expect(() => decimal('NaN')).toThrow(DecimalParseError);
    expect(decimal(42).toFixed()).toBe('42');
  });

  it('cannot be compared with < by accident', () => {
    expect(() => decimal('1') < decimal('2')).toThrow();
  });

  it('rounds to a step down, up or to the nearest', () => {
    expect(roundToStep(decimal('1.2345'), decimal('0.01'), 'down').toFixed()).toBe('1.23');
    expect(roundToStep(decimal('1.2345'), decimal('0.01'), 'up').toFixed()).toBe('1.24');
    expect(roundToStep(decimal('1.235'), decimal('0.01'), 'nearest').toFixed()).toBe('1.24');
    expect(roundToStep(decimal('-1.2345'), decimal('0.01'), 'down').toFixed()).toBe('-1.23');
    expect(canonical('001.500')).toBe('1.5');
  });
});
