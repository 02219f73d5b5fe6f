// The portfolio statechart: root of the engine's actor system, its trading state (active | reducing |
// halted), the cash ledger, the equity marks the loss limits need, and the record of supervised faults.
// Orders and positions are its children by id (data), not XState children: spawning under one parent is
// O(N) per spawn in XState 5 (DESIGN.md).
import { assign, setup } from 'xstate';
import { compare, type DecimalString } from '../src/domain/decimal.ts';
import { applyFillToLedger, createLedger, release, reserve, type Ledger, type LedgerFill } from '../src/domain/ledger.ts';
import {
  applyFunding,
  applyLiquidation,
  applyMarginFill,
  recordReportedPosition,
  type MarginFill,
  type MarginFunding,
  type MarginLiquidation,
  type ReportedMarginPosition,
} from '../src/domain/margin-ledger.ts';

/**
 * 4: the ledger's reservations are kept in a two-level trie of hash buckets (src/domain/ledger.ts).
 * 5: the ledger may hold perpetual positions (`margin`, src/domain/margin-ledger.ts).
 */
export const PORTFOLIO_MACHINE_VERSION = 5;
/** Older versions whose snapshots restore as they are: a version 4 ledger is a version 5 one with no perpetual positions. */
export const PORTFOLIO_RESTORABLE_VERSIONS: readonly number[] = [4, 5];

export interface SupervisedFault {
  readonly actorId: string;
  readonly message: string;
  readonly at: number;
  /** The state the actor was restored to. */
  readonly restoredTo: string;
}

export type { LedgerFill } from '../src/domain/ledger.ts';

export type PortfolioEvent =
  | { type: 'halt'; reason: string }
  | { type: 'reduce'; reason: string }
  | { type: 'resume' }
  | { type: 'ledger.load'; balances: Record<string, DecimalString> }
  | { type: 'ledger.reserve'; orderId: string; currency: string; amount: DecimalString }
  | { type: 'ledger.release'; orderId: string }
  | ({ type: 'ledger.fill' } & LedgerFill)
  /** Perpetuals: a fill, a funding payment, a liquidation and the venue's view of a position (margin-ledger.ts). */
  | ({ type: 'ledger.marginFill' } & MarginFill)
  | ({ type: 'ledger.funding' } & MarginFunding)
  | ({ type: 'ledger.liquidation' } & MarginLiquidation)
  | { type: 'ledger.venuePosition'; venue: string; symbol: string; currency: string; reported: ReportedMarginPosition }
  | { type: 'equity.observed'; equity: DecimalString; day: string }
  | ({ type: 'fault' } & SupervisedFault)
  | { type: `xstate.error.actor.${string}`; error: unknown };

export interface PortfolioContext {
  /** Why trading is halted or reducing; cleared on resume. */
  readonly reason?: string;
  readonly ledger: Ledger;
  /** Equity at the start of the current UTC day and the highest equity seen: the loss limits' references. */
  readonly day?: string;
  readonly dayStartEquity?: DecimalString;
  readonly peakEquity?: DecimalString;
  readonly faults: readonly SupervisedFault[];
}

export type TradingStateName = 'active' | 'reducing' | 'halted';

export const portfolioMachine = setup({
  types: {
    context: {} as PortfolioContext,
    events: {} as PortfolioEvent,
  },
  actions: {
    // Effect, provided by the engine: restore a child that threw from its last snapshot.
    superviseChild: (_, _params: { actorId: string; error: unknown }) => {},
    recordReason: assign({ reason: ({ event }) => (event.type === 'halt' || event.type === 'reduce' ? event.reason : undefined) }),
    clearReason: assign({ reason: undefined }),
    loadLedger: assign({ ledger: ({ context, event }) => (event.type === 'ledger.load' ? createLedger(event.balances) : context.ledger) }),
    reserveFunds: assign({
      ledger: ({ context, event }) => (event.type === 'ledger.reserve' ? reserve(context.ledger, event.orderId, event.currency, event.amount) : context.ledger),
    }),
    releaseFunds: assign({ ledger: ({ context, event }) => (event.type === 'ledger.release' ? release(context.ledger, event.orderId) : context.ledger) }),
    applyFill: assign({ ledger: ({ context, event }) => (event.type === 'ledger.fill' ? applyFillToLedger(context.ledger, event) : context.ledger) }),
    applyMarginFill: assign({ ledger: ({ context, event }) => (event.type === 'ledger.marginFill' ? applyMarginFill(context.ledger, event).ledger : context.ledger) }),
    applyFunding: assign({ ledger: ({ context, event }) => (event.type === 'ledger.funding' ? applyFunding(context.ledger, event) : context.ledger) }),
    applyLiquidation: assign({ ledger: ({ context, event }) => (event.type === 'ledger.liquidation' ? applyLiquidation(context.ledger, event).ledger : context.ledger) }),
    recordVenuePosition: assign({
      ledger: ({ context, event }) => (event.type === 'ledger.venuePosition' ? recordReportedPosition(context.ledger, event.venue, event.symbol, event.currency, event.reported) : context.ledger),
    }),
    observeEquity: assign(({ context, event }) => {
      if (event.type !== 'equity.observed') return context;
      const newDay = context.day !== event.day;
      const peak = context.peakEquity === undefined || compare(event.equity, context.peakEquity) > 0 ? event.equity : context.peakEquity;
      return Object.assign({}, context, {
        day: event.day,
        dayStartEquity: newDay ? event.equity : context.dayStartEquity,
        peakEquity: peak,
      });
    }),
    recordFault: assign({
      faults: ({ context, event }) =>
        event.type === 'fault' ? [...context.faults, { actorId: event.actorId, message: event.message, at: event.at, restoredTo: event.restoredTo }] : context.faults,
    }),
  },
}).createMachine({
  id: 'portfolio',
  initial: 'active',
  context: { ledger: createLedger({}), faults: [] },
  // The ledger and the supervision record are kept in every trading state.
  on: {
    'ledger.load': { actions: 'loadLedger' },
    'ledger.reserve': { actions: 'reserveFunds' },
    'ledger.release': { actions: 'releaseFunds' },
    'ledger.fill': { actions: 'applyFill' },
    'ledger.marginFill': { actions: 'applyMarginFill' },
    'ledger.funding': { actions: 'applyFunding' },
    'ledger.liquidation': { actions: 'applyLiquidation' },
    'ledger.venuePosition': { actions: 'recordVenuePosition' },
    'equity.observed': { actions: 'observeEquity' },
    fault: { actions: 'recordFault' },
    // A child that throws is relayed here by XState (its parent link); it is restored, never lost.
    'xstate.error.actor.*': {
      actions: {
        type: 'superviseChild',
        params: ({ event }) => ({ actorId: event.type.slice('xstate.error.actor.'.length), error: 'error' in event ? event.error : undefined }),
      },
    },
  },
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
