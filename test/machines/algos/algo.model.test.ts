// Model-based test of every execution-algorithm chart: generated walks through a venue model (partial
// fills, late and duplicate fills, cancels, rejections, market data, timers, pause, amend, cancel and a
// kill-and-restore at any step) keep the parent's accounting exact; together they walk every transition
// each chart declares.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { chaseMachine } from '../../../machines/algos/chase.ts';
import { icebergMachine } from '../../../machines/algos/iceberg.ts';
import { povMachine } from '../../../machines/algos/pov.ts';
import { twapMachine } from '../../../machines/algos/twap.ts';
import { vwapMachine } from '../../../machines/algos/vwap.ts';
import type { AlgoSpecInput } from '../../../src/domain/algo-params.ts';
import { icebergMaximumShown } from '../../../src/domain/algo-plan.ts';
import { workingChildren, workingQuantity } from '../../../src/domain/algo-children.ts';
import { decimal, ZERO } from '../../../src/domain/decimal.ts';
import { algoInput, declaredTransitions, START } from './algo-driver.ts';
import { AlgoWalk, WALK_ACTIONS, type WalkAction } from './algo-model.ts';

const common = { symbol: 'BTC/USDT', side: 'buy' as const, quantity: '0.01' };
const MINUTE = 60_000;

interface ChartCase {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly specs: readonly AlgoSpecInput[];
}

const charts: ChartCase[] = [
  {
    name: 'twap',
    machine: twapMachine,
    specs: [
      { kind: 'twap', parentId: 'a1', ...common, horizonMs: 5 * MINUTE, intervalMs: MINUTE, randomization: '0.3' },
      { kind: 'twap', parentId: 'a1', ...common, horizonMs: 3 * MINUTE, intervalMs: MINUTE, style: 'maker', limitPrice: '50001', atDeadline: 'stop' },
    ],
  },
  {
    name: 'vwap',
    machine: vwapMachine,
    specs: [
      { kind: 'vwap', parentId: 'a1', ...common, horizonMs: 4 * MINUTE, intervalMs: MINUTE, profile: ['1', '3', '0', '2'], participationCap: '0.5' },
      { kind: 'vwap', parentId: 'a1', ...common, horizonMs: 2 * MINUTE, intervalMs: MINUTE, profile: ['1', '1'], atDeadline: 'stop', limitPrice: '50000.5' },
    ],
  },
  { name: 'pov', machine: povMachine, specs: [{ kind: 'pov', parentId: 'a1', ...common, targetRate: '0.2', minSlice: '0.002', maxSlice: '0.004', limitPrice: '50001' }] },
  { name: 'iceberg', machine: icebergMachine, specs: [{ kind: 'iceberg', parentId: 'a1', ...common, limitPrice: '50000', displayQuantity: '0.003', randomization: '0.3' }] },
  {
    name: 'chase',
    machine: chaseMachine,
    specs: [
      { kind: 'chase', parentId: 'a1', ...common, crossAfterMs: 3 * MINUTE, repriceTicks: 2, offsetTicks: 1, crossPrice: '50000.5' },
      { kind: 'chase', parentId: 'a1', ...common, side: 'sell', crossAfterMs: MINUTE, limitPrice: '49999.5' },
    ],
  },
];

/**
 * Walks are made of segments, each drawn from one profile of the world: anything; steady progress (fills
 * executed and delivered); a hostile venue (rejections, ends); the user at the controls; and at the end a
 * wind-down where fills still on their way arrive, some twice, and children end.
 */
const profiles: Record<string, readonly WalkAction[]> = {
  any: WALK_ACTIONS,
  progress: ['executeAll', 'executeAll', 'executePart', 'deliver', 'deliver', 'deliver', 'market', 'timer', 'end'],
  hostile: ['reject', 'reject', 'reject', 'market', 'timer', 'end', 'executePart', 'deliver'],
  failing: ['reject', 'timer', 'market'],
  controls: ['pause', 'resume', 'halt', 'tradingResumed', 'amend', 'cancel', 'restart', 'market', 'timer', 'executePart', 'deliver', 'end'],
};
const windDown: readonly WalkAction[] = ['deliver', 'deliver', 'duplicate', 'bogus', 'end', 'executeAll'];
const segment = fc.constantFrom(...Object.values(profiles)).chain((actions) =>
  fc.array(fc.record({ action: fc.constantFrom(...actions), size: fc.nat(10_000) }), { minLength: 1, maxLength: 40 }),
);
const steps = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.array(fc.record({ action: fc.constantFrom(...windDown), size: fc.nat(10_000) }), { maxLength: 15 }))
  .map(([segments, tail]) => [...segments.flat(), ...tail]);

describe.each(charts)('$name chart, model-based', ({ name, machine, specs }) => {
  const walked = new Set<string>();

  it('any interleaving keeps filled = the sum of children fills, never past the parent, across restarts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...specs), fc.nat(1_000), steps, (spec, seed, walk) => {
        const model = new AlgoWalk({
          machine,
          input: algoInput(spec, seed),
          startAt: START,
          walked,
          check: (context) => {
            if (context.spec.params.kind !== 'iceberg') return;
            // An iceberg shows one slice at a time, never more than its randomised display.
            const shown = workingChildren(context.ledger).reduce((total, child) => total.plus(child.quantity).minus(child.filledQuantity), ZERO);
            expect(shown.lte(icebergMaximumShown(context))).toBe(true);
          },
        });
        // Most walks start at once; some wait for a step to start them (or to cancel them first).
        if (seed % 8 !== 0) model.send({ type: 'start', at: START });
        model.checkInvariants('start');
        walk.forEach((step, index) => {
          if (model.step(step)) model.checkInvariants(`step ${index} (${step.action}) in ${model.state}`);
        });
      }),
      { numRuns: 400, seed: 42 },
    );
  }, 120_000);

  it('stops as failed after five children in a row are refused, keeping what filled', () => {
    const model = new AlgoWalk({ machine, input: algoInput(specs[0]!), startAt: START, walked });
    model.send({ type: 'start', at: START });
    const market = { action: 'market' as const, size: 403 };
    // More is asked for, then one child fills in full (its end report not in yet) and the rest is refused.
    const opening = [market, { action: 'amend' as const, size: 2 }, { action: 'timer' as const, size: 0 }, market, { action: 'executeAll' as const, size: 0 }, { action: 'deliver' as const, size: 1 }];
    for (const step of opening) model.step(step);
    const filled = model.context.ledger.filledQuantity;
    expect(decimal(filled).gt(ZERO)).toBe(true);
    for (let round = 0; round < 10 && model.state !== '"failed"'; round++) {
      for (const step of [market, { action: 'timer' as const, size: 0 }, { action: 'reject' as const, size: 0 }]) {
        model.step(step);
        model.checkInvariants(`round ${round} ${step.action}`);
      }
    }
    expect(model.state).toBe('"failed"');
    expect(model.context.reason).toBe('5 children in a row were rejected or denied');
    // The fill kept; a duplicate and a fill no child committed change nothing; the filled child still reports its end.
    for (const step of [{ action: 'duplicate' as const, size: 0 }, { action: 'bogus' as const, size: 1 }, { action: 'end' as const, size: 0 }, { action: 'market' as const, size: 0 }]) {
      model.step(step);
      model.checkInvariants(step.action);
    }
    expect(model.context.ledger.filledQuantity).toBe(filled);
    expect(model.state).toBe('"failed"');
  });

  it('completes while paused when the fills of children it canceled arrive', () => {
    const model = new AlgoWalk({ machine, input: algoInput(specs[0]!), startAt: START, walked });
    model.send({ type: 'start', at: START });
    for (let round = 0; round < 40 && model.state !== '"paused"'; round++) {
      for (const action of ['market', 'timer', 'executeAll'] as const) model.step({ action, size: 403 });
      const committedAll = decimal(model.context.ledger.filledQuantity).plus(workingQuantity(model.context.ledger)).eq(model.context.quantity);
      if (committedAll) model.step({ action: 'pause', size: 0 });
      else while (model.step({ action: 'deliver', size: 0 }));
    }
    expect(model.state).toBe('"paused"');
    // The venue fills what was working before the cancels land; the reports arrive while paused.
    while (model.step({ action: 'executeAll', size: 0 })) model.checkInvariants('execute');
    while (model.step({ action: 'deliver', size: 1 })) model.checkInvariants('deliver');
    expect(model.state).toBe('"completed"');
    expect(model.context.ledger.filledQuantity).toBe(model.context.quantity);
  });

  it('completes while stopping when the fills of children its cancel raced arrive', () => {
    const model = new AlgoWalk({ machine, input: algoInput(specs[0]!), startAt: START, walked });
    model.send({ type: 'start', at: START });
    for (let round = 0; round < 40 && model.state !== '"stopping"'; round++) {
      for (const action of ['market', 'timer', 'executeAll'] as const) model.step({ action, size: 403 });
      const committedAll = decimal(model.context.ledger.filledQuantity).plus(workingQuantity(model.context.ledger)).eq(model.context.quantity);
      if (committedAll && decimal(model.context.ledger.filledQuantity).lt(model.context.quantity)) model.step({ action: 'cancel', size: 0 });
      else while (model.step({ action: 'deliver', size: 0 }));
    }
    expect(model.state).toBe('"stopping"');
    while (model.step({ action: 'executeAll', size: 0 })) model.checkInvariants('execute');
    while (model.step({ action: 'deliver', size: 1 })) model.checkInvariants('deliver');
    expect(model.state).toBe('"completed"');
  });

  it('a child filled in full may report its end after the algo ended canceled', () => {
    const model = new AlgoWalk({ machine, input: algoInput(specs[0]!), startAt: START, walked });
    model.send({ type: 'start', at: START });
    // More is asked for than the first child holds; that child fills in full, its end report not in yet.
    for (const step of [{ action: 'market', size: 403 }, { action: 'amend', size: 2 }, { action: 'timer', size: 0 }, { action: 'executeAll', size: 0 }] as const) model.step(step);
    while (model.step({ action: 'deliver', size: 1 }));
    const full = [...model.children.values()].find((child) => !child.ended && child.executed.eq(child.submission.quantity))!;
    expect(full).toBeDefined();
    model.step({ action: 'cancel', size: 0 });
    // The venue confirms the other cancels; the algo ends canceled with the full child's end still to come.
    for (let other = [...model.children.values()].filter((child) => !child.ended && child !== full); other.length > 0; other = other.slice(1)) {
      const open = [...model.children.values()].filter((child) => !child.ended);
      model.step({ action: 'end', size: open.indexOf(other[0]!) });
    }
    expect(model.state).toBe('"canceled"');
    model.step({ action: 'end', size: 0 });
    expect(model.context.ledger.children[full.submission.childId]?.status ?? 'settled').not.toBe('working');
    model.checkInvariants('late end');
  });

  it('under a trading halt: starts paused by it; trading resuming resumes only what the halt paused, never what the client paused', () => {
    const model = new AlgoWalk({ machine, input: algoInput(specs[0]!), startAt: START, walked });
    const working = () => model.state.startsWith('{"working"');
    model.send({ type: 'start', at: START, halted: true });
    expect(model.state).toBe('"paused"');
    expect(model.context.pausedBy).toBe('halt');
    expect(model.context.childSequence).toBe(0);
    model.step({ action: 'tradingResumed', size: 0 });
    expect(working()).toBe(true);
    model.step({ action: 'market', size: 403 });
    model.step({ action: 'halt', size: 0 });
    expect([model.state, model.context.pausedBy]).toEqual(['"paused"', 'halt']);
    // The client pauses it too: its pause holds when trading resumes; the client's resume ends it.
    model.step({ action: 'pause', size: 0 });
    expect(model.context.pausedBy).toBe('client');
    model.step({ action: 'tradingResumed', size: 0 });
    expect(model.state).toBe('"paused"');
    model.step({ action: 'resume', size: 0 });
    expect(working()).toBe(true);
    expect(model.context.pausedBy).toBeUndefined();
    model.checkInvariants('resumed');
  });

  it('walks every transition the chart declares', () => {
    const declared = declaredTransitions(machine);
    expect(declared.length).toBeGreaterThan(20);
    expect(declared.filter((transition) => !walked.has(transition)), name).toEqual([]);
  });
});
