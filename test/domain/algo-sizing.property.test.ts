// Properties of slice sizing: slices fit the grid and never take more than is left; a TWAP spreads its
// quantity over the horizon and totals within one lot whatever its slices fill; a POV stays at its share of
// generated volume; the seeded generator is deterministic; a VWAP follows its profile.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addChild, applyChildFill, EMPTY_LEDGER, endChild, type ChildLedger } from '../../src/domain/algo-children.ts';
import { parseAlgoSpec } from '../../src/domain/algo-params.ts';
import { planParticipation, planScheduledSlice, type AlgoState } from '../../src/domain/algo-plan.ts';
import { drawRandom } from '../../src/domain/algo-random.ts';
import { learnVolumeProfile, sliceTime, vwapSliceTarget } from '../../src/domain/algo-schedule.ts';
import { fitSlice, smallestSlice, type SliceGrid } from '../../src/domain/algo-sizing.ts';
import { decimal, ZERO, type Decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';

const GRID: SliceGrid = { tickSize: '0.1', lotSize: '0.001', minQuantity: '0.005' };
const BTC = createInstrument({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001', minQuantity: '0.005', minNotional: '0', makerFee: '0', takerFee: '0' });
const lots = (max: number) => fc.integer({ min: 0, max }).map((n) => decimal(n).times('0.001'));

function state(spec: unknown, overrides: Partial<AlgoState> = {}): AlgoState {
  const parsed = parseAlgoSpec(spec, BTC, 0);
  return Object.assign({ spec: parsed, quantity: parsed.quantity, limitPrice: parsed.limitPrice, grid: GRID, ledger: EMPTY_LEDGER, market: { observedVolume: '0', volumeAtLastSlice: '0' }, sliceIndex: -1, randomState: 1 }, overrides);
}

/** Sends the decision's children and fills each by `fill(quantity)`; the unfilled rest ends and goes back. */
function execute(current: AlgoState, decision: ReturnType<typeof planScheduledSlice>, fill: (quantity: Decimal) => Decimal, serial: { n: number }): AlgoState {
  let ledger: ChildLedger = current.ledger;
  for (const childId of decision.cancel) {
    const child = ledger.children[childId]!;
    ledger = endChild(ledger, { childId, status: 'canceled', remaining: decimal(child.quantity).minus(child.filledQuantity).toFixed() });
  }
  for (const draft of decision.submit) {
    serial.n += 1;
    const childId = `a-E${serial.n}`;
    ledger = addChild(ledger, Object.assign({}, draft, { childId, parentId: 'a', sequence: serial.n, filledQuantity: '0', filledNotional: '0', tradeIds: [], status: 'working' as const }));
    const filled = fill(decimal(draft.quantity));
    if (filled.gt(ZERO)) ledger = applyChildFill(ledger, { childId, tradeId: `t${serial.n}`, quantity: filled.toFixed(), price: '100' });
    ledger = endChild(ledger, { childId, status: filled.eq(draft.quantity) ? 'filled' : 'canceled', remaining: decimal(draft.quantity).minus(filled).toFixed() });
  }
  return Object.assign({}, current, {
    ledger,
    sliceIndex: decision.sliceIndex ?? current.sliceIndex,
    randomState: decision.randomState ?? current.randomState,
  });
}

describe('slice sizing properties', () => {
  it('a slice is on the lot, at least the smallest order or nothing, never more than is left, and leaves no unsendable rest when it may take it', () => {
    fc.assert(
      fc.property(lots(50_000), lots(50_000), fc.boolean(), (desired, unassigned, mayTakeRest) => {
        const slice = fitSlice(desired, unassigned, GRID, mayTakeRest);
        expect(slice.mod(GRID.lotSize).eq(ZERO)).toBe(true);
        expect(slice.lte(unassigned)).toBe(true);
        if (!slice.eq(ZERO)) expect(slice.gte(smallestSlice(GRID))).toBe(true);
        const rest = unassigned.minus(slice);
        if (mayTakeRest && slice.gt(ZERO)) expect(rest.eq(ZERO) || rest.gte(smallestSlice(GRID))).toBe(true);
      }),
    );
  });

  it('TWAP: whatever each slice fills, slices follow the schedule, each at most its randomised share, and the total ends short by less than the smallest order (one lot where the minimum is a lot)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 2_000 }).map((n) => decimal(n).times('0.05')),
        fc.constantFrom('0', '0.1', '0.3'),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 40, maxLength: 40 }),
        fc.nat(),
        (slices, extra, randomization, fillPercents, seed) => {
          // Valid plans only: at least the smallest order a slice.
          const quantity = decimal(slices).times('0.005').plus(extra);
          const spec = { kind: 'twap', parentId: 'a', symbol: 'BTC/USDT', side: 'buy', quantity: quantity.toFixed(), horizonMs: slices * 60_000, intervalMs: 60_000, randomization, startAt: 0 };
          let current = state(spec, { randomState: seed | 0 });
          const serial = { n: 0 };
          for (let index = 0; index < slices; index++) {
            const decision = planScheduledSlice(current, sliceTime({ startAt: 0, intervalMs: 60_000 }, index));
            expect(decision.sliceIndex).toBe(index);
            const left = decimal(current.quantity).minus(current.ledger.filledQuantity);
            for (const draft of decision.submit) {
              // Spread over the horizon: a slice takes at most its randomised share of what is left (plus a
              // lot of rounding, or the smallest order), the last one all of it.
              const share = left.div(decimal(slices - index)).times(decimal('1').plus(randomization));
              if (index < slices - 1) expect(decimal(draft.quantity).lte(share.plus(smallestSlice(GRID)))).toBe(true);
            }
            // The last slices fill in full (a taker sweep would take the rest at the deadline); earlier ones fill any share.
            const percent = index >= slices - 1 ? 100 : fillPercents[index]!;
            current = execute(current, decision, (q) => q.times(decimal(percent)).div('100').round(3, 0), serial);
          }
          const shortfall = decimal(current.quantity).minus(current.ledger.filledQuantity);
          expect(shortfall.gte(ZERO)).toBe(true);
          expect(shortfall.lt(smallestSlice(GRID))).toBe(true);
        },
      ),
    );
  });

  it('POV: on any volume stream, filled + working stays within one minimum slice below its share and never above it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('0.05', '0.1', '0.2'),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 200 }),
        (rate, volumes) => {
          const spec = { kind: 'pov', parentId: 'p', symbol: 'BTC/USDT', side: 'sell', quantity: '1000', targetRate: rate, minSlice: '0.01', maxSlice: '0.1' };
          let current = state(spec, { market: { bestBid: '100', bestAsk: '100.1', observedVolume: '0', volumeAtLastSlice: '0' } });
          const serial = { n: 0 };
          let observed = ZERO;
          for (const volume of volumes) {
            // Volume per event stays within what one maximum slice can follow at this rate.
            const traded = decimal(volume).times('0.001').times(decimal('0.09').div(rate)).round(3, 0);
            observed = observed.plus(traded);
            current = Object.assign({}, current, { market: Object.assign({}, current.market, { observedVolume: observed.toFixed() }) });
            const decision = planParticipation(current);
            current = execute(current, decision, (q) => q, serial);
            const done = decimal(current.ledger.filledQuantity);
            const target = observed.times(rate);
            expect(done.lte(target), `${done.toFixed()} > ${target.toFixed()}`).toBe(true);
            expect(done.gte(target.minus('0.01')), `${done.toFixed()} lags ${target.toFixed()}`).toBe(true);
          }
        },
      ),
    );
  });

  it('the seeded generator gives the same draws for the same seed, each in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let a = seed | 0;
        let b = seed | 0;
        for (let index = 0; index < 20; index++) {
          const first = drawRandom(a);
          const second = drawRandom(b);
          expect(first.fraction.eq(second.fraction)).toBe(true);
          expect(first.fraction.gte(ZERO) && first.fraction.lt('1')).toBe(true);
          a = first.state;
          b = second.state;
        }
      }),
    );
  });

  it('VWAP: the targets follow the cumulative profile and reach the whole quantity at the last interval', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 30 }).filter((weights) => weights.some((w) => w > 0)), (weights) => {
        const profile = weights.map(String);
        let done = ZERO;
        for (let index = 0; index < profile.length; index++) {
          const target = vwapSliceTarget('12', profile, index, done);
          done = done.plus(target);
          const upTo = weights.slice(0, index + 1).reduce((a, b) => a + b, 0);
          const total = weights.reduce((a, b) => a + b, 0);
          expect(done.eq(decimal('12').times(decimal(upTo)).div(decimal(total)))).toBe(true);
        }
        expect(done.toFixed()).toBe('12');
      }),
    );
  });

  it('a learnt profile adds each sample to its interval and ignores those outside the horizon', () => {
    expect(learnVolumeProfile([{ offsetMs: 0, volume: '1.5' }, { offsetMs: 59_999, volume: '2' }, { offsetMs: 60_000, volume: '4' }, { offsetMs: 180_000, volume: '9' }, { offsetMs: -1, volume: '9' }], 180_000, 60_000)).toEqual(['3.5', '4', '0']);
  });
});
