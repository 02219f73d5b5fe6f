// The backtest's configuration file (JSON or YAML): instruments, balances, the paper venue, risk and signal
// defaults, the strategy's settings and what to say of data files. Everything is optional.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isDecimalText } from '../domain/decimal.ts';
import type { RiskLimits } from '../risk/checks.ts';
import type { SignalDefaults } from '../engine/signals.ts';
import type { InstrumentSpec } from '../domain/instrument.ts';
import type { DataFileOptions } from '../../adapters/market-data/data-files.ts';
import type { FillModelSetting } from '../../adapters/paper/fill-model.ts';
import type { PerpetualSettings } from '../../adapters/paper/perpetual-account.ts';
import {
  checkPaperSettings,
  paperFillModelSchema,
  paperLatencySchema,
  perpetualSettingsSchema,
  resolveLatency,
  type ConfiguredLatency,
  type PaperLatency,
} from '../../adapters/paper/settings-schema.ts';

const decimalText = (name: string) => z.string().refine(isDecimalText, { message: `${name} must be a decimal number written as a string, e.g. "0.01"` });

const instrumentSchema = z.strictObject({
  symbol: z.string().min(1),
  /** spot (default) or perpetual (a linear futures contract on margin, settled in quote). */
  kind: z.enum(['spot', 'perpetual'], { error: 'kind must be "spot" or "perpetual"' }).optional(),
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
  /** The paper venue's realism: latency (constant or sampled), the fill model, native stops, perpetuals' margin and funding. */
  venue: z
    .strictObject({
      orderLatencyMs: paperLatencySchema('orderLatencyMs').optional(),
      reportLatencyMs: paperLatencySchema('reportLatencyMs').optional(),
      marketDataLatencyMs: paperLatencySchema('marketDataLatencyMs').optional(),
      fillModel: paperFillModelSchema.optional(),
      nativeStops: z.boolean().optional(),
      perpetuals: z.record(z.string().min(1), perpetualSettingsSchema).optional(),
    })
    .optional(),
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
  readonly venue?: {
    readonly orderLatencyMs?: PaperLatency;
    readonly reportLatencyMs?: PaperLatency;
    readonly marketDataLatencyMs?: PaperLatency;
    readonly fillModel?: FillModelSetting;
    readonly nativeStops?: boolean;
    readonly perpetuals?: Readonly<Record<string, PerpetualSettings>>;
  };
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

/**
 * Validates a parsed config: every problem named with its path, nothing used from a config that fails. Latency
 * sample files are read, relative to `baseDir` (the config file's folder).
 */
export function parseBacktestConfig(value: unknown, where = 'the config', baseDir = process.cwd()): BacktestConfig {
  const result = backtestConfigSchema.safeParse(value ?? {});
  const fail = (problems: readonly string[]) => new BacktestConfigError(`${where} is not a valid backtest config:\n  ${problems.join('\n  ')}`);
  if (!result.success) throw fail(result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`));
  const config = result.data;
  const instruments = config.instruments?.map((spec) => ({ minQuantity: spec.lotSize, minNotional: '0', makerFee: '0.001', takerFee: '0.001', ...spec }));
  const problems: string[] = [];
  // The venue's own rules for perpetuals and the fill model (inferred instruments are spot: a perpetual is listed).
  checkPaperSettings(
    { instruments: instruments ?? [], perpetuals: config.venue?.perpetuals, fillModel: config.venue?.fillModel, balances: config.balances },
    (at, message) => problems.push(`${(at[0] === 'perpetuals' || at[0] === 'fillModel' ? ['venue', ...at] : at).join('.')}: ${message}`),
  );
  const latency = (setting: ConfiguredLatency | undefined, name: string): PaperLatency | undefined => {
    if (setting === undefined) return undefined;
    try {
      return resolveLatency(setting, baseDir);
    } catch (error) {
      problems.push(`venue.${name}.samplesFile: ${(error as Error).message}`);
      return undefined;
    }
  };
  const venue = config.venue === undefined
    ? undefined
    : {
        ...config.venue,
        orderLatencyMs: latency(config.venue.orderLatencyMs, 'orderLatencyMs'),
        reportLatencyMs: latency(config.venue.reportLatencyMs, 'reportLatencyMs'),
        marketDataLatencyMs: latency(config.venue.marketDataLatencyMs, 'marketDataLatencyMs'),
      };
  if (problems.length > 0) throw fail(problems);
  return {
    ...config,
    instruments,
    venue,
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
  return parseBacktestConfig(value, file, path.dirname(path.resolve(file)));
}
