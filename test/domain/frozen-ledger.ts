// Test helper: a ledger frozen all the way down, so any mutation by the function under test throws.
import type { Ledger } from '../../src/domain/ledger.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export function frozenLedger(ledger: Ledger): Ledger {
  return deepFreeze(ledger);
}
