// The paper venue's realism as configuration (the daemon's config and the backtest's): latency, fill model and
// perpetual settings as zod schemas, checked with the venue's own rules so a setting it would refuse is refused
// with the config, and latency sample files read into their samples.
import path from 'node:path';
import { z } from 'zod';
import { isDecimalText } from '../../src/domain/decimal.ts';
import { createInstrument, type Instrument, type InstrumentSpec } from '../../src/domain/instrument.ts';
import { FillModel, type FillModelSetting } from './fill-model.ts';
import { readLatencySamples } from './latency.ts';
import { createPerpetualState, type PerpetualSettings } from './perpetual-account.ts';

const decimalText = (name: string) =>
  z.string({ error: `${name} must be a decimal string such as "0.5"` }).refine(isDecimalText, { message: `${name} must be a decimal string such as "0.5"` });
const positiveDecimalText = (name: string) => decimalText(name).refine((text) => Number(text) > 0, { message: `${name} must be above 0` });
const nonNegativeDecimalText = (name: string) => decimalText(name).refine((text) => !text.startsWith('-'), { message: `${name} must not be negative` });

/** Milliseconds: a constant, or measured latencies (inline, or a file with one per line) drawn with a seed. */
export const paperLatencySchema = (name: string) =>
  z.union(
    [
      z.number().min(0, `${name} must not be negative`),
      z.strictObject({ samplesMs: z.array(z.number().min(0, `${name}.samplesMs: a latency must not be negative`)).min(1, `${name}.samplesMs must list at least one latency`), seed: z.int() }),
      z.strictObject({ samplesFile: z.string().min(1), seed: z.int() }),
    ],
    { error: `${name} must be milliseconds (a number), { "samplesMs": [...], "seed": n } or { "samplesFile": "path", "seed": n }` },
  );

export type ConfiguredLatency = z.output<ReturnType<typeof paperLatencySchema>>;
/** A latency as the venue takes it: milliseconds, or samples with their seed. */
export type PaperLatency = number | { samplesMs: number[]; seed: number };

export const paperFillModelSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('queuePosition') }),
    z.strictObject({ kind: z.literal('probabilisticQueue'), seed: z.int() }),
    z.strictObject({ kind: z.literal('tradedVolume'), participation: positiveDecimalText('participation').optional() }),
  ],
  { error: 'fillModel.kind must be "queuePosition", "probabilisticQueue" or "tradedVolume"' },
);

/** Per perpetual symbol (perpetual-account.ts PerpetualSettings). */
export const perpetualSettingsSchema = z.strictObject({
  leverage: positiveDecimalText('leverage').optional(),
  marginMode: z.enum(['isolated', 'cross'], { error: 'marginMode must be "isolated" or "cross"' }).optional(),
  maintenanceMarginRate: nonNegativeDecimalText('maintenanceMarginRate').optional(),
  liquidationFeeRate: nonNegativeDecimalText('liquidationFeeRate').optional(),
  /** Funding is paid every this many ms, on the clock's grid (8 h: 00:00, 08:00, 16:00 UTC). */
  fundingIntervalMs: z.int().positive().optional(),
  /** The rate longs pay shorts at each funding time (negative: shorts pay); a constant from the config. */
  fundingRate: decimalText('fundingRate').optional(),
  /** Where the mark comes from: the mid of the book or the last trade (configs have no mark-price feed). */
  markPrice: z.enum(['mid', 'last'], { error: 'markPrice must be "mid" or "last" (a configured venue has no mark-price feed)' }).optional(),
});

export interface PaperSettingsToCheck {
  readonly instruments: readonly InstrumentSpec[];
  readonly perpetuals?: Readonly<Record<string, PerpetualSettings>>;
  readonly fillModel?: FillModelSetting;
  /** When given, a perpetual's quote currency must have a balance (its margin account). */
  readonly balances?: Readonly<Record<string, string>>;
}

/** Runs the venue's own checks on configured settings; each problem goes to `report` with its path. */
export function checkPaperSettings(settings: PaperSettingsToCheck, report: (path: (string | number)[], message: string) => void): void {
  const instruments = new Map<string, Instrument>();
  settings.instruments.forEach((spec, index) => {
    if (instruments.has(spec.symbol)) report(['instruments', index, 'symbol'], `${spec.symbol} is listed twice`);
    try {
      instruments.set(spec.symbol, createInstrument(spec));
    } catch (error) {
      report(['instruments', index], (error as Error).message);
    }
  });
  for (const [symbol, perpetual] of Object.entries(settings.perpetuals ?? {})) {
    const instrument = instruments.get(symbol);
    if (instrument === undefined || instrument.kind !== 'perpetual') {
      report(['perpetuals', symbol], `${symbol} is not an instrument of kind "perpetual" in the instruments`);
      continue;
    }
    try {
      createPerpetualState(instrument, perpetual, 0);
    } catch (error) {
      report(['perpetuals', symbol], (error as Error).message);
    }
  }
  if (settings.balances !== undefined) {
    for (const instrument of instruments.values()) {
      if (instrument.kind === 'perpetual' && settings.balances[instrument.quote] === undefined) {
        report(['balances'], `the perpetual ${instrument.symbol} settles in ${instrument.quote}: its margin account needs a ${instrument.quote} balance`);
      }
    }
  }
  if (settings.fillModel !== undefined) {
    try {
      new FillModel(settings.fillModel);
    } catch (error) {
      report(['fillModel'], (error as Error).message);
    }
  }
}

/** A configured latency with its samples file (relative to `baseDir`) read; throws with the file and line. */
export function resolveLatency(setting: ConfiguredLatency, baseDir: string): PaperLatency {
  if (typeof setting === 'number' || 'samplesMs' in setting) return setting;
  const file = path.resolve(baseDir, setting.samplesFile);
  try {
    return { samplesMs: readLatencySamples(file), seed: setting.seed };
  } catch (error) {
    throw new Error((error as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} does not exist` : (error as Error).message);
  }
}

/** A latency the config layer has resolved (resolveLatency); a samples file left unread is a programming error. */
export function resolvedLatency(setting: ConfiguredLatency): PaperLatency {
  if (typeof setting === 'number' || 'samplesMs' in setting) return setting;
  throw new Error(`the latency samples file ${setting.samplesFile} was not read: resolve it with resolveLatency first`);
}
