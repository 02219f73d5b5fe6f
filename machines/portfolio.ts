// The portfolio statechart: the root of the engine's actor system and its trading state. Orders are its
// children by id (data), not XState children: spawning under one parent is O(N) per spawn in XState 5.
import { assign, setup } from 'xstate';

export const PORTFOLIO_MACHINE_VERSION = 1;

export type PortfolioEvent = { type: 'halt'; reason: string } | { type: 'reduce'; reason: string } | { type: 'resume' };

export interface PortfolioContext {
  /** Why trading is halted or reducing; cleared on resume. */
  readonly reason?: string;
}

export const portfolioMachine = setup({
  types: {
    context: {} as PortfolioContext,
    events: {} as PortfolioEvent,
  },
  actions: {
    recordReason: assign({ reason: ({ event }) => (event.type === 'resume' ? undefined : event.reason) }),
    clearReason: assign({ reason: undefined }),
  },
}).createMachine({
  id: 'portfolio',
  initial: 'active',
  context: {},
  states: {
    active: {
      on: {
        halt: { target: 'halted', actions: 'recordReason' },
        reduce: { target: 'reducing', actions: 'recordReason' },
      },
    },
    reducing: {
      on: {
        halt: { target: 'halted', actions: 'recordReason' },
        resume: { target: 'active', actions: 'clearReason' },
      },
    },
    halted: {
      on: { resume: { target: 'active', actions: 'clearReason' } },
    },
  },
});
