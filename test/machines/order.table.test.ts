// The order chart as a transition table, in the manner of NautilusTrader's order FSM tests: every
// (state, event) pair either reaches its expected state or is refused with the order exactly as it was.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { orderMachine, type OrderMachineEvent, type OrderMachineInput, type OrderStateName } from '../../machines/order.ts';
import { subtract } from '../../src/domain/decimal.ts';
import { commandEvents, emulatedStopInput, fill, limitOrderInput, reportEvents, statusEvents, venueStopInput } from '../support/order-fixtures.ts';

type Column =
  | 'submit' | 'deny' | 'cancel' | 'amend' | 'trigger' | 'trailingAdvanced' | 'deadlineReached'
  | 'accepted' | 'rejected' | 'fillPartial' | 'fillComplete' | 'fillDuplicate' | 'fillOver'
  | 'canceled' | 'expired' | 'amended' | 'cancelRejected' | 'amendRejected' | 'triggered'
  | 'statusWorking' | 'statusCanceled' | 'statusExpired' | 'statusRejected' | 'statusFilled';

/** A target state; '-' refused (nothing changes); '=' stays in its state with its context updated. */
type Cell = OrderStateName | '-' | '=';

interface Row {
  readonly input: () => OrderMachineInput;
  readonly path: readonly OrderMachineEvent[];
  readonly cells: Readonly<Record<Column, Cell>>;
}

const refusedEverywhere: Record<Column, Cell> = {
  submit: '-', deny: '-', cancel: '-', amend: '-', trigger: '-', trailingAdvanced: '-', deadlineReached: '-',
  accepted: '-', rejected: '-', fillPartial: '-', fillComplete: '-', fillDuplicate: '-', fillOver: '-',
  canceled: '-', expired: '-', amended: '-', cancelRejected: '-', amendRejected: '-', triggered: '-',
  statusWorking: '-', statusCanceled: '-', statusExpired: '-', statusRejected: '-', statusFilled: '-',
};

/** A status query (after a restart) moves an order that is not finished to what the venue says. */
const endedAtVenue: Partial<Record<Column, Cell>> = { statusCanceled: 'canceled', statusExpired: 'expired', statusRejected: 'rejected' };

const awaitingAck: Partial<Record<Column, Cell>> = {
  cancel: 'pendingCancel', deadlineReached: 'pendingCancel', accepted: 'open', rejected: 'rejected',
  fillPartial: 'partial', fillComplete: 'filled', canceled: 'canceled', expired: 'expired', amended: '=',
  ...endedAtVenue, statusWorking: 'open',
};

const working: Partial<Record<Column, Cell>> = {
  cancel: 'pendingCancel', amend: 'pendingUpdate', deadlineReached: 'pendingCancel', accepted: '=',
  fillPartial: 'partial', fillComplete: 'filled', canceled: 'canceled', expired: 'expired',
  // An acknowledged order can still be rejected by the venue, and amended by it unasked.
  rejected: 'rejected', amended: '=', ...endedAtVenue, statusWorking: '=',
};

const { submit, cancel, amend, trigger } = commandEvents;
const { accepted } = reportEvents;

const table: Record<OrderStateName, Row> = {
  pending: { input: limitOrderInput, path: [], cells: { ...refusedEverywhere, submit: 'submitted', deny: 'denied', cancel: 'canceled' } },
  emulated: {
    input: emulatedStopInput,
    path: [submit],
    cells: { ...refusedEverywhere, cancel: 'canceled', amend: '=', trigger: 'triggered', deadlineReached: 'expired' },
  },
  triggered: { input: emulatedStopInput, path: [submit, trigger], cells: { ...refusedEverywhere, ...awaitingAck } },
  submitted: { input: limitOrderInput, path: [submit], cells: { ...refusedEverywhere, ...awaitingAck } },
  open: { input: limitOrderInput, path: [submit, accepted], cells: { ...refusedEverywhere, ...working } },
  partial: {
    input: limitOrderInput,
    path: [submit, accepted, fill('f-1', '0.4')],
    cells: { ...refusedEverywhere, ...working },
  },
  pendingCancel: {
    input: limitOrderInput,
    path: [submit, accepted, cancel],
    cells: {
      ...refusedEverywhere, canceled: 'canceled', cancelRejected: 'open', fillPartial: '=', fillComplete: 'filled',
      expired: 'expired', accepted: '=', rejected: 'rejected', amended: '=', amendRejected: '=',
      // The deadline is remembered until the cancel is answered; a restart's status query settles it.
      deadlineReached: '=', ...endedAtVenue, statusWorking: 'open',
    },
  },
  pendingUpdate: {
    input: limitOrderInput,
    path: [submit, accepted, amend],
    cells: {
      ...refusedEverywhere, amended: 'open', amendRejected: 'open', fillPartial: '=', fillComplete: 'filled',
      canceled: 'canceled', expired: 'expired', cancel: 'pendingCancel', rejected: 'rejected',
      deadlineReached: '=', ...endedAtVenue, statusWorking: 'open',
    },
  },
  filled: { input: limitOrderInput, path: [submit, accepted, fill('f-1', '1')], cells: refusedEverywhere },
  canceled: {
    input: limitOrderInput,
    path: [submit, accepted, cancel, reportEvents.canceled],
    cells: { ...refusedEverywhere, fillPartial: '=', fillComplete: 'filled' },
  },
  expired: {
    input: limitOrderInput,
    path: [submit, accepted, reportEvents.expired],
    cells: { ...refusedEverywhere, fillPartial: '=', fillComplete: 'filled' },
  },
  rejected: { input: limitOrderInput, path: [submit, reportEvents.rejected], cells: refusedEverywhere },
  denied: { input: limitOrderInput, path: [commandEvents.deny], cells: refusedEverywhere },
};

function start(row: Row) {
  const actor = createActor(orderMachine, { input: row.input() });
  actor.start();
  for (const event of row.path) actor.send(event);
  return actor;
}

function eventFor(column: Column, filledQuantity: string): OrderMachineEvent {
  switch (column) {
    case 'fillPartial': return fill('f-new', '0.3');
    // The rest of the order, whatever was filled before (a filled order gets 1 more: an overfill).
    case 'fillComplete': {
      const rest = subtract('1', filledQuantity);
      return fill('f-new', rest === '0' ? '1' : rest);
    }
    case 'fillDuplicate': return fill('f-dup', '0.3');
    case 'fillOver': return fill('f-over', '5');
    case 'amend': return amend;
    case 'accepted': case 'rejected': case 'canceled': case 'expired': case 'amended': case 'cancelRejected': case 'amendRejected': case 'triggered':
      return reportEvents[column];
    case 'statusWorking': case 'statusCanceled': case 'statusExpired': case 'statusRejected': case 'statusFilled':
      return statusEvents[column];
    default: return commandEvents[column];
  }
}

describe('order transition table', () => {
  for (const [state, row] of Object.entries(table) as Array<[OrderStateName, Row]>) {
    describe(`from ${state}`, () => {
      it(`is reached by its path`, () => {
        expect(start(row).getSnapshot().value).toBe(state);
      });
      for (const [column, expected] of Object.entries(row.cells) as Array<[Column, Cell]>) {
        it(`${column} -> ${expected === '-' ? 'refused' : expected === '=' ? 'stays' : expected}`, () => {
          const actor = start(row);
          // A duplicate is judged against the order as it stood after the first copy of the same fill.
          if (column === 'fillDuplicate') actor.send(eventFor(column, '0'));
          const before = actor.getSnapshot();
          actor.send(eventFor(column, before.context.filledQuantity));
          const after = actor.getSnapshot();
          if (expected === '-') {
            expect(after.value).toBe(before.value);
            expect(after.context).toEqual(before.context);
          } else if (expected === '=') {
            expect(after.value).toBe(state);
          } else {
            expect(after.value).toBe(expected);
          }
        });
      }
    });
  }

  it('a stop the venue holds moves to triggered when the venue reports it fired; other orders ignore the report', () => {
    const stop = createActor(orderMachine, { input: venueStopInput() }).start();
    stop.send(commandEvents.submit);
    stop.send(accepted);
    stop.send(reportEvents.triggered);
    expect(stop.getSnapshot().value).toBe('triggered');
    const limit = createActor(orderMachine, { input: limitOrderInput() }).start();
    limit.send(commandEvents.submit);
    limit.send(accepted);
    limit.send(reportEvents.triggered);
    expect(limit.getSnapshot().value).toBe('open');
  });

  it('covers every state of the chart', () => {
    expect(Object.keys(table).sort()).toEqual(Object.keys(orderMachine.root.states).sort());
  });
});
