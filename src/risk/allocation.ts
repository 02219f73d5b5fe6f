// Splits a total quantity over weighted parts on the lot grid so the parts sum exactly to the total.
import { ONE, ZERO, type Decimal } from '../domain/decimal.ts';
import { requirePositiveLots, type LotGrid } from './grid.ts';
import { requireNonNegative } from './guards.ts';

/**
 * Where the lots left over after rounding every part down go:
 * - 'last': all of them on the last part (a take-profit ladder's final rung closes what is left);
 * - 'largestRemainder': one lot each to the parts that lost the most to rounding (Hamilton's method),
 *   ties to the earlier part, which keeps the split as close to the weights as the lot allows.
 */
export type RemainderPolicy = 'last' | 'largestRemainder';

/**
 * Splits `total` (a positive whole number of lots) in proportion to `weights` (non-negative, not all zero).
 * Every part is a whole number of lots (possibly zero) and the parts sum exactly to `total`.
 * The arithmetic is exact: each part's lot count is floor(lots × weight / weightSum), checked by
 * multiplication, so no rounding of the 30-place division can push the sum over the total.
 */
export function splitQuantity(total: Decimal, weights: readonly Decimal[], grid: LotGrid, remainder: RemainderPolicy): Decimal[] {
  requirePositiveLots('total quantity', total, grid);
  if (weights.length === 0) throw new Error('weights must not be empty');
  weights.forEach((weight, index) => requireNonNegative(`weight ${index}`, weight));
  const weightSum = weights.reduce((sum, weight) => sum.plus(weight), ZERO);
  if (!weightSum.gt(ZERO)) throw new Error('weights must not all be zero');

  const totalLots = total.div(grid.lotSize); // exact: total is a multiple of the lot
  const shares = weights.map((weight) => {
    const numerator = totalLots.times(weight); // the share in lots is numerator / weightSum
    let lots = numerator.div(weightSum).round(0, 0);
    while (lots.times(weightSum).gt(numerator)) lots = lots.minus(ONE);
    while (lots.plus(ONE).times(weightSum).lte(numerator)) lots = lots.plus(ONE);
    return { lots, lostNumerator: numerator.minus(lots.times(weightSum)) };
  });
  const lots = shares.map((share) => share.lots);
  const leftover = totalLots.minus(lots.reduce((sum, count) => sum.plus(count), ZERO));

  if (remainder === 'last') {
    const lastIndex = lots.length - 1;
    lots[lastIndex] = (lots[lastIndex] as Decimal).plus(leftover);
  } else {
    // Each part lost less than one lot to the floor, so fewer lots are left over than there are parts.
    const byLoss = shares
      .map((share, index) => ({ index, lost: share.lostNumerator }))
      .sort((first, second) => second.lost.cmp(first.lost) || first.index - second.index);
    for (let given = 0; given < leftover.toNumber(); given += 1) {
      const { index } = byLoss[given] as { index: number };
      lots[index] = (lots[index] as Decimal).plus(ONE);
    }
  }
  return lots.map((count) => count.times(grid.lotSize));
}
