// Limit-then-market (chase): rest at the near touch (or an offset behind it), re-price when the book moves
// away by the threshold, and cross the spread at the timeout or when the market reaches the cross price.
import { algoSetup, finishedChecks, initialAlgoContext, lifecycleStates, plan, workingEndTransitions, workingTransitions } from './algo-setup.ts';

export const chaseMachine = algoSetup.createMachine({
  id: 'chase',
  initial: 'pending',
  context: initialAlgoContext,
  states: {
    ...lifecycleStates({ expires: false }),
    working: {
      initial: 'resting',
      on: workingTransitions({ market: 'substates' }),
      always: finishedChecks,
      states: {
        resting: {
          entry: ['scheduleFirstWake', plan('chaseRest')],
          on: {
            'timer.due': { guard: 'isDue', target: 'crossing' },
            market: [
              { guard: 'crossPriceReached', target: 'crossing', actions: { type: 'recordMarket', params: { countVolume: true } } },
              // Re-price is cancel and replace: the new child rests once the old one has ended (its rest is then known).
              { guard: 'marketMovedAway', actions: [{ type: 'recordMarket', params: { countVolume: true } }, 'cancelRepricedChildren'] },
              { actions: [{ type: 'recordMarket', params: { countVolume: true } }, plan('chaseRest')] },
            ],
            'child.ended': workingEndTransitions(plan('chaseRest')),
          },
        },
        crossing: {
          // All that is left goes as takers; what an IOC leaves goes again at the next market data.
          entry: ['clearWake', plan('sweep')],
          on: { market: { actions: [{ type: 'recordMarket', params: { countVolume: true } }, plan('sweep')] } },
        },
        history: { type: 'history', history: 'shallow' },
      },
    },
  },
});

export type ChaseMachine = typeof chaseMachine;
