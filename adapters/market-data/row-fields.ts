// Field checks shared by the file readers: whole numbers and decimals, with the column and line of a bad value.
import { isDecimalText, decimal, ZERO, type Decimal } from '../../src/domain/decimal.ts';
import { CsvFormatError } from './csv.ts';

export function whole(text: string, name: string, line: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) throw new CsvFormatError(line, `${name} ${JSON.stringify(text)} is not a whole number`);
  return value;
}

export function positive(text: string, name: string, line: number): Decimal {
  if (!isDecimalText(text)) throw new CsvFormatError(line, `${name} ${JSON.stringify(text)} is not a decimal number`);
  const value = decimal(text);
  if (!value.gt(ZERO)) throw new CsvFormatError(line, `${name} must be positive, got ${text}`);
  return value;
}

export function nonNegative(text: string, name: string, line: number): Decimal {
  if (!isDecimalText(text)) throw new CsvFormatError(line, `${name} ${JSON.stringify(text)} is not a decimal number`);
  const value = decimal(text);
  if (value.lt(ZERO)) throw new CsvFormatError(line, `${name} cannot be negative, got ${text}`);
  return value;
}
