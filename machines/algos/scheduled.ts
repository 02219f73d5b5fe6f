// The chart shared by the scheduled algorithms (TWAP and VWAP): a slice at each interval of the horizon,
// sized from what is left by the algorithm's own rule; at the deadline, the rest is sent or the algo stops.
import { and } from 'xstate';
import { algoSetup, finishedChecks, initialAlgoContext, lifecycleStates, plan, workingTransitions } from './algo-setup.ts';

export function scheduledAlgoMachine<Id extends 'twap' | 'vwap'>(id: Id) {
  const stopping = `#${id}.stopping` as const;
  return algoSetup.createMachine({
    id,
    initial: 'pending',
    context: initialAlgoContext,
    states: {
      ...lifecycleStates({ expires: true }),
      working: {
        initial: 'slicing',
        on: workingTransitions(),
        always: finishedChecks,
        states: {
          slicing: {
            // On start and on resume: the slice due now (if not sent yet), or a wake at the next slice time.
            entry: plan('scheduledSlice'),
            always: [
              { guard: and(['isPastDeadline', 'stopsAtDeadline']), target: stopping, actions: { type: 'recordStop', params: { reason: 'expired' } } },
              { guard: 'isPastDeadline', target: 'finishing' },
            ],
            on: {
              'timer.due': [
                // At the deadline no slice is planned: the checks above take the algo to its deadline policy.
                { guard: 'isPastDeadline' },
                { guard: 'isDue', actions: plan('scheduledSlice') },
              ],
            },
          },
          finishing: {
            // Deadline with the rest to send: children still working are canceled and the rest goes as takers,
            // again at each market data while something is left (never in a loop on the child's own end).
            entry: ['clearWake', plan('sweep')],
            on: { market: { actions: [{ type: 'recordMarket', params: { countVolume: true } }, plan('sweep')] } },
          },
          history: { type: 'history', history: 'shallow' },
        },
      },
    },
  });
}
