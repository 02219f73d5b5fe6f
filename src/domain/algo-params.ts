// Execution-algorithm parameters: one schema per algorithm and the checks against the instrument, so a plan
// that cannot be honoured whole (horizon shorter than an interval, slices below the minimum...) is refused
// with its reasons before anything is sent.
import { z } from 'zod';
import { decimal, roundToStep, ZERO, type DecimalString } from './decimal.ts';
import type { Instrument } from './instrument.ts';
import { decimalInput, optionalDecimalInput, priceIssue, quantityIssue, ORDER_SIDES, type OrderSide } from './order-request.ts';

export const ALGO_KINDS = ['twap', 'vwap', 'pov', 'iceberg', 'chase'] as const;
export type AlgoKind = (typeof ALGO_KINDS)[number];

/** Most slices a scheduled algo may plan: its context holds one entry per slice of a VWAP profile. */
export const MAX_SCHEDULED_SLICES = 10_000;

export type SliceStyle = 'maker' | 'taker';
export type DeadlinePolicy = 'sendRest' | 'stop';

interface AlgoCommon {
  /** The algo's id: its children are `{parentId}-E{n}`. */
  readonly parentId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: DecimalString;
  /** No child buys above (sells below) this price. */
  readonly limitPrice?: DecimalString;
  /** The venue its children go to (the engine's default when absent). */
  readonly venue?: string;
}

export interface ScheduleParams {
  /** Absolute clock times (epoch ms): the schedule survives a restart. */
  readonly startAt: number;
  readonly horizonMs: number;
  readonly intervalMs: number;
  readonly style: SliceStyle;
  readonly atDeadline: DeadlinePolicy;
}

export type AlgoParams =
  | (ScheduleParams & { readonly kind: 'twap'; readonly randomization: DecimalString })
  | (ScheduleParams & {
      readonly kind: 'vwap';
      /** Weight of each interval of the horizon, in order; shares of the quantity follow them. */
      readonly profile: readonly DecimalString[];
      /** Highest share of the volume traded since the last slice a slice may take. */
      readonly participationCap?: DecimalString;
    })
  | { readonly kind: 'pov'; readonly targetRate: DecimalString; readonly minSlice: DecimalString; readonly maxSlice: DecimalString }
  | { readonly kind: 'iceberg'; readonly displayQuantity: DecimalString; readonly randomization: DecimalString }
  | {
      readonly kind: 'chase';
      readonly startAt: number;
      /** Ticks behind the touch to rest at (0: at the best bid for a buy). */
      readonly offsetTicks: number;
      /** Re-price when the touch has moved this many ticks away from the resting price. */
      readonly repriceTicks: number;
      /** Cross the spread this long after the start. */
      readonly crossAfterMs: number;
      /** Cross the spread at once when the market moves away to this price. */
      readonly crossPrice?: DecimalString;
    };

export type AlgoSpec = AlgoCommon & { readonly params: AlgoParams };

export class AlgoParamsError extends Error {
  override name = 'AlgoParamsError';
  readonly code = 'invalid_algo';
  constructor(readonly issues: readonly string[]) {
    super(issues.join('; '));
  }
}

const idField = z.string().regex(/^[A-Za-z0-9._:-]{1,28}$/, 'parentId must be 1 to 28 characters of letters, digits, ".", "_", ":" or "-"');
const millis = (name: string) => z.number({ error: `${name} must be a whole number of milliseconds` }).int(`${name} must be a whole number of milliseconds`).positive(`${name} must be positive`);
const fraction = (name: string) => decimalInput(name);

const common = {
  parentId: idField,
  symbol: z.string({ error: 'symbol is required' }).min(1, 'symbol is required'),
  side: z.enum(ORDER_SIDES, { error: 'side must be "buy" or "sell"' }),
  quantity: decimalInput('quantity'),
  limitPrice: optionalDecimalInput('limitPrice'),
  venue: z.string().min(1).optional(),
};
const schedule = {
  startAt: z.number().int().nonnegative().optional(),
  horizonMs: millis('horizonMs'),
  intervalMs: millis('intervalMs'),
  style: z.enum(['maker', 'taker'], { error: 'style must be "maker" or "taker"' }).default('taker'),
  atDeadline: z.enum(['sendRest', 'stop'], { error: 'atDeadline must be "sendRest" or "stop"' }).default('sendRest'),
};

const algoSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('twap'), ...common, ...schedule, randomization: fraction('randomization').default('0') }),
    z.strictObject({
      kind: z.literal('vwap'),
      ...common,
      ...schedule,
      profile: z.array(decimalInput('profile weight'), { error: 'profile must be a list of weights, one per interval' }),
      participationCap: optionalDecimalInput('participationCap'),
    }),
    z.strictObject({ kind: z.literal('pov'), ...common, targetRate: fraction('targetRate'), minSlice: decimalInput('minSlice'), maxSlice: decimalInput('maxSlice') }),
    z.strictObject({ kind: z.literal('iceberg'), ...common, displayQuantity: decimalInput('displayQuantity'), randomization: fraction('randomization').default('0') }),
    z.strictObject({
      kind: z.literal('chase'),
      ...common,
      startAt: z.number().int().nonnegative().optional(),
      offsetTicks: z.number().int().nonnegative().default(0),
      repriceTicks: z.number().int().positive().default(1),
      crossAfterMs: millis('crossAfterMs'),
      crossPrice: optionalDecimalInput('crossPrice'),
    }),
  ],
  { error: `kind must be one of ${ALGO_KINDS.join(', ')}` },
);

export type AlgoSpecInput = z.input<typeof algoSchema>;

/**
 * Parses and checks an algo against its instrument (undefined: the symbol is unknown). `now` is the start
 * time of a scheduled algo given none. Throws AlgoParamsError listing every reason.
 */
export function parseAlgoSpec(input: unknown, instrument: Instrument | undefined, now: number): AlgoSpec {
  const result = algoSchema.safeParse(input);
  if (!result.success) {
    throw new AlgoParamsError(result.error.issues.map((issue) => (issue.path.length > 0 && !issue.message.startsWith(String(issue.path[0])) ? `${issue.path.join('.')}: ${issue.message}` : issue.message)));
  }
  const parsed = result.data;
  const { parentId, symbol, side, quantity, limitPrice, venue } = parsed;
  let params: AlgoParams;
  switch (parsed.kind) {
    case 'twap':
      params = { kind: 'twap', startAt: parsed.startAt ?? now, horizonMs: parsed.horizonMs, intervalMs: parsed.intervalMs, style: parsed.style, atDeadline: parsed.atDeadline, randomization: parsed.randomization };
      break;
    case 'vwap':
      params = {
        kind: 'vwap', startAt: parsed.startAt ?? now, horizonMs: parsed.horizonMs, intervalMs: parsed.intervalMs, style: parsed.style, atDeadline: parsed.atDeadline,
        profile: parsed.profile, participationCap: parsed.participationCap,
      };
      break;
    case 'pov':
      params = { kind: 'pov', targetRate: parsed.targetRate, minSlice: parsed.minSlice, maxSlice: parsed.maxSlice };
      break;
    case 'iceberg':
      params = { kind: 'iceberg', displayQuantity: parsed.displayQuantity, randomization: parsed.randomization };
      break;
    case 'chase':
      params = { kind: 'chase', startAt: parsed.startAt ?? now, offsetTicks: parsed.offsetTicks, repriceTicks: parsed.repriceTicks, crossAfterMs: parsed.crossAfterMs, crossPrice: parsed.crossPrice };
      break;
  }
  const spec: AlgoSpec = Object.assign({ parentId, symbol, side, quantity, limitPrice, params }, venue === undefined ? {} : { venue });
  const issues = algoSpecIssues(spec, instrument);
  if (issues.length > 0) throw new AlgoParamsError(issues);
  return spec;
}

/** Every reason the spec cannot be honoured on this instrument; empty when it can. */
export function algoSpecIssues(spec: AlgoSpec, instrument: Instrument | undefined): string[] {
  if (instrument === undefined) return [`unknown symbol ${spec.symbol}`];
  if (instrument.symbol !== spec.symbol) return [`the instrument given is ${instrument.symbol}, not ${spec.symbol}`];
  const issues: string[] = [];
  const minimum = instrument.minQuantity.gt(instrument.lotSize) ? instrument.minQuantity : instrument.lotSize;
  const quantityProblem = sizeIssue('quantity', spec.quantity, instrument);
  if (quantityProblem) issues.push(quantityProblem);
  if (spec.limitPrice !== undefined) {
    const problem = priceIssue('limitPrice', spec.limitPrice, instrument);
    if (problem) issues.push(problem);
  }
  const quantity = decimal(spec.quantity);
  const params = spec.params;
  switch (params.kind) {
    case 'twap':
    case 'vwap': {
      // Every reason is listed: a horizon shorter than an interval leaves no slices to check, the rest still is.
      if (params.horizonMs < params.intervalMs) {
        issues.push(`the horizon (${params.horizonMs} ms) is shorter than one interval (${params.intervalMs} ms)`);
      } else {
        const slices = sliceCount(params);
        if (slices > MAX_SCHEDULED_SLICES) issues.push(`${slices} slices is more than the ${MAX_SCHEDULED_SLICES} an algo may plan: use a longer interval`);
        if (params.kind === 'twap') {
          const problem = fractionIssue('randomization', params.randomization, false);
          if (problem) issues.push(problem);
          const perSlice = quantity.div(decimal(slices));
          if (perSlice.lt(minimum)) issues.push(`${spec.quantity} over ${slices} slices is ${perSlice.toFixed()} a slice, below the minimum ${minimum.toFixed()} for ${spec.symbol}: use fewer slices`);
        } else {
          if (params.profile.length !== slices) issues.push(`the profile has ${params.profile.length} weights for ${slices} intervals`);
          if (params.profile.some((weight) => decimal(weight).lt(ZERO))) issues.push('profile weights must not be negative');
          else if (!params.profile.some((weight) => decimal(weight).gt(ZERO))) issues.push('the profile needs at least one positive weight');
          if (params.participationCap !== undefined) {
            const problem = fractionIssue('participationCap', params.participationCap, true);
            if (problem) issues.push(problem);
          }
        }
      }
      if (params.style === 'maker' && spec.limitPrice === undefined) {
        // A maker slice rests at the touch; without a limit it could chase the market anywhere.
        issues.push('maker slices need a limitPrice');
      }
      break;
    }
    case 'pov': {
      const rateProblem = fractionIssue('targetRate', params.targetRate, false);
      if (rateProblem) issues.push(rateProblem);
      else if (decimal(params.targetRate).eq(ZERO)) issues.push('targetRate must be above 0');
      for (const field of ['minSlice', 'maxSlice'] as const) {
        const problem = sizeIssue(field, params[field], instrument);
        if (problem) issues.push(problem);
      }
      if (decimal(params.maxSlice).lt(params.minSlice)) issues.push(`maxSlice ${params.maxSlice} is below minSlice ${params.minSlice}`);
      if (decimal(params.minSlice).gt(quantity)) issues.push(`minSlice ${params.minSlice} is more than the quantity ${spec.quantity}`);
      break;
    }
    case 'iceberg': {
      if (spec.limitPrice === undefined) issues.push('an iceberg needs a limitPrice: its slices rest at it');
      const problem = sizeIssue('displayQuantity', params.displayQuantity, instrument);
      if (problem) issues.push(problem);
      if (decimal(params.displayQuantity).gt(quantity)) issues.push(`displayQuantity ${params.displayQuantity} is more than the quantity ${spec.quantity}`);
      const randomProblem = fractionIssue('randomization', params.randomization, false);
      if (randomProblem) issues.push(randomProblem);
      else if (roundToStep(decimal(params.displayQuantity).times(decimal(1).minus(params.randomization)), instrument.lotSize, 'down').lt(minimum)) {
        issues.push(`displayQuantity ${params.displayQuantity} randomised by ${params.randomization} can fall below the minimum ${minimum.toFixed()}`);
      }
      break;
    }
    case 'chase': {
      if (params.crossPrice !== undefined) {
        const problem = priceIssue('crossPrice', params.crossPrice, instrument);
        if (problem) issues.push(problem);
      }
      break;
    }
  }
  return issues;
}

/** Number of slices of a schedule: one at the start of each whole interval of the horizon. */
export function sliceCount(params: Pick<ScheduleParams, 'horizonMs' | 'intervalMs'>): number {
  return Math.floor(params.horizonMs / params.intervalMs);
}

function sizeIssue(field: string, value: DecimalString, instrument: Instrument): string | undefined {
  const problem = quantityIssue(value, instrument);
  if (problem) return `${field}: ${problem}`;
  if (decimal(value).lt(instrument.minQuantity)) return `${field} ${value} is below the minimum ${instrument.spec.minQuantity} for ${instrument.symbol}`;
  return undefined;
}

/** A share: at least 0 and below 1 (or up to 1 when `inclusive`). */
function fractionIssue(field: string, value: DecimalString, inclusive: boolean): string | undefined {
  const share = decimal(value);
  const tooBig = inclusive ? share.gt('1') : share.gte('1');
  if (share.lt(ZERO) || tooBig) return `${field} must be a fraction from 0 to ${inclusive ? '1' : 'below 1'} (0.1 is 10 %), got ${value}`;
  return undefined;
}
