// Iceberg, for venues without native icebergs: one visible slice at the limit price, refilled from what is
// left when it ends (filled, or dropped by the venue), optionally randomised, never larger than the display.
import { algoSetup, finishedChecks, initialAlgoContext, lifecycleStates, plan, workingTransitions } from './algo-setup.ts';

export const icebergMachine = algoSetup.createMachine({
  id: 'iceberg',
  initial: 'pending',
  context: initialAlgoContext,
  states: {
    ...lifecycleStates({ expires: false }),
    working: {
      initial: 'showing',
      // The refill only shows when nothing else does: a slice filled in full is replaced at once.
      on: workingTransitions({ afterChild: plan('icebergRefill'), market: plan('icebergRefill') }),
      always: finishedChecks,
      states: {
        showing: { entry: plan('icebergRefill') },
        history: { type: 'history', history: 'shallow' },
      },
    },
  },
});

export type IcebergMachine = typeof icebergMachine;
