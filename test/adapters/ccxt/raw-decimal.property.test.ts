// exact() reads a raw payload's decimal text as the canonical decimal string, the same as a full parse would.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exact } from '../../../adapters/ccxt/raw-decimal.ts';
import { decimal, toDecimalString } from '../../../src/domain/decimal.ts';

const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((list) => list.join(''));
const decimalText = fc.tuple(fc.boolean(), digits(1, 12), fc.option(digits(0, 12), { nil: undefined })).map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`);

describe('exact decimals from raw payload text', () => {
  it('equals the canonical form of a full decimal parse, for every plain decimal text (padded, zero, negative)', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        const parsed = /^-?\d+(\.\d+)?$/.test(text) ? toDecimalString(decimal(text)) : undefined;
        expect(exact(text)).toBe(parsed);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses what is not a plain decimal, and takes safe integers', () => {
    for (const text of ['', '1e5', 'NaN', '1.', '0.', '.5.', ' 1', '0x10', 'Infinity', '1,5']) expect(exact(text)).toBeUndefined();
    expect(exact(12)).toBe('12');
    expect(exact(0.1)).toBeUndefined();
    expect(exact('0.01000000')).toBe('0.01');
    expect(exact('10')).toBe('10');
    expect(exact('-0.50')).toBe('-0.5');
  });
});
