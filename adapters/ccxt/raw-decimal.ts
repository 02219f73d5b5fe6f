// Exact decimals from an exchange's raw payload fields: every profile reads prices, quantities and fees this
// way, never from ccxt's unified floats.
import { decimal, isDecimalText, toDecimalString, type DecimalString } from '../../src/domain/decimal.ts';

/** A decimal string from a raw payload field, or undefined when it is missing or not a plain decimal. */
export function exact(value: unknown): DecimalString | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string' || !isDecimalText(value)) return undefined;
  return toDecimalString(decimal(value));
}
