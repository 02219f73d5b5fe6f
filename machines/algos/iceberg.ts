// Iceberg, for venues without native icebergs: one visible slice at the limit price, refilled from what is
// left when it ends (filled, or dropped by the venue), optionally randomised, never larger than the display.
import { algoSetup, endTransitions, fillTransitions, finishedChecks, initialAlgoContext, lifecycleStates, plan, workingTransitions } from './algo-setup.ts';

export const icebergMachine = algoSetup.createMachine({
  id: 'iceberg',
  initial: 'pending',
  context: initialAlgoContext,
  states: {
    ...lifecycleStates(),
    working: {
      initial: 'showing',
      on: workingTransitions(),
      always: finishedChecks,
      states: {
        showing: {
          entry: plan('icebergRefill'),
          on: {
            // The refill only shows when nothing else does: a slice filled in full is replaced at once.
            'child.filled': fillTransitions(plan('icebergRefill')),
            'child.ended': endTransitions(plan('icebergRefill')),
            market: { actions: [{ type: 'recordMarket', params: { countVolume: true } }, plan('icebergRefill')] },
          },
        },
        history: { type: 'history', history: 'shallow' },
      },
    },
  },
});

export type IcebergMachine = typeof icebergMachine;
