// Machine drawings: every state of each chart, and each transition with its event, targets, guard and actions,
// named as the page labels them.
import { describe, expect, it } from 'vitest';
import { ORDER_MACHINE_VERSION, TERMINAL_ORDER_STATES } from '../../machines/order.ts';
import { machineDrawing, type StateDrawing } from '../../src/inspector/machines.ts';

function find(state: StateDrawing, id: string): StateDrawing | undefined {
  if (state.id === id) return state;
  for (const child of state.states) {
    const found = find(child, id);
    if (found) return found;
  }
  return undefined;
}

describe('machine drawings', () => {
  it('draws the order chart: its states, initial state, and transitions with guards and actions by name', () => {
    const drawing = machineDrawing('order')!;
    expect(drawing).toMatchObject({ id: 'order', version: ORDER_MACHINE_VERSION });
    expect(drawing.root.initial).toBe('order.pending');
    expect(drawing.root.entry).toEqual(['announceInitialized']);
    const keys = drawing.root.states.map((state) => state.key);
    for (const state of ['pending', 'submitted', 'open', 'partial', 'pendingCancel', 'pendingUpdate', 'emulated', 'triggered', ...TERMINAL_ORDER_STATES]) expect(keys).toContain(state);
    const partial = find(drawing.root, 'order.partial')!;
    expect(partial.transitions).toContainEqual({ event: 'venue.filled', targets: ['order.filled'], guard: 'completesOrder', actions: ['applyFill', 'announceFilled'] });
    expect(partial.transitions).toContainEqual({ event: 'venue.filled', targets: [], guard: 'isDuplicateFill', actions: [] });
    const pending = find(drawing.root, 'order.pending')!;
    expect(pending.transitions).toContainEqual({ event: 'submit', targets: ['order.submitted'], actions: ['announceSubmitted', 'submitToVenue'] });
    expect(find(drawing.root, 'order.filled')!.type).toBe('atomic');
  });

  it('draws the position chart with its parallel stop and size regions, and the portfolio chart', () => {
    const position = machineDrawing('position')!;
    const open = find(position.root, 'position.open')!;
    expect(open.type).toBe('parallel');
    expect(open.states.map((state) => state.key)).toEqual(['stop', 'size']);
    expect(find(position.root, 'position.open.stop.trailing')).toBeDefined();
    const portfolio = machineDrawing('portfolio')!;
    expect(find(portfolio.root, 'portfolio.active')!.transitions).toContainEqual({ event: 'halt', targets: ['portfolio.halted'], actions: ['recordReason'] });
    // Served once per id and version: the same object each time.
    expect(machineDrawing('portfolio')).toBe(portfolio);
    expect(machineDrawing('nonexistent')).toBeUndefined();
  });
});
