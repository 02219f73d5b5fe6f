// POV: keeps its filled and working quantity at a target share of the volume traded on the market stream
// while it works, in slices between a minimum and a maximum, taking the far touch within the limit price.
import { algoSetup, finishedChecks, initialAlgoContext, lifecycleStates, plan, workingTransitions } from './algo-setup.ts';

export const povMachine = algoSetup.createMachine({
  id: 'pov',
  initial: 'pending',
  context: initialAlgoContext,
  states: {
    ...lifecycleStates({ expires: false }),
    working: {
      initial: 'tracking',
      // Volume seen while paused is not counted: the share is of what traded while the algo worked.
      on: workingTransitions({ market: plan('participation') }),
      always: finishedChecks,
      states: {
        tracking: {},
        history: { type: 'history', history: 'shallow' },
      },
    },
  },
});

export type PovMachine = typeof povMachine;
