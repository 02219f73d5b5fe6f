// Scheduled slicing (TWAP and VWAP): slice times as absolute clock times, and how much each slice should
// take from what is left, so the algo corrects itself after partial fills and resumes after a restart.
import { decimal, ZERO, type Decimal, type DecimalString } from './decimal.ts';
import { sliceCount, type ScheduleParams } from './algo-params.ts';

/** Clock time of slice `index` (0-based). */
export function sliceTime(params: Pick<ScheduleParams, 'startAt' | 'intervalMs'>, index: number): number {
  return params.startAt + index * params.intervalMs;
}

export function deadline(params: Pick<ScheduleParams, 'startAt' | 'horizonMs'>): number {
  return params.startAt + params.horizonMs;
}

/**
 * The index of the slice due at `now`: the last slice time not after it (-1 before the start). Slices missed
 * while the algo was down or paused are not sent one by one: the one due now is sized from what is left.
 */
export function dueSliceIndex(params: Pick<ScheduleParams, 'startAt' | 'intervalMs' | 'horizonMs'>, now: number): number {
  if (now < params.startAt) return -1;
  return Math.min(sliceCount(params) - 1, Math.floor((now - params.startAt) / params.intervalMs));
}

/** When the algo must wake next after slice `index`: the next slice, or the deadline after the last. */
export function wakeAfterSlice(params: Pick<ScheduleParams, 'startAt' | 'intervalMs' | 'horizonMs'>, index: number): number {
  return index + 1 < sliceCount(params) ? sliceTime(params, index + 1) : deadline(params);
}

/** TWAP: what is left spread evenly over the slices left, this one included. */
export function twapSliceTarget(unassigned: Decimal, slicesLeft: number): Decimal {
  if (slicesLeft <= 1) return unassigned;
  return unassigned.div(decimal(slicesLeft));
}

/**
 * VWAP: the quantity the profile says should be done by the end of slice `index`, less what is filled or
 * working. Negative shares (ahead of the profile) give zero.
 */
export function vwapSliceTarget(quantity: DecimalString, profile: readonly DecimalString[], index: number, done: Decimal): Decimal {
  let total = ZERO;
  let upTo = ZERO;
  profile.forEach((weight, at) => {
    total = total.plus(weight);
    if (at <= index) upTo = upTo.plus(weight);
  });
  const target = decimal(quantity).times(upTo).div(total).minus(done);
  return target.gt(ZERO) ? target : ZERO;
}

/** VWAP's participation cap: at most `cap` of the volume traded since the last slice. */
export function participationLimit(cap: DecimalString | undefined, volumeSinceLastSlice: Decimal): Decimal | undefined {
  return cap === undefined ? undefined : volumeSinceLastSlice.times(cap);
}

/**
 * A volume profile learnt from history: total volume per interval of the horizon, from bars (or trades
 * bucketed by the caller) whose time is given relative to the start of each day they belong to.
 */
export function learnVolumeProfile(samples: readonly { readonly offsetMs: number; readonly volume: DecimalString }[], horizonMs: number, intervalMs: number): DecimalString[] {
  const buckets = Array.from({ length: Math.floor(horizonMs / intervalMs) }, () => ZERO);
  for (const sample of samples) {
    if (sample.offsetMs < 0 || sample.offsetMs >= buckets.length * intervalMs) continue;
    const index = Math.floor(sample.offsetMs / intervalMs);
    buckets[index] = buckets[index]!.plus(sample.volume);
  }
  return buckets.map((volume) => volume.toFixed());
}
