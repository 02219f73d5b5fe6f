// Exact decimals from an exchange's raw payload fields: every profile reads prices, quantities and fees this
// way, never from ccxt's unified floats.
import { decimal, isDecimalText, toDecimalString, type DecimalString } from '../../src/domain/decimal.ts';

/** A non-negative decimal without leading zeros: its canonical form is the text without trailing fraction zeros. */
const PLAIN_NON_NEGATIVE = /^(0|[1-9]\d*)(?:\.(?=\d)(\d*[1-9])?0*)?$/;

/** A decimal string from a raw payload field, or undefined when it is missing or not a plain decimal. */
export function exact(value: unknown): DecimalString | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  // Most fields (prices, quantities, fees) are plain: canonical by trimming, without a decimal parse (hot path).
  const plain = PLAIN_NON_NEGATIVE.exec(value);
  if (plain !== null) return plain[2] === undefined ? plain[1]! : `${plain[1]}.${plain[2]}`;
  if (!isDecimalText(value)) return undefined;
  return toDecimalString(decimal(value));
}
