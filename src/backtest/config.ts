// The backtest's configuration file (JSON or YAML): instruments, balances, the paper venue, risk and signal
// defaults, the strategy's settings and what to say of data files. Everything is optional.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isDecimalText } from '../domain/decimal.ts';
import type { RiskLimits } from '../risk/checks.ts';
import type { SignalDefaults } from '../engine/signals.ts';
import type { InstrumentSpec } from '../domain/instrument.ts';
import type { DataFileOptions } from '../../adapters/market-data/data-files.ts';

const decimalText = (name: string) => z.string().refine(isDecimalText, { message: `${name} must be a decimal number written as a string, e.g. "0.01"` });
const latency = z.int().min(0);

const instrumentSchema = z.strictObject({
  symbol: z.string().min(1),
  base: z.string().min(1),
  quote: z.string().min(1),
  tickSize: decimalText('tickSize'),
  lotSize: decimalText('lotSize'),
  minQuantity: decimalText('minQuantity').optional(),
  minNotional: decimalText('minNotional').optional(),
  makerFee: decimalText('makerFee').optional(),
  takerFee: decimalText('takerFee').optional(),
});

export const backtestConfigSchema = z.strictObject({
  instruments: z.array(instrumentSchema).optional(),
  /** Starting balances; default 100,000 of each instrument's quote currency and none of its base. */
  balances: z.record(z.string().min(1), decimalText('balance')).optional(),
  venue: z.strictObject({ orderLatencyMs: latency.optional(), reportLatencyMs: latency.optional(), nativeStops: z.boolean().optional() }).optional(),
  /** Fee rates for inferred instruments; default 0.001 each. */
  fees: z.strictObject({ maker: decimalText('fees.maker').optional(), taker: decimalText('fees.taker').optional() }).optional(),
  risk: z.record(z.string(), z.unknown()).optional(),
  signals: z.record(z.string(), z.unknown()).optional(),
  strategy: z.record(z.string(), z.unknown()).optional(),
  data: z
    .strictObject({
      files: z.record(z.string(), z.strictObject({ format: z.enum(['binance', 'tardis', 'csv']).optional(), symbol: z.string().min(1).optional(), intervalMs: z.int().positive().optional() })).optional(),
      symbols: z.record(z.string(), z.string().min(1)).optional(),
      sampleRows: z.int().positive().optional(),
      impliedQuoteQuantity: decimalText('data.impliedQuoteQuantity').optional(),
    })
    .optional(),
  report: z.strictObject({ sampleEveryMs: z.int().positive().optional(), maxPoints: z.int().min(100).optional() }).optional(),
});

export interface BacktestConfig {
  readonly instruments?: readonly InstrumentSpec[];
  readonly balances?: Readonly<Record<string, string>>;
  readonly venue?: { readonly orderLatencyMs?: number; readonly reportLatencyMs?: number; readonly nativeStops?: boolean };
  readonly fees?: { readonly maker?: string; readonly taker?: string };
  readonly risk?: RiskLimits;
  readonly signals?: SignalDefaults;
  readonly strategy?: Readonly<Record<string, unknown>>;
  readonly data?: { readonly files?: Readonly<Record<string, DataFileOptions>>; readonly symbols?: Readonly<Record<string, string>>; readonly sampleRows?: number; readonly impliedQuoteQuantity?: string };
  readonly report?: { readonly sampleEveryMs?: number; readonly maxPoints?: number };
}

export class BacktestConfigError extends Error {
  override name = 'BacktestConfigError';
}

/** Validates a parsed config: every problem named with its path, nothing used from a config that fails. */
export function parseBacktestConfig(value: unknown, where = 'the config'): BacktestConfig {
  const result = backtestConfigSchema.safeParse(value ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
    throw new BacktestConfigError(`${where} is not a valid backtest config:\n  ${problems.join('\n  ')}`);
  }
  const config = result.data;
  return {
    ...config,
    instruments: config.instruments?.map((spec) => ({ minQuantity: spec.lotSize, minNotional: '0', makerFee: '0.001', takerFee: '0.001', ...spec })),
    risk: config.risk as RiskLimits | undefined,
    signals: config.signals as SignalDefaults | undefined,
  };
}

export function readBacktestConfig(file: string): BacktestConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BacktestConfigError(`cannot read the config ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new BacktestConfigError(`${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
  return parseBacktestConfig(value, file);
}
